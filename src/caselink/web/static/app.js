// caselink: the little JavaScript the pages need (no inline script anywhere: the CSP forbids it).
"use strict";

function escapeHtml(text) {
  // Leaflet shows attributions as HTML: the configured text is shown as text.
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

function drawCaseMap() {
  const box = document.getElementById("case-map");
  if (!box || typeof L === "undefined") return;
  const lat = parseFloat(box.dataset.lat);
  const lon = parseFloat(box.dataset.lon);
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return;
  // No tile layer unless an administrator configured one for the user's force (the CSP then
  // allows that one origin); otherwise nothing is fetched: a point, a 500 m ring, a scale bar.
  const tiles = box.dataset.tilesUrl;
  const map = L.map(box, { attributionControl: Boolean(tiles) }).setView([lat, lon], 14);
  if (tiles) {
    map.attributionControl.setPrefix(false);
    L.tileLayer(tiles, { maxZoom: 19, attribution: escapeHtml(box.dataset.tilesAttribution || "") })
      .addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  L.circle([lat, lon], { radius: 500, weight: 1, fill: false }).addTo(map);
  L.circleMarker([lat, lon], { radius: 7, weight: 2 })
    .bindTooltip(box.dataset.label || "", { permanent: true, direction: "right" })
    .addTo(map);
}

document.addEventListener("DOMContentLoaded", drawCaseMap);
