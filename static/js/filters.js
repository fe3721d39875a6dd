// List pages (templates/includes/list_page.html): on small screens every table row is shown as a card
// (static/css/app.css, .list-results). Each cell gets its column's heading as `data-label`, which the CSS
// shows in front of the value. Cells that already carry a label keep it; columns whose heading is only
// there for screen readers (e.g. "Aktion") get none.
(function () {
  "use strict";

  function visibleHeading(th) {
    var hidden = th.querySelector(".visually-hidden");
    var text = th.textContent.trim();
    if (hidden && hidden.textContent.trim() === text) return "";
    return text;
  }

  document.querySelectorAll(".list-results table").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), visibleHeading);
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (!cell.hasAttribute("data-label") && cell.colSpan === 1 && headings[column]) {
          cell.setAttribute("data-label", headings[column]);
        }
        column += cell.colSpan;
      });
    });
  });
})();
