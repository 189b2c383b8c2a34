/* The choropleth map (Leaflet, vendored; no tiles, nothing fetched from elsewhere): the communes' shapes
   from /dashboard/map/data/, coloured by the indicator's value in five classes; click → the unit's page. */
(function () {
  "use strict";

  var PALETTE = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
  var NO_DATA = "#d9d9d9";

  function esc(text) {
    var span = document.createElement("span");
    span.textContent = text === null || text === undefined ? "" : String(text);
    return span.innerHTML;
  }

  function start() {
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") return;
    var locale = el.dataset.lang === "en" ? "en-GB" : "vi-VN";
    function number(v) {
      return v === null || v === undefined ? el.dataset.noData : Number(v).toLocaleString(locale, { maximumFractionDigits: 2 });
    }
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false });
    fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var bounds = data.classes;
        function colour(v) {
          if (v === null || v === undefined) return NO_DATA;
          for (var i = 0; i < bounds.length; i++) if (v <= bounds[i]) return PALETTE[Math.round(i * (PALETTE.length - 1) / Math.max(1, bounds.length - 1))];
          return PALETTE[PALETTE.length - 1];
        }
        var layer = L.geoJSON(data, {
          style: function (f) {
            return { fillColor: colour(f.properties.value), fillOpacity: 0.9, color: "#4a5360", weight: 1 };
          },
          onEachFeature: function (f, shape) {
            var p = f.properties;
            shape.bindTooltip("<strong>" + esc(p.name) + "</strong><br>" + esc(number(p.value) + " " + el.dataset.measure), { sticky: true });
            shape.on("click", function () { window.location.href = p.unit_url; });
            shape.on("mouseover", function () { shape.setStyle({ weight: 3, color: "#1b1f24" }); });
            shape.on("mouseout", function () { layer.resetStyle(shape); });
          },
        }).addTo(map);
        if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
        else map.setView([16, 106], 5);
        // The shapes exist once the map has a view: mark them for tests and assistive tools.
        layer.eachLayer(function (shape) {
          var path = shape.getElement && shape.getElement();
          if (path) { path.setAttribute("data-code", shape.feature.properties.code); path.setAttribute("data-testid", "commune-shape"); }
        });
        var legend = L.control({ position: "bottomright" });
        legend.onAdd = function () {
          var div = L.DomUtil.create("div", "map-legend");
          var html = "<strong>" + esc(data.indicator.name) + "</strong><br><small>" + esc(data.year) + " · " +
            esc(data.indicator.higher_is_better ? el.dataset.higher : el.dataset.lower) + "</small><ul>";
          var low = null;
          bounds.forEach(function (b, i) {
            var c = PALETTE[Math.round(i * (PALETTE.length - 1) / Math.max(1, bounds.length - 1))];
            html += '<li><span class="swatch" style="background:' + c + '"></span>' + esc(low === null ? "≤ " + number(b) : number(low) + " – " + number(b)) + "</li>";
            low = b;
          });
          html += '<li><span class="swatch" style="background:' + NO_DATA + '"></span>' + esc(el.dataset.noData) + "</li></ul>";
          div.innerHTML = html;
          div.setAttribute("data-testid", "map-legend");
          return div;
        };
        legend.addTo(map);
        el.dataset.loaded = "1";
      })
      .catch(function (err) { el.dataset.loaded = "error"; console.warn(err); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
