// Inside an embed: tell the page that frames it how tall the content is, so the brand's
// page (with /c/{workspace}/embed.js) can fit the iframe. Only a height is sent, to any
// parent: it says nothing about the visitor.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function tell() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "ensemble:embed-height", height: height }, "*");
  }
  tell();
  window.addEventListener("load", tell);
  if (window.ResizeObserver) new ResizeObserver(tell).observe(document.documentElement);
})();
