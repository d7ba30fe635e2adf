// Shared behaviour of the desks. No inline script anywhere (strict CSP): pages opt in with data-* attributes.
(function () {
  "use strict";
  // <select data-autosubmit>: submit its form when the choice changes (role switcher, filters).
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.requestSubmit(); }
  });
  // Ctrl+Enter (or Cmd+Enter) submits the form that has focus: the keyboard path for every desk form.
  document.addEventListener("keydown", function (ev) {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") {
      var form = ev.target && ev.target.form;
      // A form may name its default action with data-default-submit (its button's name/value is sent).
      if (form) { ev.preventDefault(); form.requestSubmit(form.querySelector("[data-default-submit]") || undefined); }
    }
  });
  // Alt+<key> clicks the element with data-hotkey="<key>" (the desks' action buttons). Done here rather than
  // with accesskey: browsers differ in the modifier and some ignore accesskey in synthetic input.
  document.addEventListener("keydown", function (ev) {
    if (!ev.altKey || ev.ctrlKey || ev.metaKey || !ev.key || ev.key.length !== 1) { return; }
    var target = document.querySelector('[data-hotkey="' + ev.key.toLowerCase() + '"]');
    if (target) { ev.preventDefault(); target.click(); }
  });
  // <select data-unit-picker>: a filter box before the unit list; typing keeps only the units whose name
  // contains the text (sub-units stay under their unit's group) and selects the first match.
  function enhanceUnitPicker(select) {
    if (select.dataset.pickerReady) { return; }
    select.dataset.pickerReady = "1";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "unit-filter";
    box.placeholder = "输入单位名称筛选";
    box.setAttribute("aria-label", "筛选承办单位");
    box.autocomplete = "off";
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var q = box.value.trim();
      var first = null;
      Array.prototype.forEach.call(select.options, function (opt) {
        var show = !opt.value || !q || opt.text.indexOf(q) !== -1;
        opt.hidden = !show;
        if (show && opt.value && !first) { first = opt; }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (g) {
        g.hidden = !Array.prototype.some.call(g.children, function (o) { return !o.hidden; });
      });
      if (q && first) { select.value = first.value; }
      box.classList.toggle("no-match", Boolean(q) && !first);
    });
    // Enter in the filter box keeps the first match and moves on instead of submitting the form.
    box.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey) { ev.preventDefault(); select.focus(); }
    });
  }
  // <input type="checkbox" data-check-all="NAME">: (un)check every checkbox named NAME in its form.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.matches && el.matches("input[data-check-all]") && el.form) {
      Array.prototype.forEach.call(el.form.querySelectorAll('input[type=checkbox][name="' + el.dataset.checkAll + '"]'),
        function (box) { box.checked = el.checked; });
    }
  });
  // 分类建议 "采用": set 一级分类, let htmx load its 二级分类 options, then pick the suggested one.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("button[data-apply-category]");
    if (!btn) { return; }
    var parent = document.getElementById("id_category_parent");
    var child = document.getElementById("id_category");
    if (!parent || !child) { return; }
    var sub = btn.getAttribute("data-apply-subcategory");
    if (sub) {
      child.addEventListener("htmx:afterSwap", function once() {
        child.removeEventListener("htmx:afterSwap", once);
        child.value = sub;
      });
    }
    parent.value = btn.getAttribute("data-apply-category");
    parent.dispatchEvent(new Event("change", {bubbles: true}));
  });
  // 派单台 suggested unit: tick that case and choose the unit in the dispatch form above the queue.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("button[data-pick-unit]");
    if (!btn || !btn.form) { return; }
    var box = btn.form.querySelector("input[name=picks][value='" + btn.getAttribute("data-pick-case") + "']");
    var unit = btn.form.querySelector("select[name$=unit]");
    if (box) { box.checked = true; }
    if (unit) { unit.value = btn.getAttribute("data-pick-unit"); unit.dispatchEvent(new Event("change", {bubbles: true})); }
  });
  function enhanceAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll("select[data-unit-picker]"), enhanceUnitPicker);
  }
  document.addEventListener("DOMContentLoaded", function () {
    enhanceAll(document);
    // After a refused submit, put the cursor in the first field that has an error.
    var bad = document.querySelector(".field.has-error input:not([type=hidden]), .field.has-error select, .field.has-error textarea");
    if (bad) { bad.focus(); }
  });
  document.addEventListener("htmx:afterSwap", function (ev) { enhanceAll(ev.target); });
})();
