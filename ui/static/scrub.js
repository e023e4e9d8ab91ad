// The preview while dragging: the learning rate and the start p0 as two sliders, the run
// recomputed in the browser (scrub_engine.js) at every `input` event and drawn as a light SVG
// picture over the figure, and the value handed to the server once, on release, where torch
// runs it. The DOM is built once per mount and reused whenever `data` changes.

const PER_DECADE = 100; // the lr track's stops: 100 a decade of its log scale
const SVG = "http://www.w3.org/2000/svg";
const views = new WeakMap();

// The track spans data.lr_decades = [low, high] (log10 of the learning rate).
function lrOfStop(d, i) {
  return Number((10 ** (d.lr_decades[0] + i / PER_DECADE)).toPrecision(3));
}

function stopsOf(d) {
  return Math.round((d.lr_decades[1] - d.lr_decades[0]) * PER_DECADE);
}

function stopOfLr(d, lr) {
  const i = Math.round((Math.log10(lr) - d.lr_decades[0]) * PER_DECADE);
  return Math.min(stopsOf(d), Math.max(0, i));
}

function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e4) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1).replace("e+", "e");
}

// The p0 track's stops: a thousand by default, or what the page asks (a class's 0.01 grid).
function p0Stops(d) {
  return d.p0_stops ?? 1000;
}

function whole(n) {
  return n.toLocaleString("en-US");
}

function nll(p, d) {
  const per = d.loss === "mean" ? 1 / d.n : 1;
  const ones = d.k === 0 ? 0 : d.k * Math.log(p);
  const zeros = d.n - d.k === 0 ? 0 : (d.n - d.k) * Math.log1p(-p);
  return -(ones + zeros) * per;
}

// --- words ------------------------------------------------------------------------------

function words(run, d) {
  const hat = `p̂ = ${fmt(d.p_hat, 4)}`;
  const last = run.p[run.p.length - 1];
  const shown = run.steps < run.of ? ` (the first ${whole(run.steps)} of ${whole(run.of)} steps)` : "";
  const tolWords = `within ${fmt(d.tol)} of p̂`;
  switch (run.outcome) {
    case "escapes":
      if (run.at === 0) return `p0 = ${fmt(run.p[0], 4)} is not inside (0, 1): there is nothing to optimize.`;
      return `p leaves (0, 1) at step ${whole(run.at)}: p = ${fmt(last, 4)}.`;
    case "converges":
      return `p walks straight to ${hat}, ${tolWords} from step ${whole(run.at)}.`;
    case "zigzags":
      return `p zig-zags in to ${hat}, ${tolWords} from step ${whole(run.at)}.`;
    case "stalls":
      return `p stops at ${fmt(last, 6)} at step ${whole(run.at)}, short of ${hat}: its steps round away in ${d.dtype}.`;
    case "cycle":
      return `p settles into a cycle of period ${run.period} around ${hat}${shown}.`;
    case "chaos":
      return `p never settles: chaos (Lyapunov exponent ${fmt(run.exponent, 2)} a step)${shown}.`;
    default:
      return `p is still on its way to ${hat} after ${whole(run.steps)} steps (p = ${fmt(last, 6)})${shown}.`;
  }
}

function firstStepLimit(d, p0) {
  // Gradient descent in p leaves (0, 1) at step 1 from this lr on (advice.first_step_limit).
  const { bounded } = parameterization(d.param);
  if (!bounded || !["gd", "sgd", "momentum"].includes(d.optimizer)) return null;
  if (!(p0 > 0 && p0 < 1) || !d.interior) return null;
  const per = d.loss === "mean" ? 1 / d.n : 1;
  const g = (-d.k / p0 + (d.n - d.k) / (1 - p0)) * per;
  if (g === 0) return null;
  return g < 0 ? (1 - p0) / -g : p0 / g;
}

// --- the picture ------------------------------------------------------------------------

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function scale(lo, hi, a, b) {
  const span = hi - lo || 1;
  const to = (v) => a + ((v - lo) / span) * (b - a);
  to.invert = (u) => lo + ((u - a) / (b - a)) * span;
  return to;
}

// Steps on a square-root axis: the first few, where a run is decided, get room, and the
// axis is the same for every learning rate.
function stepScale(steps, box) {
  const root = Math.sqrt(Math.max(1, steps));
  return (t) => box.x + (Math.sqrt(t) / root) * box.w;
}

