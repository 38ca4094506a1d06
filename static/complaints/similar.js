// Likely duplicates at intake (complaints:entry): while front desk types the title and the
// description, the open cases of the same building or project from the last 30 days with similar
// words are fetched (complaints:similar, an HTML fragment) and shown under the form; one click
// links the new case to the same event (the hidden same_event_as field, read by the service).
(function () {
  "use strict";
  var box = document.getElementById("similar-cases");
  if (!box) { return; }
  var form = box.closest("form");
  var hidden = form.querySelector("[name=same_event_as]");
  var chosen = document.getElementById("similar-chosen");
  var timer = null;
  var last = "";
  var WATCHED = { title: true, description: true, project: true, owner_unit: true };

  function value(name) {
    var field = form.querySelector("[name=" + name + "]:checked") || form.querySelector("[name=" + name + "]");
    return field && (field.type !== "radio" || field.checked) ? field.value : "";
  }

  function refresh() {
    var params = new URLSearchParams();
    ["title", "description", "project", "owner_unit"].forEach(function (name) { params.set(name, value(name)); });
    var query = params.toString();
    if (query === last) { return; }
    last = query;
    if (!value("title") && !value("description")) { box.innerHTML = ""; return; }
    fetch(box.getAttribute("data-url") + "?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (query === last) { box.innerHTML = html; } })
      .catch(function () { /* a suggestion is a help, never a reason to stop typing */ });
  }

  function schedule(event) {
    if (!WATCHED[event.target.name]) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 350);
  }

  function choose(caseId, number) {
    hidden.value = caseId || "";
    chosen.hidden = !caseId;
    chosen.querySelector("strong").textContent = number || "";
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  box.addEventListener("click", function (event) {
    var button = event.target.closest(".similar-link");
    if (button) { choose(button.getAttribute("data-case"), button.getAttribute("data-number")); }
  });
  document.getElementById("similar-cancel").addEventListener("click", function () { choose("", ""); });
  if (hidden.value) { chosen.hidden = false; }
  refresh();
})();
