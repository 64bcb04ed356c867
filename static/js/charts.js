// Draw every chart on the page from the figure JSON the server put in a json_script tag.
// No inline scripts: the Content-Security-Policy forbids them.
/* global Plotly */

const CONFIG = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
};

function draw(element) {
  const source = document.getElementById(element.dataset.plotly);
  if (!source) return;
  const figure = JSON.parse(source.textContent);
  const filename = element.dataset.filename || "chart";
  Plotly.newPlot(element, figure.data, figure.layout, {
    ...CONFIG,
    toImageButtonOptions: { format: "png", filename, scale: 2 },
  }).then(() => {
    // Cells that carry a link (the fit matrix) open it when clicked.
    element.on("plotly_click", (event) => {
      const link = event.points[0] && event.points[0].customdata;
      if (typeof link === "string" && link.startsWith("/")) window.location.assign(link);
    });
  });
}

for (const element of document.querySelectorAll("[data-plotly]")) {
  draw(element);
}

for (const button of document.querySelectorAll("[data-download-chart]")) {
  button.hidden = false;
  button.addEventListener("click", () => {
    const element = document.getElementById(button.dataset.downloadChart);
    Plotly.downloadImage(element, {
      format: "png",
      filename: element.dataset.filename || "chart",
      width: 1200,
      height: Math.max(500, element.clientHeight * 1.5),
      scale: 2,
    });
  });
}
