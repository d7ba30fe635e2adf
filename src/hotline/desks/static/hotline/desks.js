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
      if (form) { ev.preventDefault(); form.requestSubmit(); }
    }
  });
})();
