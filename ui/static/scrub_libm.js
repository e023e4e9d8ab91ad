// Two functions of glibc 2.36's libm (x86-64, the FMA variants selected at run time), operation
// by operation, so the preview rounds as torch and Python do on the server:
//   expf(x)      float32 exp (std::exp(float) in torch's CPU sigmoid: 1 / (1 + exp(-x)));
//   powInt(x, t) double pow(x, t), Python's `beta ** t` in Adam's bias corrections;
//   powHalf(x)   double pow(x, 0.5), Python's `bias_correction2 ** 0.5`.
// Math.exp, Math.pow and Math.sqrt round some of these results differently (by an ulp), and one
// ulp in a step can move the whole run. The FMA variants fuse multiplies and adds (fma): each
// keeps its single rounding here (libmFma below, or an exact shortcut where a product is exact).
// The tables and constants are glibc's, read from its data.

const LIBM_F64 = new Float64Array(1);
const LIBM_U32 = new Uint32Array(LIBM_F64.buffer); // [low, high]: browsers' CPUs are little-endian
const LIBM_SPLIT = 134217729; // 2^27 + 1, Veltkamp's split into two 26-bit halves

// fma(a, b, c) = a·b + c rounded once (Boldo and Melquiond's emulation: the product and the sum
// split exactly into head and tail, the tails added rounding to odd, then one rounding to
// nearest). Exact for finite operands whose products stay clear of overflow and underflow.
function libmFma(a, b, c) {
  const p = a * b;
  let h = LIBM_SPLIT * a;
  const ah = h - (h - a);
  const al = a - ah;
  h = LIBM_SPLIT * b;
  const bh = h - (h - b);
  const bl = b - bh;
  const pl = ah * bh - p + ah * bl + al * bh + al * bl; // a·b = p + pl exactly
  const s = p + c;
  const sc = s - p;
  const sl = p - (s - sc) + (c - sc); // p + c = s + sl exactly
  let v = sl + pl;
  const vc = v - sl;
  const vl = sl - (v - vc) + (pl - vc); // sl + pl = v + vl exactly
  if (vl !== 0) {
    LIBM_F64[0] = v;
    if ((LIBM_U32[0] & 1) === 0) {
      // round to odd: step to the odd neighbour on vl's side
      if (vl > 0 === v > 0) LIBM_U32[0] += 1;
      else if (LIBM_U32[0] === 0) {
        LIBM_U32[0] = 0xffffffff;
        LIBM_U32[1] -= 1;
      } else LIBM_U32[0] -= 1;
      v = LIBM_F64[0];
    }
  }
  return s + v;
}

// LIBM_POW2[1022 + e] = 2^e for e in [-1022, 1023], exact: the tables' scales move by whole
// powers of two (glibc adds to the exponent bits).
const LIBM_POW2 = (() => {
  const p = new Float64Array(2046);
  p[1022] = 1;
  for (let e = 1; e <= 1023; e++) p[1022 + e] = 2 * p[1021 + e];
  for (let e = 1; e <= 1022; e++) p[1022 - e] = 0.5 * p[1023 - e];
  return p;
})();

// e_expf.c: x·32/ln2 = k + r, |r| <= 1/2, exp(x) = 2^(k/32) · (1 + C2·r + C1·r² + C0·r³).
// EXPF_2POW[i] = 2^(i/32), glibc's EXP2F table T[i] = asuint64(2^(i/32)) - (i << 47) plus i << 47.
const EXPF_2POW = [
  1, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237,
  1.0905077326652577, 1.1143867425958924, 1.1387886347566916, 1.1637248587775775,
  1.189207115002721, 1.215247359980469, 1.241857812073484, 1.2690509571917332,
  1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
  1.4142135623730951, 1.4451808069770467, 1.4768261459394993, 1.5091644275934228,
  1.5422108254079407, 1.5759808451078865, 1.6104903319492543, 1.645755478153965,
  1.681792830507429, 1.718619298122478, 1.7562521603732995, 1.7947090750031072,
  1.8340080864093424, 1.8741676341103, 1.9152065613971474, 1.9571441241754002,
];
const EXPF_INVLN2N = 46.16624130844683; // 32/ln2
const EXPF_INVLN2N_HI = 46.16624164581299; // its high 26 bits, so that HI·x is exact
const EXPF_INVLN2N_LO = -3.3736615989710117e-7;
const EXPF_C0 = 0.0000016938359250920212;
const EXPF_C1 = 0.00023459809789509004;
const EXPF_C2 = 0.021660849396613134;
const EXPF_SHIFT = 6755399441055744; // 1.5·2^52: adding it rounds to an integer
const EXPF_UP = 1 + 2 ** -40;
const EXPF_DOWN = 1 - 2 ** -40;

