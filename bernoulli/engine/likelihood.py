"""The Bernoulli likelihood in closed form, in float64.

A sample of n values with k ones has, for p in (0, 1),

    NLL(p)   = -(k log p + (n - k) log(1 - p))            (the notebook's summed loss)
    NLL'(p)  = -k / p + (n - k) / (1 - p)
    NLL''(p) =  k / p^2 + (n - k) / (1 - p)^2

and the "mean" loss is the same divided by n. With the logit parameterization
p = sigmoid(theta), NLL(theta) = n softplus(theta) - k theta, whose gradient is
n sigmoid(theta) - k and whose curvature n p (1 - p) never exceeds n / 4.

Every function here is honest about the edges: outside [0, 1] the NLL is NaN (log of a
negative number), at p = 0 or 1 it is +inf unless no sample pulls that way, and an MLE on
the boundary (k = 0 or k = n) is reported as such instead of dividing by zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist

import numpy as np

Scale = str  # "sum" (the notebook) or "mean"


def _per(scale: Scale, n: int) -> float:
    if scale == "sum":
        return 1.0
    if scale == "mean":
        return 1.0 / n
    raise ValueError(f'loss scale must be "sum" or "mean", not {scale!r}')


def _xlog(count: float, x: np.ndarray, log=np.log) -> np.ndarray:
    """count * log(x), with 0 * log(0) = 0 (no sample pulls that way)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count == 0, 0.0, count * log(x))


def _out(p: np.ndarray, value: np.ndarray) -> np.ndarray:
    """NaN wherever p is outside [0, 1]: there the likelihood is not defined."""
    return np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, value)


def _ret(x: np.ndarray) -> float | np.ndarray:
    return float(x) if np.ndim(x) == 0 else x


def nll(p, n: int, k: int, scale: Scale = "sum"):
    """Negative log-likelihood of k ones in n Bernoulli(p) samples.

    Parameters
    ----------
    p : float or array_like
        Success probability; the NLL is finite on (0, 1), +inf at an edge that some sample
        rules out, NaN outside [0, 1].
    n, k : int
        Number of samples and number of ones, 0 <= k <= n, n >= 1.
    scale : {"sum", "mean"}
        Sum over samples (the notebook's loss) or its mean (divided by n).

    Returns
    -------
    float or ndarray
        -(k log p + (n - k) log(1 - p)) times 1 or 1/n.
    """
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        value = -(_xlog(k, p) + _xlog(n - k, -p, np.log1p)) * _per(scale, n)  # log(1 - p), exact
    return _ret(_out(p, value + 0.0))  # + 0.0: an NLL of zero is 0, not -0


def grad(p, n: int, k: int, scale: Scale = "sum"):
    """dNLL/dp = -k/p + (n - k)/(1 - p), on p in (0, 1); NaN outside [0, 1].

    Parameters
    ----------
    p : float or array_like
        Success probability.
    n, k : int
        Number of samples and number of ones.
    scale : {"sum", "mean"}
        Loss scale.

    Returns
    -------
    float or ndarray
        The derivative of :func:`nll` with respect to p (infinite at an edge some sample
        rules out).
    """
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # inf is the value
        ones = np.where(k == 0, 0.0, -k / p)
        zeros = np.where(n - k == 0, 0.0, (n - k) / (1.0 - p))
    return _ret(_out(p, (ones + zeros) * _per(scale, n)))


def curvature(p, n: int, k: int, scale: Scale = "sum"):
    """d²NLL/dp² = k/p² + (n - k)/(1 - p)², positive on (0, 1); NaN outside [0, 1].

    Parameters
    ----------
    p : float or array_like
        Success probability.
    n, k : int
        Number of samples and number of ones.
    scale : {"sum", "mean"}
        Loss scale.

    Returns
    -------
    float or ndarray
        The second derivative of :func:`nll` with respect to p.
    """
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ones = np.where(k == 0, 0.0, k / p**2)
        zeros = np.where(n - k == 0, 0.0, (n - k) / (1.0 - p) ** 2)
    return _ret(_out(p, (ones + zeros) * _per(scale, n)))


