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

// plotly's axis automargin measures the tick labels after drawing the whole chart, then, if
// they need wider margins than the figure gives, draws the whole chart again (on a cold page,
// a fifth of the time to the charts). Measuring the labels first, with the same font on a
// canvas, and giving those margins lets plotly draw once. The estimate errs a pixel or two
// wide; where it cannot tell (an axis it does not model), plotly measures and redraws as before.
const LINE_SPACING = 1.3; // plotly's, in ems
const CAP_SHIFT = 0.7; // plotly's approxTitleDepth for a title with a standoff, in ems
const LABEL_GAP = 2; // px between an axis and its labels, rounded up
const SLACK = 1; // px: plotly rounds each push; rather a pixel wider than a redraw

let measurer;
function textWidth(text, font) {
  measurer = measurer || document.createElement("canvas").getContext("2d");
  measurer.font = `${font.size}px ${font.family}`;
  const lines = String(text).split(/<br\s*\/?>/i);
  return {
    width: Math.max(
      ...lines.map((line) => measurer.measureText(line.replace(/<[^>]*>/g, "")).width),
    ),
    lines: lines.length,
  };
}

// The labels a category or ticktext axis shows; null when plotly chooses them (numbers).
function axisLabels(figure, letter) {
  const axis = figure.layout[`${letter}axis`] || {};
  if (axis.ticktext) return axis.ticktext;
  if (axis.categoryarray) return axis.categoryarray;
  const labels = new Set();
  for (const trace of figure.data) {
    const values = trace[letter];
    if (!Array.isArray(values)) continue;
    for (const value of values) if (typeof value === "string") labels.add(value);
  }
  return labels.size ? [...labels] : null;
}

function titleDepth(axis, font, template) {
  const text = axis.title && axis.title.text;
  if (!text) return 0;
  const standoff = axis.title.standoff ?? (template.title || {}).standoff;
  const extraLines = (text.match(/<br\s*\/?>/gi) || []).length;
  if (standoff === undefined) return font.size * (extraLines + 1) * LINE_SPACING;
  return font.size * (CAP_SHIFT + extraLines * LINE_SPACING) + standoff;
}

export function presetMargins(figure) {
  const layout = figure.layout;
  const types = new Set(figure.data.map((trace) => trace.type || "scatter"));
  if (![...types].every((type) => ["bar", "heatmap", "scatter"].includes(type))) return;
  if (Object.keys(layout).some((key) => /^[xy]axis\d+$/.test(key))) return; // one plot only
  const templateLayout = (layout.template && layout.template.layout) || {};
  const font = { size: 12, family: '"Open Sans", verdana, arial, sans-serif', ...layout.font };
  const needed = {};
  for (const letter of ["x", "y"]) {
    const axis = layout[`${letter}axis`] || {};
    const template = templateLayout[`${letter}axis`] || {};
    if (!(axis.automargin ?? template.automargin)) continue;
    const side = axis.side || (letter === "x" ? "bottom" : "left");
    const angle = ((Number(axis.tickangle) || 0) * Math.PI) / 180;
    const labels = axisLabels(figure, letter);
    let depth;
    if (letter === "y" && side === "left" && !angle) {
      if (!labels && !axis.range) return; // numbers plotly picks: width unknown
      const shown = labels || axis.range.map((end) => String(Math.round(end)));
      depth = Math.max(...shown.map((label) => textWidth(label, font).width)) + LABEL_GAP;
    } else if (letter === "x" && (side === "bottom" || side === "top")) {
      const sized = (labels || ["0"]).map((label) => textWidth(label, font));
      const lineHeight = font.size * LINE_SPACING;
      depth = Math.max(
        ...sized.map(
          ({ width, lines }) =>
            width * Math.abs(Math.sin(angle)) + lines * lineHeight * Math.abs(Math.cos(angle)),
        ),
      ) + LABEL_GAP;
    } else {
      return; // an axis this does not model: plotly measures it
    }
    needed[side.charAt(0)] = depth + titleDepth(axis, font, template);
    // plotly's own ticks fall on round numbers: a range that ends on one (1 to 5) has its
    // last label centred on the plot's right edge, half outside it.
    const end = axis.range && !axis.tickvals && axis.range[1];
    const round = Number.isInteger(end) && end > 0 && end % 10 ** Math.floor(Math.log10(end)) === 0;
    if (letter === "x" && round) needed.r = textWidth(String(end), font).width / 2;
  }
  const margin = { l: 80, r: 80, t: 100, b: 80, ...layout.margin };
  const pad = (sides) => Math.min(12, sides.l, sides.r, sides.t, sides.b);
  const grown = { ...margin };
  for (const [side, depth] of Object.entries(needed)) {
    grown[side] = Math.max(margin[side], Math.ceil(depth + pad(margin) + SLACK));
  }
  // plotly pads each push by the least margin, capped at 12 px: wider margins, wider pad
  for (const side of Object.keys(needed)) {
    grown[side] = Math.max(grown[side], Math.ceil(needed[side] + pad(grown) + SLACK));
  }
  layout.margin = grown;
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
  presetMargins(figure);
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
