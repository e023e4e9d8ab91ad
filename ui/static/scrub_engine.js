// The run in the browser: the engine's update map with the engine's own arithmetic.
//
// Each optimizer repeats what bernoulli/engine/optimize.py asks of torch, operation by operation:
// the gradient as autograd forms it (the summed or mean loss, in p or in θ = logit p), the
// curvature Newton takes from autograd's second pass, and the updates of torch.optim's SGD
// (plain and heavy-ball) and Adam, whose CPU kernels fuse a multiply and an add (fma). In
// float32 every operation is rounded with Math.fround, as torch rounds it; in float64 it is
// the double arithmetic itself. Minibatch SGD draws batches on the server: here it is the
// full-batch run (its mean step). The outcome is classified by the account's rules
// (bernoulli/teach/account.py).
//
// No DOM here: the preview (scrub.js) and the tests call `previewRun(problem, settings)`, and
// scrub.js asks `parameterization(param)` what differs between p and θ; scrub_libm.js (glibc's
// expf and pow) comes first.

const ADAM_BETA2 = 0.999;
const ADAM_EPS = 1e-8;
const TAIL = 200; // the final points periods and chaos are read from (bernoulli/teach/account.py)
const MAX_PERIOD = 16;
const CHAOS_EXPONENT = 0.005;
const PREVIEW_STEPS = 1000;

function arithmetic(dtype) {
  if (dtype === "float32") {
    const r = Math.fround;
    // a·b + c rounded once, as torch's fused kernels do: a float32 product is exact in a
    // double, so the sum rounds twice (to double, then float32), which differs from one
    // rounding only where the double lands exactly on a float32 tie.
    return { r, fma: (a, b, c) => r(a * b + c), eps: 2 ** -23 };
  }
  return { r: (x) => x, fma: (a, b, c) => a * b + c, eps: 2 ** -52 };
}

function sigmoidOf(dtype) {
  // torch's CPU sigmoid of one value: 1 / (1 + exp(-x)), each operation in the dtype, with
  // glibc's expf for float32 (scrub_libm.js); float64 takes the browser's exp (within an ulp).
  if (dtype === "float32") {
    const r = Math.fround;
    return (x) => r(1 / r(1 + expf(-x)));
  }
  return (x) => 1 / (1 + Math.exp(-x));
}

function sigmoid64(t) {
  // bernoulli.engine.likelihood.sigmoid: no overflow on either side.
  const e = Math.exp(-Math.abs(t));
  return t >= 0 ? 1 / (1 + e) : e / (1 + e);
}

// The run's parameter x: p itself (param "p") or θ = logit p (param "logit"), as
// bernoulli/engine/problem.py's Problem has it. All that differs between the two is in these
// two objects, and `parameterization` is the one place that picks one; the rest of the preview
// (here and in scrub.js) calls their members and never asks which it has:
//
//   symbol                     "p" or "θ": the x of dNLL/dx
//   bounded                    x is p, which a run leaves by stepping out of [0, 1]
//                              (Problem.reach: (0, 1)); θ is any real
//   toX(p), toP(x)             the change of parameter, in float64 (Problem.to_x, to_p)
//   fromDp(dp, p)              dNLL/dx from dNLL/dp at p (dp/dθ = p(1 − p))
//   total(w, c)                the summed NLL torch computes at w, in the run's dtype
//   derivatives(w, c, newton)  dNLL/dw and (for Newton) d²NLL/dw², as autograd's first and
//                              second passes form them, in the run's dtype
//   curvature(x, problem)      d²NLL/dx² of the summed NLL, float64 closed form (likelihood.py)
//   newtonRatio(x, problem)    g·H′/H² in x, float64 (account.newton_slope)
//
// (c: the run's constants; w: the parameter in the run's dtype.)
const IN_P = {
  symbol: "p",
  bounded: true,
  toX: (p) => p,
  toP: (x) => x,
  fromDp: (dp) => dp,
  total(w, c) {
    const { r } = c.a;
    return -r(r(c.K * r(Math.log(w))) + r(c.NK * r(Math.log(r(1 - w)))));
  },
  derivatives(w, c, newton) {
    const { r } = c.a;
    const u = r(1 - w);
    const a = r(c.gk / w); // grad·k through log(w): (−seed·k) / w
    const bu = r(c.gnk / u); // (−seed·(n − k)) / (1 − w), then negated by 1 − w
    const g = r(a - bu);
    if (!newton) return [g, 0];
    return [g, r(-r(a / w) - r(bu / u))];
  },
  curvature(x, { n, k }) {
    const ones = k === 0 ? 0 : k / (x * x);
    const zeros = n - k === 0 ? 0 : (n - k) / ((1 - x) * (1 - x));
    return ones + zeros;
  },
  newtonRatio(x, { n, k }) {
    const g = -k / x + (n - k) / (1 - x);
    const h = k / x ** 2 + (n - k) / (1 - x) ** 2;
    const h3 = (-2 * k) / x ** 3 + (2 * (n - k)) / (1 - x) ** 3;
    return (g * h3) / h ** 2;
  },
};