function panels(width, height) {
  const gap = 16;
  if (width >= 560) {
    const left = Math.round(width * 0.55);
    const half = (height - gap) / 2;
    return [
      { x: 54, y: 30, w: left - 70, h: height - 64 },
      { x: left + 48, y: 30, w: width - left - 60, h: half - 48 },
      { x: left + 48, y: half + gap + 30, w: width - left - 60, h: half - 48 },
    ];
  }
  const top = Math.round(height * 0.5);
  const rest = (height - top - gap) / 2;
  return [
    { x: 54, y: 30, w: width - 70, h: top - 64 },
    { x: 54, y: top + gap + 20, w: width - 70, h: rest - 40 },
    { x: 54, y: top + rest + 2 * gap + 20, w: width - 70, h: rest - 40 },
  ];
}

function frame(svg, box, title, xTicks, xs) {
  el("rect", { x: box.x, y: box.y, width: box.w, height: box.h, fill: "none", class: "axis" }, svg);
  el("text", { x: box.x, y: box.y - 8 }, svg).textContent = title;
  for (const [value, label] of xTicks) {
    el("text", { x: xs(value), y: box.y + box.h + 18, "text-anchor": "middle" }, svg).textContent =
      label;
  }
}

function polyline(points) {
  let text = "";
  for (const [x, y] of points) {
    if (Number.isFinite(x) && Number.isFinite(y)) text += `${text ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`;
  }
  return text;
}

// The window around p̂ and the start, the same whatever the learning rate: while the lr is
// dragged only the run changes, never the axes.
function around(d, p0) {
  const centre = d.interior ? d.p_hat : 0.5;
  const start = p0 > 0 && p0 < 1 ? p0 : centre;
  const w = Math.max(Math.abs(start - centre), 0.05) * 1.5;
  return [Math.max(0.001, centre - w), Math.min(0.999, centre + w), start];
}

function lossRange(d, p0) {
  const [left, right, start] = around(d, p0);
  const low = d.interior ? nll(d.p_hat, d) : Math.min(nll(left, d), nll(right, d));
  const high = Math.max(nll(left, d), nll(right, d), nll(start, d));
  const pad = (high - low) * 0.06 || 1;
  return [low - pad, high + pad];
}

function gradRange(d, p0) {
  const [left, right, start] = around(d, p0);
  const per = d.loss === "mean" ? 1 / d.n : 1;
  const { fromDp } = parameterization(d.param); // dNLL/dθ = dNLL/dp · p(1 − p)
  const g = (p) => fromDp((-d.k / p + (d.n - d.k) / (1 - p)) * per, p);
  const top = Math.max(Math.abs(g(left)), Math.abs(g(right)), Math.abs(g(start))) * 1.1 || 1;
  return [-top, top];
}

function drawCurve(svg, box, d, run, hidden, frameP0) {
  const ps = [];
  for (let i = 1; i < 480; i += 1) ps.push(i / 480);
  const [yLow, yHigh] = lossRange(d, frameP0);
  const [left, right] = around(d, frameP0);
  const xs = scale(left, right, box.x, box.x + box.w);
  const ys = scale(yLow, yHigh, box.y + box.h, box.y);
  const ticks = [left, (left + right) / 2, right].map((p) => [p, fmt(p, 2)]);
  frame(svg, box, `(a) the ${d.loss} NLL over p`, ticks, xs);
  const clip = el("clipPath", { id: "scrub-clip" }, svg);
  el("rect", { x: box.x, y: box.y, width: box.w, height: box.h }, clip);
  const inside = el("g", { "clip-path": "url(#scrub-clip)" }, svg);
  el("path", { class: "curve", d: polyline(ps.map((p) => [xs(p), ys(nll(p, d))])) }, inside);
  if (d.interior) el("circle", { class: "hat", cx: xs(d.p_hat), cy: ys(nll(d.p_hat, d)), r: 6 }, inside);
  const start = run.p[0];
  if (!hidden) {
    const trail = run.p.filter((p) => p >= 0 && p <= 1).map((p) => [xs(p), ys(nll(p, d))]);
    el("path", { class: "path", d: polyline(trail) }, inside);
    const last = run.p[run.p.length - 1];
    if (run.outcome === "escapes" && !(last >= 0 && last <= 1)) {
      const high = last > 1 || Number.isNaN(last);
      const cx = high ? box.x + box.w - 10 : box.x + 10;
      el("circle", { class: "escape", cx, cy: box.y + 14, r: 7 }, svg);
      const tx = high ? cx - 12 : cx + 12;
      const anchor = high ? "end" : "start";
      el("text", { x: tx, y: box.y + 19, "text-anchor": anchor }, svg).textContent =
        `p = ${fmt(last, 3)} at step ${whole(run.at)}`;
    } else if (last >= 0 && last <= 1) {
      el("circle", { class: "end", cx: xs(last), cy: ys(nll(last, d)), r: 5 }, inside);
    }
  }
  const handle = el("circle", { class: "start", r: 11, cx: xs(Math.min(right, Math.max(left, start))) }, svg);
  handle.setAttribute("cy", Number.isFinite(nll(start, d)) ? ys(nll(start, d)) : box.y + box.h);
  handle.setAttribute("aria-hidden", "true");
  return { handle, xs, box };
}

