/* Calendar enhancement (the page works without it): a scheduled or held item can be dragged
   onto another day (it keeps its time of day) or onto a free slot (its exact time). The drop
   fills the page's move form (#calendar-drop: the same POST, CSRF token and scheduler's rules
   as each item's "Move" form) and submits it, so a refusal shows as it does without
   JavaScript. Keyboard users keep each item's form. No inline script (CSP). */
(function () {
  "use strict";
  var TYPE = "application/x-ensemble-content";

  function dropForm() { return document.querySelector("#calendar-drop form"); }
  function carried(event) {
    var types = event.dataTransfer ? event.dataTransfer.types : [];
    return Array.prototype.indexOf.call(types, TYPE) >= 0;
  }
  function targetOf(node) {
    return node && node.closest ? node.closest("[data-free-slot], [data-day]") : null;
  }
  function clearMarks() {
    document.querySelectorAll(".drop-over, .dragging").forEach(function (el) {
      el.classList.remove("drop-over", "dragging");
    });
  }
  function prepare() {
    if (!dropForm()) { return; }
    var hint = document.getElementById("drag-hint");
    if (hint) { hint.hidden = false; }
    document.querySelectorAll("[data-movable]").forEach(function (item) {
      item.setAttribute("draggable", "true");
    });
  }
  function start(event) {
    var item = event.target.closest ? event.target.closest("[data-movable]") : null;
    if (!item || !dropForm()) { return; }
    var carriedItem = { id: item.getAttribute("data-content"), slot: item.getAttribute("data-slot") };
    event.dataTransfer.setData(TYPE, JSON.stringify(carriedItem));
    event.dataTransfer.effectAllowed = "move";
    item.classList.add("dragging");
  }
  function over(event) {
    var target = targetOf(event.target);
    if (!target || !carried(event)) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".drop-over").forEach(function (el) {
      if (el !== target) { el.classList.remove("drop-over"); }
    });
    target.classList.add("drop-over");
  }
  function dropped(event) {
    var target = targetOf(event.target);
    var form = dropForm();
    if (!target || !form || !carried(event)) { return; }
    event.preventDefault();
    clearMarks();
    var item = JSON.parse(event.dataTransfer.getData(TYPE));
    var slot = target.getAttribute("data-free-slot") ||
      target.getAttribute("data-day") + "T" + (item.slot || "").slice(11);
    if (!item.id || slot.length !== 16 || slot === item.slot) { return; }
    form.querySelector('input[name="content_id"]').value = item.id;
    form.querySelector('input[name="slot"]').value = slot;
    form.querySelector('button[name="when"][value="at"]').click();
  }
  document.addEventListener("DOMContentLoaded", prepare);
  document.addEventListener("htmx:afterSettle", prepare);
  document.addEventListener("dragstart", start);
  document.addEventListener("dragover", over);
  document.addEventListener("drop", dropped);
  document.addEventListener("dragend", clearMarks);
})();
