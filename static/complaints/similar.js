// Likely duplicates at intake (complaints:entry): while front desk types the title and the
// description, the open cases of the same building or project from the last 30 days with similar
// words are fetched (complaints:similar, an HTML fragment) and shown under the form; one click
// links the new case to the same event (the hidden same_event_as field, read by the service).
// The owner portal's report form uses it too (portal:similar, "邻居也反映了类似问题"): the box's
// data-url names the fragment, data-fields the fields it is sent and data-text those of which one
// must be filled; without the hidden field and #similar-chosen there is nothing to link.
(function () {
  "use strict";
  var box = document.getElementById("similar-cases");
  if (!box) { return; }
  var form = box.closest("form");
  var hidden = form.querySelector("[name=same_event_as]");
  var chosen = document.getElementById("similar-chosen");
  var timer = null;
  var last = "";
  var FIELDS = (box.getAttribute("data-fields") || "title,description,project,owner_unit").split(",");
  var TEXT = (box.getAttribute("data-text") || "title,description").split(",");
  var WATCHED = {};
  FIELDS.forEach(function (name) { WATCHED[name] = true; });

  function value(name) {
    var field = form.querySelector("[name=" + name + "]:checked") || form.querySelector("[name=" + name + "]");
    return field && (field.type !== "radio" || field.checked) ? field.value : "";
  }

  function refresh() {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) { params.set(name, value(name)); });
    var query = params.toString();
    if (query === last) { return; }
    last = query;
    if (!TEXT.some(function (name) { return value(name); })) { box.innerHTML = ""; return; }
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
  if (hidden && chosen) {
    box.addEventListener("click", function (event) {
      var button = event.target.closest(".similar-link");
      if (button) { choose(button.getAttribute("data-case"), button.getAttribute("data-number")); }
    });
    document.getElementById("similar-cancel").addEventListener("click", function () { choose("", ""); });
    if (hidden.value) { chosen.hidden = false; }
  }
  refresh();
})();