const IN_LOGIT = {
  symbol: "θ",
  bounded: false,
  toX: (p) => Math.log(p) - Math.log1p(-p),
  toP: sigmoid64,
  fromDp: (dp, p) => dp * p * (1 - p),
  total(w, c) {
    const { r } = c.a;
    const softplus = (x) => r(Math.max(0, x) + r(Math.log1p(r(Math.exp(-Math.abs(x))))));
    return r(r(c.K * softplus(-w)) + r(c.NK * softplus(w)));
  },
  derivatives(w, c, newton) {
    const { r } = c.a;
    const s = c.sig(w);
    const sMinus = c.sig(-w);
    const ones = r(c.kf * sMinus); // k·softplus(−θ) gives −k·σ(−θ)
    const zeros = r(c.nkf * s);
    const g = r(zeros - ones);
    if (!newton) return [g, 0];
    return [g, r(r(ones * s) + r(zeros * sMinus))];
  },
  curvature(x, { n }) {
    return n * sigmoid64(x) * sigmoid64(-x);
  },
  newtonRatio(x, { n, k }) {
    const sig = sigmoid64(x);
    return ((n * sig - k) * (1 - 2 * sig)) / (n * sig * (1 - sig));
  },
};

// The parameterization a run's `param` names: IN_P for "p", IN_LOGIT for "logit".
function parameterization(param) {
  return param === "p" ? IN_P : IN_LOGIT;
}

// The loss torch computes at w (finite or not is what matters: a run stops where it is not).
function lossAt(w, c) {
  const { r } = c.a;
  const total = c.par.total(w, c);
  return c.mean ? r(total / c.N) : total;
}

function constants(problem, s) {
  const a = arithmetic(s.dtype);
  const { r } = a;
  const mean = s.loss === "mean";
  const N = r(problem.n);
  const seed = mean ? r(1 / N) : 1; // the loss's own gradient: 1, or 1/n for the mean
  const K = r(problem.k);
  const NK = r(problem.n - problem.k);
  return {
    a,
    par: parameterization(s.param),
    mean,
    N,
    K,
    NK,
    gk: -r(seed * K),
    gnk: -r(seed * NK),
    kf: r(seed * K),
    nkf: r(seed * NK),
    sig: sigmoidOf(s.dtype),
  };
}

