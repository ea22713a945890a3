/* leakscan HTML report: optional enhancements (sorting, filtering, pages, folding). */
"use strict";
(function () {
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function cellValue(row, i) {
    var c = row.cells[i];
    if (!c) { return ""; }
    return c.hasAttribute("data-v") ? c.getAttribute("data-v") : c.textContent.trim();
  }

  function makeSortable(table, after) {
    if (!table.tHead || !table.tBodies.length) { return; }
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, i) {
      if (th.hasAttribute("data-nosort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        each(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var numeric = th.getAttribute("data-type") === "num";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, i), y = cellValue(b, i);
          var c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
          return c * dir;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r); });
        body.appendChild(frag);
        if (after) { after(); }
      });
    });
  }

  function findingsTable() {
    var table = document.getElementById("findings-table");
    var form = document.getElementById("filters");
    var pager = document.getElementById("pager");
    if (!table || !form || !pager) { return; }
    var size = parseInt(table.getAttribute("data-page-size"), 10) || 200;
    var status = document.getElementById("pager-status");
    var prev = document.getElementById("pager-prev");
    var next = document.getElementById("pager-next");
    var page = 0;
    var keys = ["rule", "kind", "confidence", "evidence", "baseline"];

    function matches(row) {
      for (var k = 0; k < keys.length; k++) {
        if (!form.elements[keys[k]]) { continue; }
        var want = form.elements[keys[k]].value;
        if (want && row.getAttribute("data-" + keys[k]) !== want) { return false; }
      }
      var text = form.elements.text.value.trim().toLowerCase();
      if (!text) { return true; }
      var hay = (row.getAttribute("data-file") + " " + row.getAttribute("data-function")).toLowerCase();
      return hay.indexOf(text) >= 0;
    }

    function update() {
      var rows = table.tBodies[0].rows;
      var shown = [];
      each(rows, function (row) {
        row.hidden = true;
        if (matches(row)) { shown.push(row); }
      });
      var pages = Math.max(1, Math.ceil(shown.length / size));
      if (page >= pages) { page = pages - 1; }
      var first = page * size;
      shown.slice(first, first + size).forEach(function (row) { row.hidden = false; });
      var last = Math.min(shown.length, first + size);
      status.textContent = shown.length
        ? "Findings " + (first + 1) + "–" + last + " of " + shown.length +
          (shown.length !== rows.length ? " (filtered from " + rows.length + ")" : "") +
          " · page " + (page + 1) + " of " + pages
        : "No finding matches the filters (" + rows.length + " in total).";
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    }

    form.hidden = false;
    pager.hidden = false;
    form.addEventListener("input", function () { page = 0; update(); });
    form.addEventListener("change", function () { page = 0; update(); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    prev.addEventListener("click", function () { page -= 1; update(); });
    next.addEventListener("click", function () { page += 1; update(); });
    makeSortable(table, update);
    update();
  }

  function folding() {
    each(document.querySelectorAll(".src-tools"), function (tools) {
      var src = tools.nextElementSibling;
      if (!src || !src.querySelector("details.fold")) { return; }
      tools.hidden = false;
      each(tools.querySelectorAll("button[data-fold]"), function (button) {
        button.addEventListener("click", function () {
          var open = button.getAttribute("data-fold") === "open";
          each(src.querySelectorAll("details.fold"), function (d) { d.open = open; });
        });
      });
    });
  }

  function revealTarget() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var el = id && document.getElementById(id);
    while (el) {
      if (el.tagName === "DETAILS") { el.open = true; }
      el = el.parentElement;
    }
  }

  findingsTable();
  each(document.querySelectorAll("table.sortable"), function (t) { makeSortable(t, null); });
  folding();
  window.addEventListener("hashchange", revealTarget);
  revealTarget();
  document.documentElement.setAttribute("data-js", "ready");
})();
