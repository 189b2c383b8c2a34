/* The dashboard's charts (Chart.js, vendored): the targets' sparklines and the unit's trend from the JSON
   endpoint (/api/progress/, /api/indicators/), the founded/ended bars from the page's own data.
   Every figure is also on the page as text with its link; the charts only add the picture. */
(function () {
  "use strict";

  var STATUS_COLOURS = {
    achieved: "#1e6b35",
    on_track: "#2f7d9a",
    at_risk: "#b07a00",
    off_track: "#a3221b",
    no_data: "#8a929c",
    not_set: "#6b7480",
  };
  var KIND_COLOURS = { htx: "#0b3a66", qtdnd: "#4f7fb0", tht: "#2e8b57", lhhtx: "#b3261e" };

  function locale() {
    return document.documentElement.lang === "en" ? "en-GB" : "vi-VN";
  }

  function number(v) {
    return v === null || v === undefined ? "—" : Number(v).toLocaleString(locale(), { maximumFractionDigits: 2 });
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + url);
      return r.json();
    });
  }

  function sparkline(canvas, target) {
    var points = target.series.filter(function (p) { return p[1] !== null; });
    if (!points.length) {
      canvas.replaceWith(Object.assign(document.createElement("p"), { className: "sparkline-empty muted", textContent: "—" }));
      return;
    }
    var colour = STATUS_COLOURS[target.status] || "#0b3a66";
    new Chart(canvas, {
      type: "line",
      data: {
        labels: target.series.map(function (p) { return p[0]; }),
        datasets: [{ data: target.series.map(function (p) { return p[1]; }), borderColor: colour, backgroundColor: colour,
          borderWidth: 2, pointRadius: 1.5, spanGaps: true, tension: 0 }],
      },
      options: {
        responsive: false, animation: false,
        plugins: { legend: { display: false },
          tooltip: { displayColors: false, callbacks: { label: function (c) { return number(c.parsed.y); } } } },
        scales: { x: { display: false }, y: { display: false, grace: "10%" } },
      },
    });
    canvas.dataset.drawn = "1";
  }

  function sparklines() {
    document.querySelectorAll("[data-progress-src]").forEach(function (section) {
      getJSON(section.dataset.progressSrc).then(function (data) {
        var byId = {};
        data.targets.forEach(function (t) { byId[t.target_id] = t; });
        section.querySelectorAll("canvas.sparkline").forEach(function (canvas) {
          var t = byId[canvas.dataset.targetId];
          if (t) sparkline(canvas, t);
        });
        section.dataset.loaded = "1";
      }).catch(function (err) { section.dataset.loaded = "error"; console.warn(err); });
    });
  }

  function flows() {
    var canvas = document.getElementById("flows-chart");
    var source = document.getElementById("flows-data");
    if (!canvas || !source) return;
    var data = JSON.parse(source.textContent);
    var chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.years,
        datasets: data.datasets.map(function (ds) {
          var colour = KIND_COLOURS[ds.kind] || "#666";
          return { label: ds.label, data: ds.data, stack: ds.stack, links: ds.links,
            backgroundColor: ds.stack === "ended" ? colour + "66" : colour, borderColor: colour, borderWidth: 1 };
        }),
      },
      options: {
        maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        onHover: function (e, items) { e.native.target.style.cursor = items.length ? "pointer" : "default"; },
        onClick: function (e, items) {
          if (!items.length) return;
          var ds = chart.data.datasets[items[0].datasetIndex];
          window.location.href = ds.links[items[0].index];
        },
      },
    });
    canvas.dataset.drawn = "1";
  }

  function trend() {
    var section = document.querySelector("[data-trend-src]");
    var canvas = document.getElementById("trend-chart");
    if (!section || !canvas) return;
    getJSON(section.dataset.trendSrc).then(function (data) {
      var codes = [], names = {}, series = {};
      data.values.forEach(function (r) {
        if (!series[r.code]) { series[r.code] = {}; codes.push(r.code); names[r.code] = r.name; }
        series[r.code][r.year] = r.value;
      });
      var palette = ["#0b3a66", "#2e8b57", "#b07a00", "#4f7fb0", "#b3261e"];
      new Chart(canvas, {
        type: "line",
        data: {
          labels: data.years,
          datasets: codes.map(function (code, i) {
            return { label: names[code], data: data.years.map(function (y) { return series[code][y]; }),
              borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], tension: 0, spanGaps: true };
          }),
        },
        options: { maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
      canvas.dataset.drawn = "1";
    }).catch(function (err) { canvas.dataset.drawn = "error"; console.warn(err); });
  }

  function start() {
    if (typeof Chart === "undefined") return;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.locale = locale();
    sparklines();
    flows();
    trend();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
