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

// Above this many elements the chart switches to its large-graph settings (cytoscape's
// performance advice): straight "haystack" edges, labels only once zoomed in and none on
// mentions, one device pixel per CSS pixel, and a cached texture without edges while
// panning or zooming. The server places a large chart's nodes (every node comes with its
// position: service/chart_layout.py, whose LARGE_CHART this mirrors; a test checks they
// agree), so the browser draws them where they are instead of running fcose at opening.
const LARGE_CHART = 1000;

function chartStyle(large) {
  // labels too small to read at the current zoom are not drawn (cytoscape's advice for large
  // graphs); a large chart draws them only once zoomed in past its overview (about 1.2x)
  const minFont = large ? 12 : 7;
  return [
    { selector: "node", style: { label: "data(label)", "font-size": 10, "min-zoomed-font-size": minFont, "background-color": "#8893a8", width: 18, height: 18 } },
    { selector: "node[kind = 'case']", style: { "background-color": "#1f4e9e", shape: "round-rectangle", width: 34, height: 22, color: "#1d2330" } },
    { selector: "node[kind = 'person']", style: { "background-color": "#1e7a3c", shape: "ellipse" } },
    { selector: "node[kind = 'address']", style: { "background-color": "#9a6400", shape: "diamond" } },
    { selector: "node[kind = 'phone']", style: { "background-color": "#6a3d9a", shape: "triangle" } },
    { selector: "node[kind = 'vehicle']", style: { "background-color": "#a33a2b", shape: "hexagon" } },
    { selector: "edge", style: { width: 1, "line-color": "#b9c0cc", "curve-style": large ? "haystack" : "bezier", "min-zoomed-font-size": minFont } },
    // a large chart's overview leaves the roles on mentions unlabelled (1,000 labels to place
    // and measure on every redraw); its focus view (a small chart) shows them
    { selector: "edge[kind = 'mention']", style: { label: large ? "" : "data(label)", "font-size": 8, color: "#5d6677" } },
    { selector: "edge[kind = 'link']", style: { width: "mapData(p, 0, 1, 1, 9)", "line-color": "#a33a2b", label: "data(label)", "font-size": 9 } },
    // a link under the probability slider: hidden but kept in place (visibility, not display),
    // so the overview's bounds and drawing order stay as they are and the redraw is cheaper
    { selector: ".below", style: { visibility: "hidden" } },
  ];
}

function placed(elements) {
  // every node comes with its position (the server laid the chart out)
  return elements.length > 0 && elements.every(function (e) { return e.data.source !== undefined || e.position; });
}

// Space around the chart at its opening view, and around a placed node's centre (half the
// widest node) when that view is computed from the nodes' positions.
const PADDING = 40;
const NODE_MARGIN = 20;
const MAX_ZOOM = 1.6;

function chartLayout(large, elements) {
  if (placed(elements)) return { name: "preset", fit: false };
  const name = typeof cytoscapeFcose !== "undefined" ? "fcose" : "cose";
  if (!large) return { name: name, animate: false, randomize: false, padding: PADDING };
  // (a large chart without positions) fcose's spectral start, then a shorter refinement
  // (less initial energy: fewer iterations) with centre-to-centre repulsion
  return {
    name: name, animate: false, randomize: true, quality: "default", uniformNodeDimensions: true,
    initialEnergyOnIncremental: 0.05, padding: PADDING,
  };
}

function placedView(elements, box) {
  // The opening view of a placed chart, from its nodes' positions: what cy.fit would show,
  // without first computing every element's style and bounding box (cy.fit's way, about
  // a third of the opening at 2,000 elements). null if the box has no size.
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const e of elements) {
    if (!e.position) continue;
    x0 = Math.min(x0, e.position.x); x1 = Math.max(x1, e.position.x);
    y0 = Math.min(y0, e.position.y); y1 = Math.max(y1, e.position.y);
  }
  x0 -= NODE_MARGIN; y0 -= NODE_MARGIN; x1 += NODE_MARGIN; y1 += NODE_MARGIN;
  const w = box.clientWidth, h = box.clientHeight;
  const zoom = Math.min(MAX_ZOOM, (w - 2 * PADDING) / (x1 - x0), (h - 2 * PADDING) / (y1 - y0));
  if (!(zoom > 0) || !isFinite(zoom)) return null;
  return { zoom: zoom, pan: { x: (w - zoom * (x0 + x1)) / 2, y: (h - zoom * (y0 + y1)) / 2 } };
}

function newChart(container, elements, large, layout, view) {
  return cytoscape(Object.assign({
    container: container,
    elements: elements,
    style: chartStyle(large),
    maxZoom: MAX_ZOOM,
    pixelRatio: large ? 1 : "auto",
    textureOnViewport: large,
    hideEdgesOnViewport: large,
    motionBlur: false,
    layout: layout,
  }, view || {}));
}

