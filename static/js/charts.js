// Draw every chart on the page from the figure JSON the server put in a json_script tag.
// No inline scripts: the Content-Security-Policy forbids them.
/* global Plotly */

const IMAGE_WIDTH = 1200;
const TITLE_HEIGHT = 110; // room above the chart for the title, round, n and source
const KEY_LINE_HEIGHT = 20; // each line of the short-name key below the subtitle
const KEY_LINE_LENGTH = 150; // characters: about the image's width at 14 px

const CONFIG = {
  displaylogo: false,
  responsive: true,
  // plotly's own camera button saves the bare plot; ours (below) adds what a board needs.
  modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "toImage"],
};

// plotly reads chart text as a little HTML: names such as "Health & Care" must be escaped.
function escapeText(text) {
  return (text || "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// The figure of a downloaded PNG: the chart as drawn, with a title block that says what it
// is, which round, who it counts and where it comes from. The key (legend or colour bar)
// is part of every figure already.
// "NHFT = Northshire Hospitals NHS Foundation Trust; NGPF = …" broken into lines that fit.
export function keyLines(key) {
  const lines = [];
  for (const entry of (key || "").split("; ").filter(Boolean)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + entry.length + 2 <= KEY_LINE_LENGTH) {
      lines[last] = `${lines[last]}; ${entry}`;
    } else {
      lines.push(entry);
    }
  }
  return lines;
}

export function imageFigure(element) {
  const { imageTitle, imageSubtitle, imageSource, imageKey } = element.dataset;
  // Charts label organisations by short names; the image names each one in full.
  const key = keyLines(imageKey);
  const titleHeight = TITLE_HEIGHT + KEY_LINE_HEIGHT * key.length;
  const layout = JSON.parse(JSON.stringify(element.layout));
  const margin = { ...layout.margin };
  // The top margin as plotly finally drew it (legends above the plot widen it).
  const drawnTop = (element._fullLayout && element._fullLayout.margin.t) || margin.t || 0;
  margin.t = drawnTop + titleHeight;
  layout.margin = margin;
  layout.width = IMAGE_WIDTH;
  layout.height = (layout.height || element.clientHeight) + titleHeight;
  layout.title = {
    text: `<b>${escapeText(imageTitle)}</b>`,
    font: { size: 20 },
    x: 0.01,
    xanchor: "left",
    xref: "container",
    y: 0.99,
    yanchor: "top",
    yref: "container",
    subtitle: {
      text: [imageSubtitle, imageSource, ...key].map(escapeText).join("<br>"),
      font: { size: 14 },
    },
  };
  return { data: element.data, layout };
}

export async function downloadImage(element) {
  const figure = imageFigure(element);
  const url = await Plotly.toImage(figure, {
    format: "png",
    width: figure.layout.width,
    height: figure.layout.height,
    scale: 2,
  });
  const link = document.createElement("a");
  link.href = url;
  link.download = `${element.dataset.filename || "chart"}.png`;
  document.body.append(link);
  link.click();
  link.remove();
}

function showScrollHint(element) {
  const hint = document.getElementById(`${element.id}-scroll-hint`);
  const scroller = element.parentElement;
  if (hint) hint.hidden = scroller.scrollWidth <= scroller.clientWidth;
}

function draw(element) {
  const source = document.getElementById(element.dataset.plotly);
  if (!source) return;
  const figure = JSON.parse(source.textContent);
  // A matrix keeps cells wide enough for its figures; its container scrolls instead.
  if (element.dataset.minWidth) element.style.minWidth = `${element.dataset.minWidth}px`;
  Plotly.newPlot(element, figure.data, figure.layout, {
    ...CONFIG,
    modeBarButtonsToAdd: [
      {
        name: "Download PNG with title and key",
        icon: Plotly.Icons.camera,
        click: () => downloadImage(element),
      },
    ],
  }).then(() => {
    if (element.dataset.minWidth) {
      showScrollHint(element);
      window.addEventListener("resize", () => showScrollHint(element));
    }
    // Cells that carry a link (the fit matrix) open it when clicked.
    element.on("plotly_click", (event) => {
      const point = event.points[0];
      const data = point && point.customdata;
      const link = Array.isArray(data) ? data[0] : data;
      if (typeof link === "string" && link.startsWith("/")) window.location.assign(link);
    });
    element.dataset.drawn = "true";
  });
}

for (const element of document.querySelectorAll("[data-plotly]")) {
  draw(element);
}

for (const button of document.querySelectorAll("[data-download-chart]")) {
  button.hidden = false;
  button.addEventListener("click", () => {
    downloadImage(document.getElementById(button.dataset.downloadChart));
  });
}

// A table wider than a phone scrolls inside its box; keyboard users need to reach it too.
function focusableWhenScrolling(box) {
  const scrolls = box.scrollWidth > box.clientWidth;
  if (scrolls && !box.hasAttribute("tabindex")) {
    const caption = box.querySelector("caption");
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
  }
}

for (const box of document.querySelectorAll(".app-table-scroll")) {
  focusableWhenScrolling(box);
  window.addEventListener("resize", () => focusableWhenScrolling(box));
}
