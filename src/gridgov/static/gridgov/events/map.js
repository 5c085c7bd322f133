// The event page's map: the grid boundary and the event's point. Tiles come from the
// installation's own server (GRIDGOV_MAP_TILE_URL); without one the map still shows both.
(function () {
  "use strict";
  var box = document.getElementById("event-map");
  if (!box || typeof L === "undefined") return;
  var lat = parseFloat(box.dataset.lat), lng = parseFloat(box.dataset.lng);
  // A view first: vector layers need one before they can be drawn.
  var map = L.map(box, { attributionControl: !!box.dataset.attribution }).setView([lat, lng], 16);
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution || "" }).addTo(map);
  }
  var boundaryNode = document.getElementById("grid-boundary");
  var boundary = boundaryNode ? JSON.parse(boundaryNode.textContent) : null;
  var layer = null;
  if (boundary) {
    layer = L.geoJSON(boundary, { style: { color: "#b3261e", weight: 2, fillOpacity: 0.08 } }).addTo(map);
  }
  L.circleMarker([lat, lng], { radius: 8, color: "#1d5fa8", fillOpacity: 0.8 }).addTo(map);
  if (layer) {
    var bounds = layer.getBounds();
    bounds.extend(L.latLng(lat, lng));
    map.fitBounds(bounds, { padding: [16, 16] });
  }
})();
