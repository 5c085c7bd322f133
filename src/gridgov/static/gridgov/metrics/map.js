// The grid map (metrics:map): the grids filled by the chosen figure, open events as points.
// Data: the GeoJSON FeatureCollection the page holds in #grid-map-data (properties.kind "grid"
// or "event"); colours are CSS classes named by the server. Tiles come from the installation's
// own server (data-tiles, GRIDGOV_MAP_TILE_URL); without one the map still fits and shows the
// boundaries and points on a plain background.
(function () {
  "use strict";
  var box = document.getElementById("grid-map");
  var dataNode = document.getElementById("grid-map-data");
  if (!box || !dataNode || typeof L === "undefined") return;
  var data = JSON.parse(dataNode.textContent);
  var grids = [], villages = [], events = [];
  var kinds = { grid: grids, village: villages, event: events };
  data.features.forEach(function (f) {
    if (kinds[f.properties.kind]) kinds[f.properties.kind].push(f);
  });

  var map = L.map(box, { attributionControl: !!box.dataset.attribution, zoomSnap: 0.25 });
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution || "" }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);

  // Popups are built from DOM nodes and text, never from HTML strings: names are user data.
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function link(href, text, className) {
    var a = el("a", className, text);
    a.href = href;
    return a;
  }

  function gridPopup(p) {
    var root = el("div", "map-popup");
    root.appendChild(el("div", "map-popup-title", p.name));
    if (p.village) root.appendChild(el("div", "muted", p.village));
    var value = el("div", "map-popup-value");
    value.appendChild(document.createTextNode((box.dataset.figure || "") + ":"));
    value.appendChild(p.url ? link(p.url, p.display) : el("strong", "", p.display));
    if (p.unit) value.appendChild(document.createTextNode(" " + p.unit));
    if (p.value === null) value.appendChild(el("span", "muted", "(无从计算)"));
    root.appendChild(value);
    if (p.parts && p.parts.length) {
      var parts = el("div", "map-popup-parts");
      p.parts.forEach(function (part, i) {
        if (i) parts.appendChild(document.createTextNode(" ÷ "));
        parts.appendChild(link(part.url, part.label + " " + part.display));
      });
      root.appendChild(parts);
    }
    root.appendChild(link(p.grid_url, "打开网格", "map-popup-open"));
    return root;
  }

  function eventPopup(p) {
    var root = el("div", "map-popup");
    root.appendChild(el("div", "map-popup-title", p.title));
    root.appendChild(el("div", "muted", p.code));
    root.appendChild(el("div", "", p.state + (p.overdue ? " · 已超期" : "")));
    root.appendChild(link(p.url, "打开事件", "map-popup-open"));
    return root;
  }

  var hover = window.matchMedia && window.matchMedia("(hover: hover)").matches;
  var byId = {};
  var gridLayer = L.geoJSON(grids, {
    style: function (f) {
      return { className: "map-grid " + f.properties.css, color: "#37424d", weight: 1, opacity: 0.85, fillOpacity: 0.75 };
    },
    onEachFeature: function (f, layer) {
      var p = f.properties;
      byId[p.id] = layer;
      layer.bindPopup(function () { return gridPopup(p); }, { maxWidth: 280 });
      if (hover) {
        layer.bindTooltip(p.name + ":" + p.display + (p.unit ? " " + p.unit : ""), { sticky: true, direction: "top" });
      }
    }
  }).addTo(map);

  // Village outlines over the grids; clicks go through to the grid below.
  var villageLayer = L.geoJSON(villages, {
    style: { className: "map-village", color: "#1f2933", weight: 2.5, opacity: 0.9, fill: false },
    interactive: false
  }).addTo(map);

  var pointLayer = L.layerGroup(events.map(function (f) {
    var p = f.properties, c = f.geometry.coordinates;
    return L.circleMarker([c[1], c[0]], {
      radius: 5, weight: 1.5, fillOpacity: 0.95,
      className: "map-point" + (p.overdue ? " overdue" : "")
    }).bindPopup(function () { return eventPopup(p); });
  })).addTo(map);

  var overlays = { "网格着色": gridLayer };
  if (villages.length) overlays["村(社区)界"] = villageLayer;
  if (events.length) overlays["在办事件"] = pointLayer;
  if (Object.keys(overlays).length > 1) {
    // Open beside a wide map; a button on a phone, where the map is narrow.
    L.control.layers(null, overlays, { collapsed: box.clientWidth < 600 }).addTo(map);
  }

  // Fit the boundaries; without any, the points; without either, the whole country.
  var bounds = gridLayer.getBounds();
  if (!bounds.isValid() && events.length) {
    bounds = L.latLngBounds(events.map(function (f) {
      return [f.geometry.coordinates[1], f.geometry.coordinates[0]];
    }));
  }
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [10, 10], maxZoom: 17 });
  } else {
    map.setView([35, 105], 4);
  }

  // The table's "在地图上查看": show the grid and open its popup.
  document.querySelectorAll(".map-locate").forEach(function (button) {
    var layer = byId[button.dataset.grid];
    if (!layer) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      box.scrollIntoView({ behavior: "smooth", block: "center" });
      map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 16 });
      layer.openPopup(layer.getBounds().getCenter());
    });
  });
})();
