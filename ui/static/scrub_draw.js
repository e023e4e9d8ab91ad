// The preview's picture (read by scrub.js, in the same module): p on the NLL curve with its
// trail, and the loss and the gradient against the step, as plain SVG.

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
    // A tick at the panel's edge keeps its label inside it, clear of the picture's border.
    const x = xs(value);
    const anchor = x <= box.x + 0.5 ? "start" : x >= box.x + box.w - 0.5 ? "end" : "middle";
    el("text", { x, y: box.y + box.h + 18, "text-anchor": anchor }, svg).textContent = label;
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

// The picture's fixed parts (the frames, their ticks, the curve and p̂) are built once for a
// size, a start and the page's data; an input event only moves what the run changes: the
// trail, the two series, the end or escape marks and the start point.
function buildCurve(svg, box, d, frameP0) {
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
  const scene = { xs, ys, box, left, right };
  if (!d.hidden) {
    scene.trail = el("path", { class: "path" }, inside);
    scene.end = el("circle", { class: "end", r: 5, display: "none" }, inside);
    scene.escape = el("circle", { class: "escape", cy: box.y + 14, r: 7, display: "none" }, svg);
    scene.escapeText = el("text", { y: box.y + 19, display: "none" }, svg);
  }
  scene.handle = el("circle", { class: "start", r: 11, "aria-hidden": "true" }, svg);
  return scene;
}

function shown(node, visible) {
  if (visible) node.removeAttribute("display");
  else node.setAttribute("display", "none");
}

function paintCurve(scene, d, run) {
  const { xs, ys, box, left, right, handle } = scene;
  const start = run.p[0];
  handle.setAttribute("cx", xs(Math.min(right, Math.max(left, start))));
  handle.setAttribute("cy", Number.isFinite(nll(start, d)) ? ys(nll(start, d)) : box.y + box.h);
  if (d.hidden) return;
  const trail = run.p.filter((p) => p >= 0 && p <= 1).map((p) => [xs(p), ys(nll(p, d))]);
  scene.trail.setAttribute("d", polyline(trail));
  const last = run.p[run.p.length - 1];
  const inRange = last >= 0 && last <= 1;
  const escaped = run.outcome === "escapes" && !inRange;
  shown(scene.escape, escaped);
  shown(scene.escapeText, escaped);
  shown(scene.end, !escaped && inRange);
  if (escaped) {
    const high = last > 1 || Number.isNaN(last);
    const cx = high ? box.x + box.w - 10 : box.x + 10;
    scene.escape.setAttribute("cx", cx);
    scene.escapeText.setAttribute("x", high ? cx - 12 : cx + 12);
    scene.escapeText.setAttribute("text-anchor", high ? "end" : "start");
    scene.escapeText.textContent = `p = ${fmt(last, 3)} at step ${whole(run.at)}`;
  } else if (inRange) {
    scene.end.setAttribute("cx", xs(last));
    scene.end.setAttribute("cy", ys(nll(last, d)));
  }
}

function buildSeries(svg, box, title, steps, range) {
  const xs = stepScale(steps, box);
  const ticks = [0, 10, 100, 1000, 10000].filter((t) => t < steps * 0.8).map((t) => [t, whole(t)]);
  frame(svg, box, title, [...ticks, [steps, whole(steps)]], xs);
  const ys = scale(range[0], range[1], box.y + box.h, box.y);
  const id = `scrub-clip-${title.slice(1, 2)}`;
  const clip = el("clipPath", { id }, svg);
  el("rect", { x: box.x, y: box.y, width: box.w, height: box.h }, clip);
  const inside = el("g", { "clip-path": `url(#${id})` }, svg);
  const path = el("path", { class: "series" }, inside);
  const line = el("line", { class: "escape-line", y1: box.y, y2: box.y + box.h, display: "none" }, svg);
  return { xs, ys, path, line };
}

function paintSeries(series, values, escape) {
  const { xs, ys, path, line } = series;
  path.setAttribute("d", polyline(values.map((v, t) => [xs(t), ys(v)])));
  shown(line, escape !== null);
  if (escape !== null) {
    line.setAttribute("x1", xs(escape));
    line.setAttribute("x2", xs(escape));
  }
}

function build(svg, d, size, frameP0, steps) {
  svg.setAttribute("viewBox", `0 0 ${size.width} ${size.height}`);
  svg.replaceChildren();
  const boxes = panels(size.width, size.height);
  const scene = { data: d, size, curve: buildCurve(svg, boxes[0], d, frameP0) };
  if (!d.hidden) {
    const wrt = parameterization(d.param).symbol;
    const title = `(b) ${d.loss} NLL at step t (√ axis)`;
    scene.loss = buildSeries(svg, boxes[1], title, steps, lossRange(d, frameP0));
    const gradTitle = `(c) gradient dNLL/d${wrt} at step t`;
    scene.grad = buildSeries(svg, boxes[2], gradTitle, steps, gradRange(d, frameP0));
  }
  return scene;
}

// As tall as the figure it covers, but within the screen: the whole picture in view.
function measure(picture, d) {
  const width = picture.clientWidth || 800;
  const room = window.innerHeight - picture.getBoundingClientRect().top - 12;
  const height = Math.round(Math.min(d.height, Math.max(300, room)));
  picture.style.height = `${height}px`;
  return { width, height };
}

function draw(view, run, d) {
  // The axes hold still while a slider or the start point is dragged (the start they had).
  const p0 = view.frameP0 ?? run.p[0];
  // While dragging, the size the drag started with: reading it again would make the browser
  // lay the page out in the middle of every input event.
  const size = view.dragging && view.scene ? view.scene.size : measure(view.picture, d);
  const key = `${size.width}x${size.height} ${p0} ${run.steps} ${d.hidden}`;
  if (!view.scene || view.scene.data !== d || view.scene.key !== key) {
    view.scene = build(view.svg, d, size, p0, run.steps);
    view.scene.key = key;
  }
  const { scene } = view;
  view.curve = scene.curve;
  paintCurve(scene.curve, d, run);
  if (d.hidden) return;
  const losses = run.p.map((p) => (p >= 0 && p <= 1 ? nll(p, d) : NaN));
  const escape = run.outcome === "escapes" ? run.at : null;
  paintSeries(scene.loss, losses, escape);
  paintSeries(scene.grad, run.grads, escape);
}
