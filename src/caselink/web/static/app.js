// caselink: the little JavaScript the pages need (no inline script anywhere: the CSP forbids it).
"use strict";

function drawCaseMap() {
  const box = document.getElementById("case-map");
  if (!box || typeof L === "undefined") return;
  const lat = parseFloat(box.dataset.lat);
  const lon = parseFloat(box.dataset.lon);
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return;
  // No tile layer: nothing is fetched; the point, a 500 m ring and a scale bar are drawn.
  const map = L.map(box, { attributionControl: false }).setView([lat, lon], 14);
  L.control.scale({ imperial: false }).addTo(map);
  L.circle([lat, lon], { radius: 500, weight: 1, fill: false }).addTo(map);
  L.circleMarker([lat, lon], { radius: 7, weight: 2 })
    .bindTooltip(box.dataset.label || "", { permanent: true, direction: "right" })
    .addTo(map);
}

document.addEventListener("DOMContentLoaded", drawCaseMap);
