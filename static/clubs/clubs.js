// Clubs pages (no inline scripts: the Content Security Policy forbids them).
(function () {
  "use strict";

  // A checkbox with data-check-all="NAME" ticks or clears every checkbox named NAME.
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    var name = box.getAttribute("data-check-all");
    box.addEventListener("change", function () {
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (item) {
        item.checked = box.checked;
      });
    });
  });
})();