function drawSeries(svg, box, title, values, steps, range, escape) {
  const xs = stepScale(steps, box);
  const ticks = [0, 10, 100, 1000, 10000].filter((t) => t < steps * 0.8).map((t) => [t, whole(t)]);
  frame(svg, box, title, [...ticks, [steps, whole(steps)]], xs);
  const ys = scale(range[0], range[1], box.y + box.h, box.y);
  const id = `scrub-clip-${title.slice(1, 2)}`;
  const clip = el("clipPath", { id }, svg);
  el("rect", { x: box.x, y: box.y, width: box.w, height: box.h }, clip);
  const inside = el("g", { "clip-path": `url(#${id})` }, svg);
  el("path", { class: "series", d: polyline(values.map((v, t) => [xs(t), ys(v)])) }, inside);
  if (escape !== null) {
    const x = xs(escape);
    el("line", { class: "escape-line", x1: x, x2: x, y1: box.y, y2: box.y + box.h }, svg);
  }
}

function draw(view, run, d) {
  const { svg, picture } = view;
  const width = picture.clientWidth || 800;
  // As tall as the figure it covers, but within the screen: the whole picture in view.
  const room = window.innerHeight - picture.getBoundingClientRect().top - 12;
  const height = Math.round(Math.min(d.height, Math.max(300, room)));
  picture.style.height = `${height}px`;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  const boxes = panels(width, height);
  // The axes hold still while a slider or the start point is dragged (the start they had).
  const p0 = view.frameP0 ?? run.p[0];
  view.curve = drawCurve(svg, boxes[0], d, run, d.hidden, p0);
  if (d.hidden) return;
  const losses = run.p.map((p) => (p >= 0 && p <= 1 ? nll(p, d) : NaN));
  const wrt = parameterization(d.param).symbol;
  const escape = run.outcome === "escapes" ? run.at : null;
  const title = `(b) ${d.loss} NLL at step t (√ axis)`;
  drawSeries(svg, boxes[1], title, losses, run.steps, lossRange(d, p0), escape);
  const gradTitle = `(c) gradient dNLL/d${wrt} at step t`;
  drawSeries(svg, boxes[2], gradTitle, run.grads, run.steps, gradRange(d, p0), escape);
}

// --- the control --------------------------------------------------------------------------

function settingsOf(view) {
  const d = view.data;
  return { ...d, lr: view.lr, p0: view.p0, steps: d.steps };
}

// Never throws: a preview that cannot be drawn says so in its line instead.
function update(view) {
  try {
    redraw(view);
  } catch (error) {
    view.refs.words.hidden = false;
    view.refs.words.textContent = `The preview could not be drawn (${error.message}).`;
  }
}

function redraw(view) {
  const d = view.data;
  view.run = previewRun({ n: d.n, k: d.k }, settingsOf(view));
  const { refs } = view;
  refs.lrOut.textContent = fmt(view.lr);
  refs.p0Out.textContent = fmt(view.p0, 4);
  const open = view.dragging || view.pending !== null || view.pinned;
  const settled = !view.dragging && view.pending === null;
  const confirmed = settled && Boolean(d.confirm) && !d.hidden;
  refs.confirm.hidden = !confirmed;
  if (d.hidden) refs.words.textContent = d.hidden_text;
  else if (open) refs.words.textContent = `Preview: ${words(view.run, d)}`;
  refs.sgd.hidden = d.optimizer !== "sgd" || d.hidden || !open;
  const limit = firstStepLimit(d, view.p0);
  const hides = !d.hidden && limit !== null && limit < d.marks[0]?.lr;
  const why = hides
    ? `From p0 = ${fmt(view.p0, 4)} every lr ≥ ${fmt(limit, 2)} leaves (0, 1) at step 1: ` +
      "the zig-zag between 1/H and 2/H never shows."
    : "";
  refs.near.hidden = !hides;
  refs.near.title = why;
  refs.hint.textContent = why;
  refs.hint.hidden = !(hides && open);
  // Under the sliders only what a drag shows, torch's check, or what predicting first hides:
  // the figure keeps its place on the first screen.
  refs.words.hidden = !(open || d.hidden);
  refs.picture.hidden = !open;
  refs.pin.setAttribute("aria-pressed", String(view.pinned));
  if (open) draw(view, view.run, d);
}

function commit(view) {
  const token = `${Date.now()}-${Math.random()}`;
  const d = view.data;
  const run = previewRun({ n: d.n, k: d.k }, settingsOf(view));
  view.pending = token;
  const x = run.x.map((v) => (Number.isFinite(v) ? v : null));
  view.api.setTriggerValue("pick", {
    n: view.data.n,
    k: view.data.k,
    lr: view.lr,
    p0: view.p0,
    token,
    x,
    outcome: run.outcome,
    at: run.at,
    period: run.period ?? null,
    steps: run.steps,
  });
  update(view);
}