function stepper(s, c) {
  const { r, fma } = c.a;
  const lr = r(s.lr);
  if (s.optimizer === "momentum") {
    const beta = r(s.beta);
    let buf = null;
    return (w, g) => {
      buf = buf === null ? g : r(r(buf * beta) + g);
      return fma(-lr, buf, w);
    };
  }
  if (s.optimizer === "adam") {
    const w1 = r(1 - s.beta);
    const b2 = r(ADAM_BETA2);
    const v2 = r(1 - ADAM_BETA2);
    const eps = r(ADAM_EPS);
    let m = 0;
    let v = 0;
    let t = 0;
    return (w, g) => {
      t += 1;
      const d = r(g - m);
      m = Math.abs(w1) < 0.5 ? fma(w1, d, m) : fma(-d, r(1 - w1), g);
      v = fma(r(v2 * g), g, r(v * b2)); // addcmul_: (value·g)·g + v
      // Python floats in torch.optim.Adam: glibc's pow, bit for bit (scrub_libm.js).
      const stepSize = s.lr / (1 - powInt(s.beta, t));
      const bias2 = powHalf(1 - powInt(ADAM_BETA2, t));
      const denom = r(r(r(Math.sqrt(v)) / r(bias2)) + eps);
      return r(w + r(r(r(-stepSize) * m) / denom)); // addcdiv_: (value·m)/denom + w
    };
  }
  if (s.optimizer === "newton") {
    return (w, g, h) => r(w - r(r(lr * g) / h));
  }
  return (w, g) => fma(-lr, g, w); // gradient descent; minibatch SGD previewed full-batch
}

/**
 * The run of `settings` on `problem` ({n, k}), at most PREVIEW_STEPS steps.
 * Returns x (the parameter at each step), p (float64), the status, the step it stopped at,
 * and the outcome (see classify).
 */
function previewRun(problem, settings) {
  const s = settings;
  const c = constants(problem, s);
  const steps = Math.min(s.steps, PREVIEW_STEPS);
  const newton = s.optimizer === "newton";
  const { par } = c;
  const step = stepper(s, c);
  const x0 = par.toX(s.p0);
  let w = c.a.r(x0);
  const x = [];
  const grads = [];
  let divergedAt = -1;
  for (let t = 0; t <= steps; t += 1) {
    const loss = lossAt(w, c);
    const p = par.toP(w);
    x.push(w);
    if (!(Number.isFinite(loss) && Number.isFinite(w) && p >= 0 && p <= 1)) {
      divergedAt = t;
      break;
    }
    if (t === steps) break;
    const [g, h] = par.derivatives(w, c, newton);
    grads.push(g);
    w = step(w, g, h);
  }
  const p = x.map(par.toP);
  const run = { x, p, grads, divergedAt, steps, of: s.steps };
  return { ...run, ...classify(problem, s, run) };
}

function mle(problem) {
  return problem.k / problem.n;
}

// Curvature of the NLL in the run's parameter, float64 closed form (likelihood.py).
function curvature(problem, s, x) {
  const per = s.loss === "mean" ? 1 / problem.n : 1;
  return parameterization(s.param).curvature(x, problem) * per;
}

// Steps t where p_t − p̂ changed sign from t − 1, both farther than tol (account_words).
function crosses(p, from, to, pHat, tol) {
  for (let t = from + 1; t < to; t += 1) {
    const e0 = p[t - 1] - pHat;
    const e1 = p[t] - pHat;
    if (e0 * e1 < 0 && Math.abs(e0) > tol && Math.abs(e1) > tol) return true;
  }
  return false;
}

function smallestPeriod(tail, maxPeriod, tol) {
  const window = tail.length - maxPeriod;
  for (let q = 1; q <= maxPeriod; q += 1) {
    let worst = 0;
    for (let i = 0; i < window; i += 1) {
      const d = Math.abs(tail[maxPeriod + i] - tail[maxPeriod - q + i]);
      if (!(d <= worst)) worst = d; // (NaN counts as too far)
    }
    if (worst <= tol) return q;
  }
  return 0;
}

function drifting(tail) {
  for (const q of [1, 2, 4, 8]) {
    if (tail.length < 8 * q) break;
    const d = [];
    for (let i = q; i < tail.length; i += 1) d.push(tail[i] - tail[i - q]);
    const rows = Math.floor(d.length / q);
    let steady = true;
    for (let phase = 0; phase < q && steady; phase += 1) {
      let up = true;
      let down = true;
      for (let j = 0; j < rows; j += 1) {
        const v = d[j * q + phase];
        up = up && v > 0;
        down = down && v < 0;
      }
      steady = up || down;
    }
    if (steady) return true;
  }
  return false;
}

