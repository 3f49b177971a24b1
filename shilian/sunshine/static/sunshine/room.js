// The consumer page's production-room frame: start the live player (hls.js where MSE exists,
// native HLS on iOS), and play the making-of segments one after another.
(function () {
  document.querySelectorAll("video[data-hls]").forEach(function (video) {
    var src = video.getAttribute("data-hls");
    if (window.Hls && Hls.isSupported()) {
      var hls = new Hls({ liveSyncDurationCount: 2, maxLiveSyncPlaybackRate: 1.5 });
      hls.loadSource(src);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
    }
    var playing = video.play && video.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
  });
  var making = document.querySelector("video.making");
  if (!making) { return; }
  var links = Array.prototype.slice.call(document.querySelectorAll("a[data-seg]"));
  function choose(link, play) {
    links.forEach(function (other) { other.classList.toggle("on", other === link); });
    making.src = link.getAttribute("href");
    if (play) { making.play(); }
  }
  links.forEach(function (link) {
    link.addEventListener("click", function (event) { event.preventDefault(); choose(link, true); });
  });
  making.addEventListener("ended", function () {
    var next = links[links.indexOf(document.querySelector("a[data-seg].on")) + 1];
    if (next) { choose(next, true); }
  });
})();
