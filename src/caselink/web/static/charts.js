// Vega-Lite charts of a page, from the JSON in #chart-specs, rendered by vega-embed with
// {ast: true}: Vega interprets its expressions instead of compiling them with Function(),
// so the strict CSP needs no 'unsafe-eval'. No default style, tooltip or actions menu
// (each would inject a <style> element, which the CSP refuses).
(function () {
  "use strict";
  function render() {
    var holder = document.getElementById("chart-specs");
    if (!holder || typeof vegaEmbed === "undefined") return;
    var specs = JSON.parse(holder.textContent);
    var options = { ast: true, actions: false, renderer: "svg", defaultStyle: false, tooltip: false };
    Object.keys(specs).forEach(function (name) {
      var target = document.getElementById("chart-" + name);
      if (!target) return;
      vegaEmbed(target, specs[name], options)
        .then(function () { target.setAttribute("data-rendered", "yes"); })
        .catch(function (error) {
          target.textContent = "The chart could not be drawn: " + error;
          target.setAttribute("data-rendered", "failed");
        });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
})();