function marks(view) {
  const { refs, data } = view;
  refs.marks.replaceChildren();
  for (const mark of data.marks) {
    const frac = stopOfLr(data, mark.lr) / stopsOf(data);
    const node = document.createElement("span");
    node.className = "mark";
    node.style.left = `calc(8px + ${frac} * (100% - 16px))`;
    node.textContent = mark.label;
    refs.marks.appendChild(node);
  }
}

function startDrag(view) {
  view.dragging = true;
  view.frameP0 = view.p0;
  update(view);
}

function wire(view) {
  const { refs } = view;
  const release = () => {
    view.dragging = false;
    view.frameP0 = null;
  };
  refs.lr.addEventListener("input", () => {
    view.lr = lrOfStop(view.data, Number(refs.lr.value));
    update(view);
  });
  refs.p0.addEventListener("input", () => {
    view.p0 = Number(refs.p0.value) / p0Stops(view.data);
    update(view);
  });
  for (const input of [refs.lr, refs.p0]) {
    input.addEventListener("pointerdown", () => startDrag(view));
    input.addEventListener("pointerup", release);
    input.addEventListener("pointercancel", release);
    input.addEventListener("change", () => {
      release();
      commit(view);
    });
  }
  refs.pin.addEventListener("click", () => {
    view.pinned = !view.pinned;
    update(view);
  });
  refs.near.addEventListener("click", () => {
    view.p0 = view.data.near_p0;
    refs.p0.value = String(Math.round(view.p0 * p0Stops(view.data)));
    commit(view);
  });
  wireHandle(view);
}

function wireHandle(view) {
  // The start point on the curve drags p0 along it (pointer events: mouse, pen and touch).
  const { svg } = view;
  const toP0 = (event) => {
    const { xs, box } = view.curve;
    const rect = svg.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * svg.viewBox.baseVal.width;
    const p = xs.invert(x);
    const stops = p0Stops(view.data);
    return Math.round(Math.min(1 - 1 / stops, Math.max(1 / stops, p)) * stops) / stops;
  };
  svg.addEventListener("pointerdown", (event) => {
    if (!event.target.classList?.contains("start")) return;
    svg.setPointerCapture(event.pointerId);
    view.handleDrag = true;
    view.dragging = true;
    view.frameP0 = view.p0;
  });
  svg.addEventListener("pointermove", (event) => {
    if (!view.handleDrag) return;
    view.p0 = toP0(event);
    view.refs.p0.value = String(Math.round(view.p0 * p0Stops(view.data)));
    update(view);
  });
  const end = () => {
    if (!view.handleDrag) return;
    view.handleDrag = false;
    view.dragging = false;
    view.frameP0 = null;
    commit(view);
  };
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
}

function mount(parentElement, api) {
  const root = parentElement.querySelector(".scrub");
  const q = (selector) => root.querySelector(selector);
  const refs = {
    lr: q(".lr-input"),
    p0: q(".p0-input"),
    lrOut: q(".lr-value"),
    p0Out: q(".p0-value"),
    marks: q(".marks"),
    words: q(".words"),
    sgd: q(".sgd"),
    hint: q(".hint"),
    near: q(".near"),
    pin: q(".pin"),
    confirm: q(".confirm"),
    picture: q(".picture"),
  };
  const view = { refs, api, svg: q("svg"), picture: refs.picture, pinned: false };
  Object.assign(view, { dragging: false, handleDrag: false, pending: null, frameP0: null });
  wire(view);
  return view;
}

export default function (component) {
  const { data, parentElement } = component;
  let view = views.get(parentElement);
  if (!view) {
    view = mount(parentElement, component);
    views.set(parentElement, view);
  }
  view.api = component;
  view.data = data;
  // A rerun for an older release (a quick second press or drag) must not move the thumbs
  // back: the values follow the server once it has answered the last release.
  if (view.pending !== null && data.applied === view.pending) view.pending = null;
  if (!view.dragging && view.pending === null) {
    view.lr = data.lr;
    view.p0 = data.p0;
    view.refs.lr.max = String(stopsOf(data));
    view.refs.p0.max = String(p0Stops(data));
    view.refs.lr.value = String(stopOfLr(data, data.lr));
    view.refs.p0.value = String(Math.round(data.p0 * p0Stops(data)));
  }
  const { confirm } = view.refs;
  if (data.confirm) {
    confirm.textContent = data.confirm.text;
    confirm.dataset.ok = String(data.confirm.ok);
  }
  marks(view);
  update(view);
}
