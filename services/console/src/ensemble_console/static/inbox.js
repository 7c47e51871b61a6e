/* Inbox enhancements (the page works without them): j/k move between mentions, a assigns the
   current one to you, e closes it (both through the page's own bulk form), and mentions that
   arrive are added on top through the console's event stream. No inline script (CSP). */
(function () {
  "use strict";
  var stream = null;
  var streamUrl = "";
  var KEPT = "ensemble.inbox.current";

  function rowsBody() { return document.getElementById("inbox-rows"); }
  function rows() {
    var body = rowsBody();
    return body ? Array.prototype.slice.call(body.querySelectorAll("tr[data-mention]")) : [];
  }
  function currentIndex(all) {
    for (var i = 0; i < all.length; i++) { if (all[i].classList.contains("current")) { return i; } }
    return -1;
  }
  function select(row) {
    rows().forEach(function (r) { r.classList.remove("current"); r.removeAttribute("aria-current"); });
    if (!row) { return; }
    row.classList.add("current");
    row.setAttribute("aria-current", "true");
    var link = row.querySelector("a.mention-link");
    if (link) { link.focus(); }
    window.sessionStorage.setItem(KEPT, row.getAttribute("data-mention"));
  }
  function act(key) {
    var all = rows();
    var row = all[currentIndex(all)];
    var button = document.querySelector('#bulk button[data-key="' + key + '"]');
    if (!row || !button) { return; }
    all.forEach(function (r) { var box = r.querySelector('input[name="ids"]'); if (box) { box.checked = r === row; } });
    button.click();
  }
  function onKey(event) {
    if (!rowsBody() || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    var all = rows();
    var at = currentIndex(all);
    if (event.key === "j") { select(all[Math.min(at + 1, all.length - 1)]); }
    else if (event.key === "k") { select(all[Math.max(at - 1, 0)]); }
    else if (event.key === "a" || event.key === "e") { act(event.key); }
    else { return; }
    event.preventDefault();
  }
  function arrived(event) {
    var body = rowsBody();
    var item = JSON.parse(event.data);
    if (!body || document.getElementById("m-" + item.id)) { return; }
    var holder = document.createElement("tbody");
    holder.innerHTML = item.html;
    var row = holder.querySelector("tr");
    if (!row) { return; }
    row.classList.add("arrived");
    body.insertBefore(row, body.firstChild);
    var empty = document.getElementById("inbox-empty");
    if (empty) { empty.remove(); }
  }
  function sync() {
    var body = rowsBody();
    var url = body ? body.getAttribute("data-live") : "";
    if (url === streamUrl) { return; }
    if (stream) { stream.close(); stream = null; }
    streamUrl = url || "";
    if (url && window.EventSource) {
      stream = new EventSource(url);
      stream.addEventListener("mention", arrived);
    }
    var kept = window.sessionStorage.getItem(KEPT);
    if (body && kept) {
      var row = document.getElementById("m-" + kept);
      if (row) { select(row); }
    }
  }
  document.addEventListener("keydown", onKey);
  document.addEventListener("DOMContentLoaded", sync);
  document.addEventListener("htmx:afterSettle", sync);
})();
