// Charts of the dashboard and the result page, drawn from the data each section carries in a
// json_script block. The result's breakdown arrives by htmx once the analysis is done, so the
// charts are drawn again after each swap (each canvas once).
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const data = (id) => JSON.parse(document.getElementById(id).textContent);
  // Every category label is shown, on a phone too: the labels are short (D1, D2...) and the full
  // titles are in the tooltip and in the table beside each chart.
  const categories = { ticks: { autoSkip: false, maxRotation: 0 } };
  const tooltipTitles = (titles) => ({ callbacks: { title: (items) => titles[items[0].dataIndex] } });

  function bars(canvas, labels, titles, values, label, threshold, thresholdLabel) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          {
            type: "bar",
            label: label,
            data: values,
            backgroundColor: values.map((v) => (v >= threshold ? "#198754" : "#ffc107")),
          },
          {
            type: "line",
            label: thresholdLabel + " (" + threshold + "%)",
            data: labels.map(() => threshold),
            borderColor: "#dc3545",
            borderDash: [6, 4],
            pointRadius: 0,
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: categories, y: { min: 0, max: 100 } },
        plugins: { legend: { position: "bottom" }, tooltip: tooltipTitles(titles) },
      },
    });
  }

  function draw(root) {
    root.querySelectorAll("canvas.chart:not([data-drawn])").forEach((canvas) => {
      canvas.dataset.drawn = "1";
      const source = data(canvas.dataset.source);
      if (canvas.dataset.chart === "trend") {
        const t = source.trend;
        new Chart(canvas, {
          type: "line",
          data: {
            labels: t.labels,
            datasets: [
              { label: "Estimated scaled score", data: t.scores, borderColor: "#0d6efd", backgroundColor: "#0d6efd", tension: 0.2 },
              { label: "Pass (" + t.pass + ")", data: t.labels.map(() => t.pass), borderColor: "#198754", borderDash: [6, 4], pointRadius: 0 },
            ],
          },
          options: {
            animation: false,
            maintainAspectRatio: false,
            scales: { x: { ticks: { maxRotation: 0 } }, y: { min: t.min, max: t.max } },
            plugins: { legend: { position: "bottom" } },
          },
        });
      } else if (canvas.dataset.chart === "domains") {
        const d = source.domains;
        bars(canvas, d.labels, d.titles, d.mastery, "Mastery %", d.threshold, "Meets competencies");
      } else if (canvas.dataset.chart === "scores") {
        const s = source.scores;
        bars(canvas, s.labels, s.titles, s.percent, "Percent correct", s.threshold, "Meets competencies");
      }
    });
  }

  draw(document);
  document.body.addEventListener("htmx:afterSettle", () => draw(document));
})();
