// Small progressive enhancements; every page works without them.
// A form with data-confirm asks before it is sent (recall, void).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
