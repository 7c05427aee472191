// Draws the charts of a grade result with the vendored Chart.js: every <canvas data-chart>
// on the page, on load and whenever htmx swaps in the final result.
(function () {
  "use strict";

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof window.Chart === "undefined") return;
    var spec = JSON.parse(canvas.dataset.chart);
    canvas.dataset.drawn = "1";
    new window.Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: [{ label: spec.name, data: spec.values, borderColor: "#2450b8",
                     backgroundColor: "rgba(36, 80, 184, 0.35)" }],
      },
      options: { animation: false, responsive: true, plugins: { legend: { display: false } } },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
  document.addEventListener("htmx:oobAfterSwap", drawAll);
})();
