// caselink: the series page's map (Leaflet), timeline (vis-timeline) and link chart
// (cytoscape + fcose). Data comes from the page's JSON data block; no inline script.
"use strict";

const BAND_COLOURS = { 1: "#7f0000", 5: "#d7301f", 10: "#fc8d59", 25: "#fdcc8a", 50: "#fef0d9" };

function seriesData() {
  const block = document.getElementById("series-data");
  return block ? JSON.parse(block.textContent) : null;
}

function drawSeriesMap(data) {
  const box = document.getElementById("series-map");
  if (!box || typeof L === "undefined" || !data.members.length) return;
  // No tile layer: nothing is fetched. Profile bands, outline, cases, homes and a scale bar.
  const map = L.map(box, { attributionControl: false });
  L.control.scale({ imperial: false }).addTo(map);
  const layers = [];
  for (const band of data.bands) {
    const layer = L.polygon(band.rings, {
      color: BAND_COLOURS[band.pct] || "#999",
      weight: 1,
      fillColor: BAND_COLOURS[band.pct] || "#999",
      fillOpacity: 0.45,
      fillRule: "evenodd",
      className: "profile-band band-" + band.pct,
    }).bindTooltip("first " + band.pct + "% of the search");
    layer.addTo(map);
    layers.push(layer);
  }
  if (data.outline.length >= 3) {
    L.polygon(data.outline, { color: "#1f4e9e", weight: 2, fill: false, dashArray: "4 4", className: "series-outline" }).addTo(map);
  }
  const points = [];
  for (const m of data.members) {
    points.push([m.lat, m.lon]);
    L.circleMarker([m.lat, m.lon], { radius: 7, weight: 2, color: "#16213a", fillColor: "#fff", fillOpacity: 1, className: "case-marker" })
      .bindTooltip(m.id, { permanent: true, direction: "right", className: "case-label" })
      .addTo(map);
  }
  for (const p of data.persons) {
    L.circleMarker([p.lat, p.lon], { radius: 5, weight: 2, color: "#1e7a3c", className: "person-home" })
      .bindTooltip(p.name + (p.hit === null ? " (outside the area)" : " (" + p.hit + "% of the area)"))
      .addTo(map);
  }
  if (data.peak) {
    L.circleMarker(data.peak, { radius: 4, color: "#000", weight: 1, className: "profile-peak" }).bindTooltip("profile peak").addTo(map);
  }
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    const div = L.DomUtil.create("div", "profile-legend");
    for (const pct of [1, 5, 10, 25, 50]) {
      const row = L.DomUtil.create("div", "", div);
      L.DomUtil.create("i", "band-" + pct, row);
      row.appendChild(document.createTextNode("first " + pct + "%"));
    }
    return div;
  };
  if (data.bands.length) legend.addTo(map);
  let bounds = L.latLngBounds(points);
  if (layers.length) bounds = bounds.extend(layers[0].getBounds());
  map.fitBounds(bounds.pad(0.1));
}

function drawSeriesTimeline(data) {
  const box = document.getElementById("series-timeline");
  if (!box || typeof vis === "undefined") return;
  const groups = [
    { id: "cases", content: "case window" },
    { id: "recorded", content: "recorded" },
    { id: "links", content: "links" },
    { id: "replay", content: "replay" },
  ];
  const items = [];
  for (const m of data.members) {
    const windowed = m.to && m.to !== m.from;
    items.push({
      id: "w:" + m.id,
      group: "cases",
      content: m.id,
      start: m.from,
      end: windowed ? m.to : undefined,
      type: windowed ? "range" : "point",
      className: "tl-window",
    });
    items.push({ id: "r:" + m.id, group: "recorded", content: m.id, start: m.recorded, type: "point", className: "tl-recorded" });
  }
  for (const l of data.links) {
    const day = l.raised.slice(0, 10);
    items.push({
      id: "a:" + l.id,
      group: "links",
      content: "alert " + day + " " + l.a + "~" + l.b,
      title: "alert raised " + l.raised + "; could have been raised " + l.linkable,
      start: l.raised,
      type: "point",
      className: "tl-alert",
    });
    if (l.linkable.slice(0, 10) !== day) {
      items.push({ id: "c:" + l.id, group: "links", content: "linkable " + l.a + "~" + l.b, start: l.linkable, type: "point", className: "tl-linkable" });
    }
  }
  // the day each link would have been raised had caselink been running (the stored replay)
  for (const r of data.replayed || []) {
    items.push({
      id: "p:" + r.a + "~" + r.b,
      group: "replay",
      content: "replay alert " + r.at.slice(0, 10) + " " + r.a + "~" + r.b,
      title: "the replay (no information from the future) raises this link on " + r.at + " (p = " + r.p.toFixed(2) + ")",
      start: r.at,
      type: "point",
      className: "tl-replay",
    });
  }
  // room either side so the last alert's label is not cut off at the edge
  const times = items.map(function (i) { return Date.parse(i.end || i.start); }).concat(items.map(function (i) { return Date.parse(i.start); }));
  const lo = Math.min.apply(null, times), hi = Math.max.apply(null, times);
  const pad = Math.max((hi - lo) * 0.25, 7 * 86400000);
  new vis.Timeline(box, items, groups, {
    stack: true, zoomable: true, margin: { item: 6 }, start: new Date(lo - pad / 4), end: new Date(hi + pad),
  });
}