// glibc's expf(x) for a float32 x (a double holding a float32 value), as a float32 value.
function expf(x) {
  x = Math.fround(x); // what a C float argument would hold
  if (!(Math.abs(x) < 88)) {
    if (x === -Infinity) return 0;
    if (x !== x || x === Infinity) return x + x;
    if (x > 88.72283172607422) return Infinity; // above log(2^128)
    if (x < -103.97207641601562) return 0; // below log(2^-150)
    if (x < -103.27892303466797) return 1.401298464324817e-45; // below log(2^-149): 2^-149
  }
  // z = x·32/ln2 = zh + zl exactly (x has 24 bits: the product needs no split of x)
  const zh = EXPF_INVLN2N * x;
  const zl = EXPF_INVLN2N_HI * x - zh + EXPF_INVLN2N_LO * x;
  // kd = fma(32/ln2, x, SHIFT) - SHIFT: z rounded to an integer, ties (none occur) to even
  let kd = zh + EXPF_SHIFT - EXPF_SHIFT;
  const d = zh - kd;
  if (d === 0.5 && zl > 0) kd += 1;
  else if (d === -0.5 && zl < 0) kd -= 1;
  const r = zh - kd + zl; // fma(32/ln2, x, -kd): zh - kd is exact
  const s = EXPF_2POW[kd & 31] * LIBM_POW2[1022 + (kd >> 5)];
  // Unfused, ys is within a factor 1 ± 2^-50 of glibc's y·s: where 1 ± 2^-40 cannot move the
  // float32 rounding, that rounding is glibc's; elsewhere (2 in 10^5 or so) the fmas decide.
  const r2 = r * r;
  const ys = ((EXPF_C0 * r + EXPF_C1) * r2 + (EXPF_C2 * r + 1)) * s;
  const f = Math.fround(ys);
  if (Math.fround(ys * EXPF_UP) === f && Math.fround(ys * EXPF_DOWN) === f) return f;
  const y = libmFma(libmFma(EXPF_C0, r, EXPF_C1), r2, libmFma(EXPF_C2, r, 1));
  return Math.fround(y * s);
}

// e_pow.c: x^y = exp(y·log x), log x in double-double from POW_LOG_TAB and exp from
// POW_EXP_TAB (scrub_libm_tables.js).

const POW_OFF_HI = 0x3fe69555; // high word of OFF: the table's intervals start at 0x1.69555p-1
const POW_LN2HI = 0.6931471805598903;
const POW_LN2LO = 5.497923018708371e-14;
const POW_A1 = -0.6666666666666679;
const POW_A2 = 0.5000000000000007;
const POW_A3 = 0.7999999995323976;
const POW_A4 = -0.6666666663487739;
const POW_A5 = -1.142909628459501;
const POW_A6 = 1.0000415263675542;
const POW_INVLN2N = 184.6649652337873; // 128/ln2
const POW_INVLN2N_HI = 184.66496658325195; // its high 26 bits
const POW_INVLN2N_LO = -0.0000013494646395884047;
const POW_NEGLN2HIN = -0.005415212348111709;
const POW_NEGLN2LON = -1.2864023111638346e-14;
const POW_C2 = 0.49999999999996786;
const POW_C3 = 0.16666666666665886;
const POW_C4 = 0.0416666808410674;
const POW_C5 = 0.008333335853059549;
const POW_SHIFT = 6755399441055744;

// glibc's pow(x, y) for finite x > 0 and 2^-65 <= |y| < 2^63 (its other cases are left out).
function libmPow(x, y) {
  LIBM_F64[0] = x;
  let top = LIBM_U32[1];
  let sub = 0;
  if (top < 0x00100000) {
    // subnormal x: scaled into the normal range, its exponent corrected below
    LIBM_F64[0] = x * 4503599627370496;
    top = LIBM_U32[1];
    sub = 52;
  }
  const tmp = (top - POW_OFF_HI) | 0;
  const i = 3 * ((tmp >>> 13) & 127);
  const k = tmp >> 20;
  const z = LIBM_F64[0] * LIBM_POW2[1022 - k]; // x·2^-k, in [0x1.69555p-1, 0x1.69555p+0)
  const kd = k - sub;
  const invc = POW_LOG_TAB[i];
  // log x = k·ln2 + log c + log1p(r), r = z/c - 1. Where a product is exact in a double (few
  // bits in a factor) or its rounding error is asked for, the fma needs no general emulation.
  const zp = z * invc;
  let h = LIBM_SPLIT * z;
  const zh = h - (h - z);
  const r = zp - 1 + (zh * invc - zp + (z - zh) * invc); // fma(z, invc, -1): invc has 8 bits
  const t1 = kd * POW_LN2HI + POW_LOG_TAB[i + 1]; // fma: ln2hi has 42 bits, |k| < 2^11
  const t2 = r + t1;
  const lo1 = libmFma(kd, POW_LN2LO, POW_LOG_TAB[i + 2]);
  const lo2 = t1 - t2 + r;
  const ar = r * -0.5;
  const ar2 = r * ar;
  const ar3 = r * ar2;
  const hi = t2 + ar2;
  h = LIBM_SPLIT * r;
  const rh = h - (h - r);
  const rl = r - rh;
  const lo3 = rh * (-0.5 * rh) - ar2 + rh * (-0.5 * rl) + rl * (-0.5 * rh) + rl * (-0.5 * rl);
  const lo4 = t2 - hi + ar2;
  const q1 = libmFma(r, POW_A2, POW_A1);
  const q3 = libmFma(r, POW_A4, POW_A3);
  const q5 = libmFma(r, POW_A6, POW_A5);
  const q = libmFma(ar2, libmFma(q5, ar2, q3), q1);
  const lo = libmFma(ar3, q, lo1 + lo2 + lo3 + lo4);
  const lhi = hi + lo;
  const llo = hi - lhi + lo;
  // y·log x = ehi + elo; y·lhi - ehi exactly (y of at most 26 bits needs no split)
  const ehi = y * lhi;
  let err;
  if (y === Math.fround(y)) {
    h = LIBM_SPLIT * lhi;
    const lh = h - (h - lhi);
    err = lh * y - ehi + (lhi - lh) * y;
  } else err = libmFma(y, lhi, -ehi);
  return libmExp(ehi, libmFma(y, llo, err));
}

