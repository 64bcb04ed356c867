// plotly.js with only the trace types the dashboards and board packs draw (reports/charts.py):
// about a quarter of the full bundle's size. `make assets` bundles it with esbuild into
// static/vendor/plotly/plotly-collab.min.js, exposing the global `Plotly` as the full one does.
// A chart of any other type needs its module added here (tests/settings/test_assets.py checks).
/*! plotly.js, MIT License, Copyright 2012-2026 Plotly, Inc.: core (scatter), bar, heatmap, scatterpolar. */
"use strict";

const Plotly = require("plotly.js/lib/core");

Plotly.register([
  require("plotly.js/lib/bar"),
  require("plotly.js/lib/heatmap"),
  require("plotly.js/lib/scatterpolar"),
]);

module.exports = Plotly;
