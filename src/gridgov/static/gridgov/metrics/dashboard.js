// The dashboard's trend chart (metrics/_trend.html): a Chart.js line over the twelve periods,
// drawn from the JSON the server put beside the canvas. The same numbers are in the table
// under it, so the chart is an illustration, never the only way to read them.
(function () {
  "use strict";

  function draw(canvas) {
    if (typeof window.Chart === "undefined" || canvas.dataset.drawn) {
      return;
    }
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var styles = getComputedStyle(document.documentElement);
    var brand = styles.getPropertyValue("--accent").trim() || "#1d5fa8";
    var warn = styles.getPropertyValue("--brand").trim() || "#b3261e";
    var datasets = [{
      label: data.title,
      data: data.values,
      borderColor: brand,
      backgroundColor: brand,
      spanGaps: false,
      tension: 0.2,
      pointRadius: 3,
    }];
    if (data.target !== null && data.target !== undefined) {
      datasets.push({
        label: data.target_label,
        data: data.labels.map(function () { return data.target; }),
        borderColor: warn,
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0,
        fill: false,
      });
    }
    canvas.dataset.drawn = "1";
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: {
            beginAtZero: true,
            suggestedMax: data.unit === "%" ? 100 : undefined,
            ticks: { precision: 0 },
          },
          x: { ticks: { autoSkip: true, maxRotation: 45 } },
        },
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var value = item.parsed.y;
                return item.dataset.label + ":" + (value === null ? "—" : value + (data.unit === "%" ? "%" : " " + data.unit));
              },
            },
          },
        },
      },
    });
  }

  function drawWithin(root) {
    var canvases = (root || document).querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) {
      draw(canvases[i]);
    }
  }

  // Fragments arrive through htmx (hx-trigger="load"); the page itself may hold one too.
  document.addEventListener("htmx:load", function (event) { drawWithin(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawWithin(document); });
  } else {
    drawWithin(document);
  }
})();
