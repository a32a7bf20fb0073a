// Dashboard charts, drawn from the data each section carries in a json_script block.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const data = (id) => JSON.parse(document.getElementById(id).textContent);

  document.querySelectorAll("canvas.chart").forEach((canvas) => {
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
        options: { animation: false, scales: { y: { min: t.min, max: t.max } }, plugins: { legend: { position: "bottom" } } },
      });
    } else if (canvas.dataset.chart === "domains") {
      const d = source.domains;
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: [
            {
              type: "bar",
              label: "Mastery %",
              data: d.mastery,
              backgroundColor: d.mastery.map((m) => (m >= d.threshold ? "#198754" : "#ffc107")),
            },
            { type: "line", label: "Meets competencies (" + d.threshold + "%)", data: d.labels.map(() => d.threshold), borderColor: "#dc3545", borderDash: [6, 4], pointRadius: 0 },
          ],
        },
        options: { animation: false, indexAxis: "x", scales: { y: { min: 0, max: 100 } }, plugins: { legend: { position: "bottom" } } },
      });
    }
  });
})();
