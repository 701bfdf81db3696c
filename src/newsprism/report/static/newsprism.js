// newsprism web app: citations open on hover (pointer devices) as well as on click or tap.
// Served as a file (CSP script-src 'self'); the pages work without it.
"use strict";
(function () {
  var hoverable = window.matchMedia && window.matchMedia("(hover: hover)").matches;
  document.querySelectorAll("details.cite").forEach(function (cite) {
    var pinned = false;
    cite.querySelector("summary").addEventListener("click", function (event) {
      // A click pins a hover-opened citation instead of closing it; a second click closes it.
      if (cite.open && !pinned) { event.preventDefault(); pinned = true; return; }
      pinned = !cite.open;
    });
    if (!hoverable) { return; }
    cite.addEventListener("mouseenter", function () { cite.open = true; });
    cite.addEventListener("mouseleave", function () { if (!pinned) { cite.open = false; } });
  });
  // Closing others keeps one popover on screen at a time.
  document.addEventListener("toggle", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("cite") || !target.open) { return; }
    document.querySelectorAll("details.cite[open]").forEach(function (other) {
      if (other !== target) { other.open = false; }
    });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.cite[open]").forEach(function (d) { d.open = false; });
    }
  });
})();
