// The operator desk's knowledge panel: keeps the intake form's hidden kb_query / kb_article in step with
// the panel. "用此答复" cites the open article: kb_article is set, the outcome becomes "直接答复" and an empty
// answer gets a first line naming the article. No inline handlers (strict CSP): everything is delegated here.
(function () {
  "use strict";
  function intake() {
    var slot = document.getElementById("kb-slot");
    var field = document.querySelector("input[name=kb_article]");
    return field ? field.form : (slot ? slot.closest("form") : null);
  }
  function setField(name, value) {
    var form = intake();
    var input = form ? form.querySelector("[name=" + name + "]") : null;
    if (input) { input.value = value; }
    return input;
  }
  function chosen(title) {
    var note = document.getElementById("kb-chosen");
    if (!note) { return; }
    note.hidden = !title;
    note.querySelector("span").textContent = title ? "将引用：" + title : "";
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("[data-kb-query]")) {
      setField("kb_query", e.target.value.slice(0, 200));
    }
  });
  document.addEventListener("click", function (e) {
    var use = e.target.closest && e.target.closest("[data-kb-use]");
    if (use) {
      var title = use.getAttribute("data-kb-title") || "";
      setField("kb_article", use.getAttribute("data-kb-use"));
      var q = document.querySelector("[data-kb-query]");
      if (q) { setField("kb_query", q.value.slice(0, 200)); }
      var form = intake();
      if (form) {
        var answer = form.querySelector("input[name=outcome][value=answer]");
        if (answer) { answer.checked = true; answer.dispatchEvent(new Event("change", {bubbles: true})); }
        var text = form.querySelector("textarea[name=answer]");
        if (text && !text.value.trim()) { text.value = "依据知识库《" + title + "》答复。"; }
        var missing = form.querySelector("input[name=kb_missing]");
        if (missing) { missing.checked = false; }
      }
      chosen(title);
      return;
    }
    if (e.target.closest && e.target.closest("[data-kb-clear]")) {
      setField("kb_article", "");
      chosen("");
    }
  });
})();