function drawSeriesChart(data) {
  const box = document.getElementById("series-chart");
  if (!box || typeof cytoscape === "undefined") return;
  if (typeof cytoscapeFcose !== "undefined") cytoscape.use(cytoscapeFcose);
  const cy = cytoscape({
    container: box,
    elements: data.chart,
    style: [
      // labels too small to read at the current zoom are not drawn (cytoscape's advice for large graphs)
      { selector: "node", style: { label: "data(label)", "font-size": 10, "min-zoomed-font-size": 7, "background-color": "#8893a8", width: 18, height: 18 } },
      { selector: "node[kind = 'case']", style: { "background-color": "#1f4e9e", shape: "round-rectangle", width: 34, height: 22, color: "#1d2330" } },
      { selector: "node[kind = 'person']", style: { "background-color": "#1e7a3c", shape: "ellipse" } },
      { selector: "node[kind = 'address']", style: { "background-color": "#9a6400", shape: "diamond" } },
      { selector: "node[kind = 'phone']", style: { "background-color": "#6a3d9a", shape: "triangle" } },
      { selector: "node[kind = 'vehicle']", style: { "background-color": "#a33a2b", shape: "hexagon" } },
      { selector: "edge", style: { width: 1, "line-color": "#b9c0cc", "curve-style": "bezier", "min-zoomed-font-size": 7 } },
      { selector: "edge[kind = 'mention']", style: { label: "data(label)", "font-size": 8, color: "#5d6677" } },
      { selector: "edge[kind = 'link']", style: { width: "mapData(p, 0, 1, 1, 9)", "line-color": "#a33a2b", label: "data(label)", "font-size": 9 } },
      { selector: ".faded", style: { display: "none" } },
    ],
    maxZoom: 1.6,
    layout: { name: typeof cytoscapeFcose !== "undefined" ? "fcose" : "cose", animate: false, randomize: false, padding: 40 },
  });
  box.cytoscape = cy;
  const slider = document.getElementById("p-slider");
  const shown = document.getElementById("p-value");
  function applySlider() {
    const min = parseFloat(slider.value);
    shown.textContent = min.toFixed(2);
    cy.batch(function () {  // one redraw for the whole change, not one per edge
      cy.edges("[kind = 'link']").forEach(function (e) {
        e.toggleClass("faded", e.data("p") < min);
      });
    });
  }
  if (slider) {
    slider.addEventListener("input", applySlider);
    applySlider();  // a chart drawn again (htmx swap) starts at the slider's current value
  }
  cy.on("tap", "node", function (evt) {
    const keep = evt.target.closedNeighborhood();
    cy.batch(function () {
      cy.elements().not(keep).addClass("faded");
      keep.removeClass("faded");
    });
    cy.fit(keep, 40);
  });
  cy.on("dbltap", "node", function (evt) {
    const href = evt.target.data("href");
    if (href) window.location.assign(href);
  });
  const reset = document.getElementById("chart-reset");
  if (reset) reset.addEventListener("click", function () {
    cy.batch(function () { cy.elements().removeClass("faded"); });
    if (slider) applySlider();
    cy.fit(undefined, 20);
  });
  const png = document.getElementById("chart-png");
  if (png) png.addEventListener("click", function () {
    const link = document.createElement("a");
    link.href = cy.png({ full: true, bg: "#ffffff" });
    link.download = data.series_id + ".png";
    link.click();
  });
}

function drawSeries() {
  const data = seriesData();
  if (!data) return;
  drawSeriesMap(data);
  drawSeriesTimeline(data);
  drawSeriesChart(data);
}

document.addEventListener("DOMContentLoaded", drawSeries);
document.addEventListener("htmx:afterSwap", function (evt) {
  if (evt.target && evt.target.querySelector && evt.target.querySelector("#series-data")) drawSeries();
});
