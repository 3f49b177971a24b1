// Live camera players: <video data-hls="…/index.m3u8">; hls.js (vendored) where MSE exists,
// native HLS otherwise (Safari, iOS). Loaded only on pages with a live player.
(function () {
  function start(video) {
    var src = video.getAttribute("data-hls");
    if (window.Hls && Hls.isSupported()) {
      var hls = new Hls({ liveSyncDurationCount: 2, maxLiveSyncPlaybackRate: 1.5 });
      hls.loadSource(src);
      hls.attachMedia(video);
      hls.on(Hls.Events.ERROR, function (event, data) {
        if (data.fatal) { setTimeout(function () { hls.loadSource(src); hls.startLoad(); }, 3000); }
      });
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
    }
    var playing = video.play && video.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
  }
  document.querySelectorAll("video[data-hls]").forEach(start);
})();
