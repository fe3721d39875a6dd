/*
 * checkbox_group.js – a group of checkboxes is one tab stop; the arrow keys move within it.
 * CSP-safe: no inline code.
 *
 * Markup: checkboxes that share a name and carry data-checkbox-group (set by the form's widget).
 * Tab enters the group at its first checked box (else its first box) and leaves it with the next Tab;
 * Arrow down/right and up/left move to the next/previous box, Home/End to the first/last;
 * Space checks or unchecks as usual. Without JavaScript every box stays a tab stop.
 */
(function () {
  "use strict";

  var NEXT = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };

  function enabled(boxes) {
    return boxes.filter(function (box) { return !box.disabled; });
  }

  // Exactly one box of the group is reachable with Tab: `current`.
  function makeCurrent(boxes, current) {
    boxes.forEach(function (box) { box.tabIndex = box === current ? 0 : -1; });
  }

  function entryBox(boxes) {
    var usable = enabled(boxes);
    var checked = usable.filter(function (box) { return box.checked; });
    return checked[0] || usable[0];
  }

  function onKeyDown(boxes, event) {
    var usable = enabled(boxes);
    var index = usable.indexOf(event.target);
    var target = null;
    if (event.key in NEXT) {
      target = usable[(index + NEXT[event.key] + usable.length) % usable.length];
    } else if (event.key === "Home") {
      target = usable[0];
    } else if (event.key === "End") {
      target = usable[usable.length - 1];
    }
    if (target && index !== -1 && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      makeCurrent(boxes, target);
      target.focus();
    }
  }

  function setUp(boxes) {
    var first = entryBox(boxes);
    if (!first || boxes.length < 2) {
      return;
    }
    makeCurrent(boxes, first);
    boxes.forEach(function (box) {
      box.addEventListener("keydown", function (event) { onKeyDown(boxes, event); });
      // A click (or a label click) also makes the box the group's entry point.
      box.addEventListener("focus", function () { makeCurrent(boxes, box); });
    });
  }

  function start() {
    // Grouped by form and name: the boxes of one field.
    var groups = [];
    document.querySelectorAll("input[type='checkbox'][data-checkbox-group]").forEach(function (box) {
      var group = groups.find(function (g) { return g.form === box.form && g.name === box.name; });
      if (!group) {
        group = { form: box.form, name: box.name, boxes: [] };
        groups.push(group);
      }
      group.boxes.push(box);
    });
    groups.forEach(function (group) { setUp(group.boxes); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