// exp(x + xtail) as pow's exp_inline: x·128/ln2 = k + r, exp = 2^(k/128) · exp(r).
function libmExp(x, xtail) {
  const ax = Math.abs(x);
  let special = false;
  if (!(ax >= 5.551115123125783e-17 && ax < 512)) {
    if (ax < 5.551115123125783e-17) return 1 + x; // below 2^-54
    if (ax >= 1024) return x < 0 ? 0 : Infinity;
    special = true;
  }
  // k = fma(x, 128/ln2, SHIFT) - SHIFT: x·128/ln2 = zh + zl rounded to an integer (no ties)
  const zh = x * POW_INVLN2N;
  const h = LIBM_SPLIT * x;
  const xh = h - (h - x);
  const xl = x - xh;
  const zl =
    xh * POW_INVLN2N_HI - zh + xh * POW_INVLN2N_LO + xl * POW_INVLN2N_HI + xl * POW_INVLN2N_LO;
  let k = zh + POW_SHIFT - POW_SHIFT;
  const d = zh - k;
  if (d === 0.5 && zl > 0) k += 1;
  else if (d === -0.5 && zl < 0) k -= 1;
  let r = x + k * POW_NEGLN2HIN; // fma: ln2hi/128 has 36 bits, |k| < 2^17
  r = libmFma(k, POW_NEGLN2LON, r);
  r = xtail + r;
  const j = 2 * (k & 127);
  const r2 = r * r;
  let tmp = libmFma(libmFma(r, POW_C3, POW_C2), r2, r + POW_EXP_TAB[j]);
  tmp = libmFma(libmFma(r, POW_C5, POW_C4), r2 * r2, tmp);
  const e = k >> 7;
  if (!special) {
    const scale = POW_EXP_TAB[j + 1] * LIBM_POW2[1022 + e];
    return libmFma(tmp, scale, scale);
  }
  if (k > 0) {
    const scale = POW_EXP_TAB[j + 1] * LIBM_POW2[1022 + e - 1009];
    return libmFma(scale, tmp, scale) * LIBM_POW2[1022 + 1009];
  }
  // results near and below 2^-1022: rounded once to the subnormal precision
  const scale = POW_EXP_TAB[j + 1] * LIBM_POW2[1022 + e + 1022];
  const st = tmp * scale;
  let y = scale + st;
  if (Math.abs(y) < 1) {
    const one = y < 0 ? -1 : 1;
    const lo = scale - y + st;
    const hi = one + y;
    y = one - hi + y + lo + hi - one;
    if (y === 0) y = 0; // +0, the sign of the scale
  }
  return y * LIBM_POW2[0];
}

// glibc's pow(x, t) for 0 <= x < 1 and an integer 1 <= t < 2^63 (Python's `x ** t`); any finite
// x > 0 is computed as glibc does, and zero, negative or non-finite x is left to Math.pow.
function powInt(x, t) {
  if (!(x > 0) || x === Infinity) return Math.pow(x, t);
  return libmPow(x, t);
}

// glibc's pow(x, 0.5) for 0 < x <= 1 (Python's `x ** 0.5`): not always the correctly rounded
// Math.sqrt(x). Zero, negative or non-finite x is left to Math.pow.
function powHalf(x) {
  if (!(x > 0) || x === Infinity) return Math.pow(x, 0.5);
  return libmPow(x, 0.5);
}
