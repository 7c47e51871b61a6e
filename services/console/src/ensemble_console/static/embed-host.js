// On the brand's page: fits each Ensemble embed (an iframe with `data-ensemble-embed`) to
// its content's height. Only messages from the console's own origin (this script's) and
// from one of those iframes are believed; the height is bounded.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;
  var key = "ensembleEmbeds " + origin; // pasted twice (the board's code, an idea's): one listener
  if (window[key]) return;
  window[key] = true;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "ensemble:embed-height") return;
    if (typeof data.height !== "number" || !isFinite(data.height)) return;
    var frames = document.querySelectorAll("iframe[data-ensemble-embed]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.min(Math.max(Math.round(data.height), 60), 3000) + "px";
      }
    }
  });
})();