// Newton's map f(x) = x − lr·g/H has f' = 1 − lr·(1 − g·H'/H²) (account.newton_slope).
function newtonSlope(problem, s, x) {
  const ratio = parameterization(s.param).newtonRatio(x, problem);
  return 1 - s.lr * (1 - ratio);
}

// The Lyapunov exponent per step along the tail x (dynamics.lyapunov); null for Adam.
function lyapunov(problem, s, tail) {
  if (s.optimizer === "adam" || tail.length < 2 || !tail.every(Number.isFinite)) return null;
  let total = 0;
  if (s.optimizer === "newton") {
    for (let i = 0; i + 1 < tail.length; i += 1) {
      total += Math.log(Math.abs(newtonSlope(problem, s, tail[i])));
    }
    return total / (tail.length - 1);
  }
  if (s.optimizer !== "momentum") {
    for (let i = 0; i + 1 < tail.length; i += 1) {
      total += Math.log(Math.abs(1 - s.lr * curvature(problem, s, tail[i])));
    }
    return total / (tail.length - 1);
  }
  let a = 1;
  let b = 0;
  for (let i = 0; i + 1 < tail.length; i += 1) {
    const lrh = s.lr * curvature(problem, s, tail[i]);
    [a, b] = [(1 - lrh) * a - s.beta * b, lrh * a + s.beta * b];
    const norm = Math.hypot(a, b);
    total += Math.log(norm);
    a /= norm;
    b /= norm;
  }
  return total / (tail.length - 1);
}

/**
 * What the run did, by the account's rules (bernoulli/teach/account.py), in their order:
 * "escapes" at the step p left (0, 1) or a number stopped being finite (step 0: p0 is not
 * inside (0, 1)); "converges" or "zigzags" (|p − p̂| ≤ tol at the end, from `at`, after a sign
 * change of p − p̂ between two steps both farther than tol for "zigzags"); "stalls" (the
 * parameter stopped changing, from `at`); from the last 200 points: a "cycle" (p repeats with
 * a period 2 … 16 within max(tol/1000, 16 eps)), "chaos" (no period, still crossing p̂, not
 * drifting, Lyapunov exponent > 0.005 a step; never for Adam), else "on_its_way".
 */
function classify(problem, s, run) {
  const { x, p, divergedAt } = run;
  const pHat = mle(problem);
  const last = p.length - 1;
  const crossed = crosses(p, 0, divergedAt >= 0 ? divergedAt : p.length, pHat, s.tol);
  if (divergedAt >= 0) return { outcome: "escapes", at: divergedAt, crossed };
  let far = -1;
  for (let t = 0; t <= last; t += 1) if (!(Math.abs(p[t] - pHat) <= s.tol)) far = t;
  if (far < last) return { outcome: crossed ? "zigzags" : "converges", at: far + 1, crossed };
  if (last > 0 && x[last] === x[last - 1]) {
    let moved = 0;
    for (let t = 1; t <= last; t += 1) if (x[t] !== x[t - 1]) moved = t;
    return { outcome: "stalls", at: moved, crossed };
  }
  const tail = p.slice(-Math.min(TAIL, p.length));
  const longest = Math.min(MAX_PERIOD, Math.floor((tail.length - 1) / 2));
  if (longest >= 2) {
    const eps = s.dtype === "float32" ? 2 ** -23 : 2 ** -52;
    const q = smallestPeriod(tail, longest, Math.max(s.tol / 1000, 16 * eps));
    if (q >= 2) return { outcome: "cycle", at: null, period: q, crossed };
    const restless = crosses(tail, 0, tail.length, pHat, s.tol) && !drifting(tail);
    if (q === 0 && restless) {
      const exponent = lyapunov(problem, s, x.slice(-Math.min(TAIL, x.length)));
      const chaos = exponent !== null && exponent > CHAOS_EXPONENT;
      return { outcome: chaos ? "chaos" : "on_its_way", at: null, exponent, crossed };
    }
  }
  return { outcome: "on_its_way", at: null, crossed };
}
