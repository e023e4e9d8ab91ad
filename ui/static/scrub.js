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
  view.scene = null; // the picture measured afresh once, when the drag starts
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
    view.scene = null;
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
