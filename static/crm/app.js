// Behaviour without inline scripts (the Content Security Policy forbids them).
(function () {
  "use strict";

  // Buttons and forms with data-confirm ask before they submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var text = form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) { event.preventDefault(); }
  });

  // Print buttons.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Export progress: poll the job until it is done, then show the download button.
  var box = document.querySelector("[data-export-status]");
  if (box) {
    var bar = box.querySelector("[data-export-bar]");
    var text = box.querySelector("[data-export-text]");
    var download = box.querySelector("[data-export-download]");
    var poll = function () {
      fetch(box.getAttribute("data-export-status"), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          bar.className = bar.className.replace(/\bw-\d+\b/, "w-" + job.percent);
          bar.textContent = job.percent + "%";
          // The words come from the page, in its language.
          text.textContent = job.status === "done" ? text.dataset.done : (job.status === "failed" ? text.dataset.failed
            : text.dataset.running + "（" + job.done + " / " + job.total + "）");
          if (job.status === "done") { download.classList.remove("d-none"); }
          else if (job.status !== "failed") { window.setTimeout(poll, 1500); }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    poll();
  }
})();
