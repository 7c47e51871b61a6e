/* The navigation's unread notifications, kept current (the page draws the count; this only
   follows it): one EventSource per tab on the console's own stream (`data-live`), kept across
   htmx's boosted navigations while the workspace stays the same, closed while the tab is
   hidden. The fragment is the server's (both languages); the region is aria-live="polite".
   No inline script (CSP). */
(function () {
  "use strict";
  var stream = null;
  var streamUrl = "";

  function region() { return document.getElementById("nav-unread"); }
  function changed(event) {
    var here = region();
    var item = JSON.parse(event.data);
    if (here && here.getAttribute("data-count") !== String(item.unread)) {
      here.setAttribute("data-count", String(item.unread));
      here.innerHTML = item.html;
    }
  }
  function close() {
    if (stream) { stream.close(); stream = null; }
    streamUrl = "";
  }
  function sync() {
    var here = region();
    var url = here && !document.hidden ? here.getAttribute("data-live") || "" : "";
    if (url === streamUrl) { return; }
    close();
    if (url && window.EventSource) {
      streamUrl = url;
      stream = new EventSource(url);
      stream.addEventListener("unread", changed);
    }
  }
  document.addEventListener("DOMContentLoaded", sync);
  document.addEventListener("htmx:afterSettle", sync);
  document.addEventListener("visibilitychange", sync);
})();