function drawSeriesChart(data) {
  const box = document.getElementById("series-chart");
  if (!box || typeof cytoscape === "undefined") return;
  if (typeof cytoscapeFcose !== "undefined") cytoscape.use(cytoscapeFcose);
  const large = data.chart.length > LARGE_CHART;
  box.dataset.size = large ? "large" : "normal";
  let layout = chartLayout(large, data.chart);
  // "Show all" returns to the view the chart opened with: a placed chart's, computed here
  const home = layout.name === "preset" ? placedView(data.chart, box) : null;
  if (layout.name === "preset" && !home) layout = { name: "preset", fit: true, padding: PADDING };
  box.dataset.layout = layout.name;
  const cy = newChart(box, data.chart, large, layout, home);
  box.cytoscape = cy;
  // The focus view: a node's neighbourhood drawn by a second, small chart laid over the
  // overview, so the overview (all elements) is neither restyled nor redrawn on the way in
  // or out.
  const pane = document.createElement("div");
  pane.className = "chart-focus";
  if (getComputedStyle(box).position === "static") box.style.position = "relative";
  Object.assign(pane.style, { position: "absolute", left: "0", top: "0", right: "0", bottom: "0", zIndex: "2", background: "#fff", display: "none" });
  box.appendChild(pane);
  let focus = null;
  box.focusView = function () { return pane.style.display === "none" ? null : focus; };

  const slider = document.getElementById("p-slider");
  const shown = document.getElementById("p-value");
  const links = cy.edges("[kind = 'link']");
  function threshold() { return slider ? parseFloat(slider.value) : 0; }
  function applyThreshold(edges, min) {
    // restyle only the links whose side of the threshold changed, in one batch (one redraw)
    const flip = edges.filter(function (e) { return (e.data("p") < min) !== e.hasClass("below"); });
    if (flip.nonempty()) edges.cy().batch(function () { flip.toggleClass("below"); });
  }
  function applySlider() {
    const min = threshold();
    if (shown) shown.textContent = min.toFixed(2);
    applyThreshold(links, min);
    if (focus) applyThreshold(focus.edges("[kind = 'link']"), min);
  }
  if (slider) {
    slider.addEventListener("input", applySlider);
    applySlider();  // a chart drawn again (htmx swap) starts at the slider's current value
  }

  function expand(id) {
    const keep = cy.getElementById(id).closedNeighborhood();
    // copies: cytoscape keeps the objects it is given, and the overview's must not move
    const elements = keep.map(function (e) {
      const at = e.isNode() ? { x: e.position("x"), y: e.position("y") } : undefined;
      return { group: e.group(), data: Object.assign({}, e.data()), position: at };
    });
    pane.style.display = "block";
    if (!focus) {
      focus = newChart(pane, elements, false, { name: "preset", fit: false });
      focus.on("tap", "node", function (evt) { expand(evt.target.id()); });
      focus.on("dbltap", "node", openNode);
    } else {
      focus.batch(function () { focus.elements().remove(); focus.add(elements); });
      focus.resize();
    }
    applyThreshold(focus.edges("[kind = 'link']"), threshold());
    focus.fit(undefined, PADDING);
  }
  function openNode(evt) {
    const href = evt.target.data("href");
    if (href) window.location.assign(href);
  }
  cy.on("tap", "node", function (evt) { expand(evt.target.id()); });
  cy.on("dbltap", "node", openNode);

  const reset = document.getElementById("chart-reset");
  if (reset) reset.addEventListener("click", function () {
    pane.style.display = "none";
    if (home) viewIfMoved(cy, home);
    else fitIfMoved(cy, PADDING);
  });
  const png = document.getElementById("chart-png");
  if (png) png.addEventListener("click", function () {
    const link = document.createElement("a");
    link.href = (box.focusView() || cy).png({ full: true, bg: "#ffffff" });
    link.download = data.series_id + ".png";
    link.click();
  });
}

function viewIfMoved(cy, view) {
  // setting the viewport redraws every element: only if the view changed
  const now = cy.pan();
  if (Math.abs(cy.zoom() - view.zoom) > 1e-6 * view.zoom || Math.abs(now.x - view.pan.x) > 0.5 || Math.abs(now.y - view.pan.y) > 0.5) {
    cy.viewport({ zoom: view.zoom, pan: { x: view.pan.x, y: view.pan.y } });
  }
}

function fitIfMoved(cy, padding) {
  // cy.fit redraws every element even when the view does not change: fit only if it would
  const bb = cy.elements().boundingBox();
  if (!bb.w || !bb.h) return;
  const w = cy.width(), h = cy.height();
  const zoom = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), Math.min((w - 2 * padding) / bb.w, (h - 2 * padding) / bb.h)));
  const pan = { x: (w - zoom * (bb.x1 + bb.x2)) / 2, y: (h - zoom * (bb.y1 + bb.y2)) / 2 };
  const now = cy.pan();
  if (Math.abs(cy.zoom() - zoom) > 1e-6 * zoom || Math.abs(now.x - pan.x) > 0.5 || Math.abs(now.y - pan.y) > 0.5) cy.fit(undefined, padding);
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