def sigmoid(theta):
    """p = 1 / (1 + exp(-theta)), computed without overflow."""
    theta = np.asarray(theta, dtype=np.float64)
    e = np.exp(-np.abs(theta))  # in (0, 1]: neither branch below overflows or warns
    return _ret(np.where(theta >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def logit(p):
    """theta = log(p / (1 - p)); ±inf at the edges, NaN outside [0, 1]."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _ret(np.log(p) - np.log1p(-p))


def nll_logit(theta, n: int, k: int, scale: Scale = "sum"):
    """NLL in the logit parameterization: n softplus(theta) - k theta.

    Parameters
    ----------
    theta : float or array_like
        Log-odds, any real number (p = sigmoid(theta) is always in (0, 1)).
    n, k : int
        Number of samples and number of ones.
    scale : {"sum", "mean"}
        Loss scale.

    Returns
    -------
    float or ndarray
        The same value as ``nll(sigmoid(theta), n, k, scale)``, computed stably.
    """
    theta = np.asarray(theta, dtype=np.float64)
    # As k softplus(-theta) + (n - k) softplus(theta): two terms >= 0, where n softplus(theta)
    # - k theta cancels to noise when k = n (or 0) and |theta| is large.
    with np.errstate(invalid="ignore"):  # NaN theta (a diverged run) gives NaN, quietly
        value = k * np.logaddexp(0.0, -theta) + (n - k) * np.logaddexp(0.0, theta)
    return _ret(value * _per(scale, n))


def grad_logit(theta, n: int, k: int, scale: Scale = "sum"):
    """dNLL/dtheta = n sigmoid(theta) - k (bounded by n in size)."""
    # As (n - k) p - k (1 - p), with 1 - p = sigmoid(-theta): exact when k = n or k = 0.
    theta = np.asarray(theta, dtype=np.float64)
    value = (n - k) * np.asarray(sigmoid(theta)) - k * np.asarray(sigmoid(-theta))
    return _ret(value * _per(scale, n))


def curvature_logit(theta, n: int, k: int, scale: Scale = "sum"):
    """d²NLL/dtheta² = n p (1 - p) with p = sigmoid(theta); at most n / 4."""
    theta = np.asarray(theta, dtype=np.float64)
    # 1 - p as sigmoid(-theta): 1 - sigmoid(theta) cancels to 0 for large theta.
    return _ret(n * np.asarray(sigmoid(theta)) * np.asarray(sigmoid(-theta)) * _per(scale, n))


def _log1p_minus_x(x: np.ndarray) -> np.ndarray:
    """log(1 + x) - x without cancellation: -x²/2 + x³/3 - ..., via u = x / (2 + x)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = np.log1p(x) - x
        u = x / (2.0 + x)
        u2 = u * u
        series = np.zeros_like(u)  # 2 (u³/3 + u⁵/5 + ...), |u| < 1/7 where used
        power = u * u2
        for j in range(3, 40, 2):
            series += 2.0 * power / j
            power = power * u2
        small = -2.0 * u2 / (1.0 - u) + series
    return np.where(np.abs(x) < 0.25, small, direct)


def excess_nll(p, n: int, k: int, scale: Scale = "sum") -> np.ndarray:
    """NLL(p) - NLL(p̂) to full relative precision, even where it is below NLL's rounding.

    With e = p - p̂ the first-order terms cancel exactly (k e/p̂ = (n - k) e/(1 - p̂) = n e), so
    NLL(p) - NLL(p̂) = -k φ(e/p̂) - (n - k) φ(-e/(1 - p̂)) with φ(x) = log(1 + x) - x <= 0: a sum
    of two non-negative terms.

    Parameters
    ----------
    p : float or array_like
        Success probability.
    n, k : int
        Number of samples and number of ones.
    scale : {"sum", "mean"}
        The summed NLL, or the mean (the sum divided by n).

    Returns
    -------
    ndarray
        The excess, >= 0; NaN outside [0, 1]; on the boundary (k = 0 or n) the plain
        difference.
    """
    p = np.asarray(p, dtype=np.float64)
    p_hat = k / n
    if k in (0, n):
        with np.errstate(invalid="ignore"):
            return np.asarray(nll(p, n, k, scale)) - float(nll(p_hat, n, k, scale))
    # p - k/n with k/n carried as float p̂ plus its rounding error, so that e is exact-ish
    # even where p - p̂ is only a few ulps.
    rounding = float(Fraction(k, n) - Fraction(p_hat))
    e = (p - p_hat) - rounding
    with np.errstate(invalid="ignore"):
        out = -k * _log1p_minus_x(e / p_hat) - (n - k) * _log1p_minus_x(-e / (1 - p_hat))
    out = np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, out)
    return out / n if scale == "mean" else out


def mle(n: int, k: int) -> float:
    """Closed-form maximum-likelihood estimate k / n (0 or 1 when on the boundary)."""
    _check_counts(n, k)
    return k / n


def on_boundary(n: int, k: int) -> bool:
    """True when the MLE is 0 or 1: the NLL then has no minimum inside (0, 1)."""
    _check_counts(n, k)
    return k == 0 or k == n


def standard_error(n: int, k: int) -> float:
    """Estimated standard error sqrt(p̂(1 - p̂)/n) of the MLE; 0 when the MLE is on the boundary."""
    p = mle(n, k)
    return math.sqrt(p * (1.0 - p) / n)


@dataclass(frozen=True)
class Interval:
    """A confidence interval for p."""

    name: str  # "Wald", "Wilson" or "likelihood ratio"
    low: float  # lower end (Wald's may fall below 0: it is shown as computed)
    high: float  # upper end (Wald's may exceed 1)
    note: str = ""  # what to keep in mind, e.g. a degenerate Wald interval at the boundary


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be in (0, 1), not {level}")
    return NormalDist().inv_cdf(0.5 + level / 2)


def wald_interval(n: int, k: int, level: float = 0.95) -> Interval:
    """p̂ ± z·SE; degenerate (width 0) when the MLE is on the boundary.

    Parameters
    ----------
    n, k : int
        Number of samples and number of ones.
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    Interval
        The Wald interval, not clipped to [0, 1].
    """
    p, se, z = mle(n, k), standard_error(n, k), _z(level)
    note = ""
    if on_boundary(n, k):
        note = "degenerate: the estimated standard error is 0 when k = 0 or k = n"
    elif p - z * se < 0 or p + z * se > 1:
        note = "reaches outside [0, 1]: the normal approximation is poor here"
    return Interval("Wald", p - z * se, p + z * se, note)


def wilson_interval(n: int, k: int, level: float = 0.95) -> Interval:
    """Wilson score interval: stays inside [0, 1] and is sensible at k = 0 or n.

    Parameters
    ----------
    n, k : int
        Number of samples and number of ones.
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    Interval
        The Wilson score interval.
    """
    p, z = mle(n, k), _z(level)
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = centre - half, centre + half
    # At k = 0 (or n) the exact lower (upper) end is 0 (1); rounding must not move it.
    return Interval("Wilson", 0.0 if k == 0 else low, 1.0 if k == n else high)


def _bisect(f, lo: float, hi: float) -> float:
    """Root of f on [lo, hi] where f(lo) and f(hi) differ in sign, to float64 resolution."""
    flo = f(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        fmid = f(mid)
        if (fmid > 0) == (flo > 0):
            lo, flo = mid, fmid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def likelihood_ratio_interval(n: int, k: int, level: float = 0.95) -> Interval:
    """{p : 2 (NLL(p) - NLL(p̂)) <= chi²₁(level)}, found by bisection in float64.

    Parameters
    ----------
    n, k : int
        Number of samples and number of ones.
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    Interval
        The likelihood-ratio interval; an end at 0 or 1 when the MLE is on that edge.
    """
    p, z = mle(n, k), _z(level)
    best = nll(p, n, k)
    cut = z * z / 2

    def excess(q: float) -> float:
        return nll(q, n, k) - best - cut

    low = 0.0 if k == 0 else _bisect(excess, 0.0, p)
    high = 1.0 if k == n else _bisect(excess, p, 1.0)
    return Interval("likelihood ratio", low, high)


def intervals(n: int, k: int, level: float = 0.95) -> list[Interval]:
    """The Wald, Wilson and likelihood-ratio intervals, in that order."""
    return [
        wald_interval(n, k, level),
        wilson_interval(n, k, level),
        likelihood_ratio_interval(n, k, level),
    ]


def _check_counts(n: int, k: int) -> None:
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"need n >= 1 and 0 <= k <= n, got n = {n}, k = {k}")
