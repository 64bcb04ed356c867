// plotly.js with only the trace types and components the dashboards and board packs draw
// (reports/charts.py): `make assets` bundles it with esbuild into
// static/vendor/plotly/plotly-collab.min.js, exposing the global `Plotly` as the full one does.
//
// This is plotly.js's own src/core.js (which lib/core uses) less the components no chart
// here uses: 3D annotations, selections, layout images, update menus, sliders, range sliders
// and selectors, and the subplot grid. A component left out is not drawn (plotly skips
// unregistered components) and its module is neither parsed nor run on a cold page: 80 KB
// less script (its gain in time to the charts is within the noise: bench/RESULTS.md). A chart that needs another trace type or component
// needs its module added here (tests/settings/test_assets.py checks both).
/*! plotly.js, MIT License, Copyright 2012-2026 Plotly, Inc.: core (scatter), bar, heatmap, scatterpolar. */
"use strict";

exports.version = require("plotly.js/src/version").version;

require("native-promise-only");
// Not build/plotcss: its rules are in our stylesheet (static/scss/_plotly.scss), so the
// bundle does not build and insert 66 style rules on every cold page.

const Registry = require("plotly.js/src/registry");
const register = (exports.register = Registry.register);

const plotApi = require("plotly.js/src/plot_api");
for (const name of Object.keys(plotApi)) {
  // _ -> private API methods, but still registered for internal use
  if (name.charAt(0) !== "_") exports[name] = plotApi[name];
  register({ moduleType: "apiMethod", name, fn: plotApi[name] });
}

// scatter is the one trace type plotly's core includes
register(require("plotly.js/src/traces/scatter"));

register([
  require("plotly.js/src/components/annotations"), // the pair page's "← B higher" labels
  require("plotly.js/src/components/shapes"), // add_vline: the gaps chart's zero line
  require("plotly.js/src/components/errorbars"), // confidence intervals (error_x)
  require("plotly.js/src/components/colorscale"),
  require("plotly.js/src/components/colorbar"), // heatmaps' keys
  // legend after shapes, fx after legend, as in plotly's core: their defaults depend on them
  require("plotly.js/src/components/legend"),
  require("plotly.js/src/components/fx"), // hover labels, click events
  require("plotly.js/src/components/modebar"), // zoom, reset and our PNG download button
]);

// locales en and en-US are required for default behaviour
register([require("plotly.js/src/locale-en"), require("plotly.js/src/locale-en-us")]);

register([
  require("plotly.js/lib/bar"),
  require("plotly.js/lib/heatmap"),
  require("plotly.js/lib/scatterpolar"),
]);

// plot icons (charts.js's download button uses the camera)
exports.Icons = require("plotly.js/src/fonts/ploticon");

const Fx = require("plotly.js/src/components/fx");
const Plots = require("plotly.js/src/plots/plots");

exports.Plots = {
  resize: Plots.resize,
  graphJson: Plots.graphJson,
  sendDataToCloud: Plots.sendDataToCloud,
};
exports.Fx = {
  hover: Fx.hover,
  unhover: Fx.unhover,
  loneHover: Fx.loneHover,
  loneUnhover: Fx.loneUnhover,
};
exports.Snapshot = require("plotly.js/src/snapshot");
exports.PlotSchema = require("plotly.js/src/plot_api/plot_schema");
