// The drain chart: connections left on the old address over time, as a step line in a small inline SVG, with
// the drain deadline as a vertical line when it falls inside the window shown.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 480;
const HEIGHT = 160;
const LEFT = 36;
const RIGHT = 12;
const TOP = 20;
const BOTTOM = 24;
const MIN_SPAN_MS = 30_000;

function svg(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/**
 * @param samples  [{t: epoch ms, remaining: n}] in time order
 * @param deadline epoch ms of the drain deadline, or NaN
 */
export function drainChart(samples, deadline) {
  const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img",
    "aria-label": "connections left on the old address over time" });
  if (samples.length === 0) {
    root.append(svg("text", { x: LEFT, y: HEIGHT / 2, class: "chart-empty" }, "waiting for the first count"));
    return root;
  }
  const start = samples[0].t;
  const last = samples[samples.length - 1].t;
  const span = Math.max(MIN_SPAN_MS, last - start);
  const peak = Math.max(1, ...samples.map((s) => s.remaining));
  const x = (t) => LEFT + ((t - start) / span) * (WIDTH - LEFT - RIGHT);
  const y = (n) => TOP + (1 - n / peak) * (HEIGHT - TOP - BOTTOM);

  root.append(svg("line", { x1: LEFT, y1: y(0), x2: WIDTH - RIGHT, y2: y(0), class: "chart-axis" }));
  root.append(svg("line", { x1: LEFT, y1: TOP, x2: LEFT, y2: y(0), class: "chart-axis" }));
  root.append(svg("text", { x: LEFT - 6, y: y(peak) + 4, class: "chart-label end" }, peak));
  root.append(svg("text", { x: LEFT - 6, y: y(0) + 4, class: "chart-label end" }, 0));
  root.append(svg("text", { x: LEFT, y: HEIGHT - 6, class: "chart-label" }, "0 s"));
  root.append(svg("text", { x: WIDTH - RIGHT, y: HEIGHT - 6, class: "chart-label end" },
    `${Math.round(span / 1000)} s`));
  if (Number.isFinite(deadline) && deadline >= start && deadline <= start + span) {
    root.append(svg("line", { x1: x(deadline), y1: TOP, x2: x(deadline), y2: y(0), class: "chart-deadline" }));
    root.append(svg("text", { x: x(deadline) - 4, y: TOP + 10, class: "chart-label end" }, "deadline"));
  }

  let points = `${x(samples[0].t)},${y(samples[0].remaining)}`;
  for (let i = 1; i < samples.length; i++) {
    points += ` ${x(samples[i].t)},${y(samples[i - 1].remaining)} ${x(samples[i].t)},${y(samples[i].remaining)}`;
  }
  root.append(svg("polyline", { points, class: "chart-line" }));
  const end = samples[samples.length - 1];
  root.append(svg("circle", { cx: x(end.t), cy: y(end.remaining), r: 3, class: "chart-dot" }));
  root.append(svg("text", { x: Math.min(x(end.t) + 6, WIDTH - RIGHT - 8), y: y(end.remaining) - 6,
    class: "chart-value", "data-remaining": end.remaining }, end.remaining));
  return root;
}
