/* Copy buttons (the download page's checksums): shown only when the script runs; the text stays selectable. */
(function () {
  "use strict";
  var status = document.getElementById("copy-status");
  Array.prototype.forEach.call(document.querySelectorAll("button.copy[data-copy]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      function say(key) {
        if (status) status.textContent = status.getAttribute(key) || "";
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { say("data-done"); }, function () { say("data-failed"); });
      } else {
        say("data-failed");
      }
    });
  });
})();
