// Draws the charts of a grade result with the vendored Chart.js: every <canvas data-chart>
// on the page, on load and whenever htmx swaps in the final result. Shapes come from
// webapp/grading/charts.py: bar and line charts with one or more series, and timelines
// (one horizontal [start, end] bar per row, one colour per status).
(function () {
  "use strict";

  var COLOURS = ["#2450b8", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490"];

  function dataset(series, index, kind) {
    var colour = COLOURS[index % COLOURS.length];
    return {
      label: series.name,
      data: series.values,
      borderColor: colour,
      backgroundColor: kind === "line" ? colour : colour + "99",
      grouped: kind !== "timeline",
      skipNull: true,
    };
  }

  function config(spec) {
    var timeline = spec.kind === "timeline";
    var options = {
      animation: false,
      responsive: true,
      plugins: { legend: { display: spec.series.length > 1 } },
    };
    if (timeline) {
      options.indexAxis = "y";
      options.scales = { x: { title: { display: true, text: "ms" } } };
    }
    return {
      type: timeline ? "bar" : spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series, index) {
          return dataset(series, index, spec.kind);
        }),
      },
      options: options,
    };
  }

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof window.Chart === "undefined") return;
    canvas.dataset.drawn = "1";
    new window.Chart(canvas, config(JSON.parse(canvas.dataset.chart)));
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
  document.addEventListener("htmx:oobAfterSwap", drawAll);
})();
