"""The problem a run solves: n samples with k ones, the parameter moved, and the loss scale.

One value in place of the loose ``(n, k, param, loss)``. Its methods are the likelihood of
``bernoulli.engine.likelihood`` in the run's own parameter x, which is p itself (``param="p"``) or
θ = logit p (``param="logit"``), so callers never branch on the parameterization:

    to_x(p), to_p(x)          the change of parameter
    nll(x), grad(x), curvature(x)
    update(x, lr)             one gradient-descent step x - lr · dNLL/dx (the update map)
    slope(x, lr)              its derivative 1 - lr · d²NLL/dx²
    thresholds()              the learning-rate limits 1/H and 2/H at the MLE
    moves_p, symbol, latex    which parameter it is and what it is called
    grad_p(x)                 dNLL/dp along the run's path, in either parameter

Its code is the only branch on which parameter a run moves; elsewhere a table keyed by
the parameter's name stands in, where torch's loss needs its own ops
(``optimize.SUMMED_NLL``) or the batched runs take only p (``together.BATCHED_PARAMS``).

No torch here: the page and the maps import this without the engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bernoulli import settings
from bernoulli.engine import likelihood as lk

DESCRIBED = {"p": "p", "logit": "θ = logit p"}  # each parameter, named for a legend


def _words(choices) -> str:
    return " or ".join(f'"{c}"' for c in choices)


def _value(x: np.ndarray) -> float | np.ndarray:
    """A float for a single value, the array otherwise (as ``bernoulli.engine.likelihood``
    returns)."""
    return float(x) if np.ndim(x) == 0 else x


@dataclass(frozen=True)
class Thresholds:
    """Learning-rate limits of gradient descent near the MLE, from the curvature H there.

    Near the minimum, GD maps the error e to (1 - lr·H)·e: it shrinks without changing sign
    when lr < 1/H, shrinks while flipping sign when 1/H < lr < 2/H, and grows when lr > 2/H.
    """

    param: str  # "p" or "logit": the parameter gradient descent moves
    scale: str  # "sum" or "mean"
    curvature: float  # H, the second derivative at the MLE (at the edge: n in p, 0 in logit)
    monotone: float  # 1/H: below it the approach is monotone (NaN in p with p̂ on the edge)
    stable: float  # 2/H: above it the fixed point repels (the local limit; NaN as 1/H)
    global_stable: float | None  # 2/max curvature over all parameters, when that max is finite
    note: str  # plain words on the boundary case, "" otherwise

    def momentum_stable(self, beta: float) -> float:
        """Heavy-ball momentum's local limit: lr·H < 2 + 2β."""
        return (2.0 + 2.0 * beta) * self.monotone

    def regime(self, lr: float) -> str:
        """The regime of lr: "monotone", "oscillating" or "unstable" (beyond 2/H)."""
        if lr < self.stable:  # (never with no limit, NaN: p̂ on the edge, every lr steps past)
            return "monotone" if lr < self.monotone else "oscillating"
        return "unstable"


@dataclass(frozen=True)
class Problem:
    """n samples with k ones, fitted by moving ``param`` to lower the ``loss``-scaled NLL."""

    n: int  # number of samples, n >= 1
    k: int  # number of ones, 0 <= k <= n
    param: str = settings.DEFAULTS["param"]  # "p" or "logit": the parameter the run moves
    loss: str = settings.DEFAULTS["loss"]  # "sum" (the notebook) or "mean"

    def __post_init__(self) -> None:
        lk.mle(self.n, self.k)  # validates the counts
        for name in ("param", "loss"):
            choices = settings.FIELDS[name].choices
            if getattr(self, name) not in choices:
                value = getattr(self, name)
                raise ValueError(f"{name} must be {_words(choices)}, not {value!r}")

    @property
    def mle(self) -> float:
        """p̂ = k / n."""
        return lk.mle(self.n, self.k)

    @property
    def x_hat(self) -> float:
        """The MLE in the run's parameter: p̂, or logit p̂ (±inf when p̂ is 0 or 1)."""
        return self.to_x(self.mle)

    @property
    def nll_min(self) -> float:
        """The least NLL, NLL(p̂), in the loss scale (0 when p̂ is on the edge)."""
        return lk.nll(self.mle, self.n, self.k, self.loss)

    @property
    def weight(self) -> int:
        """The gradient's scale: n for the summed loss, 1 for the mean.

        dNLL/dp = weight · (p - p̂) / (p (1 - p)) and dNLL/dθ = weight · (σ(θ) - p̂).
        """
        return self.n if self.loss == "sum" else 1

    @property
    def _per(self) -> float:
        """The loss's factor on the summed NLL: 1, or 1/n for the mean."""
        return 1.0 if self.loss == "sum" else 1.0 / self.n

    def to_x(self, p):
        """The run's parameter at p: p itself, or θ = log(p / (1 - p))."""
        if self.param == "p":
            return _value(np.asarray(p, dtype=np.float64))
        return lk.logit(p)

    def to_p(self, x):
        """p at the run's parameter x: x itself, or σ(x)."""
        if self.param == "p":
            return _value(np.asarray(x, dtype=np.float64))
        return lk.sigmoid(x)

    def p_at(self, x: float) -> float:
        """p at one parameter value, as a float: `to_p` without numpy, for a step's check."""
        return x if self.param == "p" else float(lk.sigmoid(x))

    def nll(self, x):
        """Negative log-likelihood at the parameter x, in the loss scale.

        Parameters
        ----------
        x : float or array_like
            p (NaN outside [0, 1], +inf at an edge some sample rules out) or θ (any real).

        Returns
        -------
        float or ndarray
            ``likelihood.nll(p)`` or its stable logit form ``likelihood.nll_logit(θ)``.
        """
        if self.param == "p":
            return lk.nll(x, self.n, self.k, self.loss)
        return lk.nll_logit(x, self.n, self.k, self.loss)

    def grad(self, x):
        """dNLL/dx: -k/p + (n - k)/(1 - p) in p, n σ(θ) - k in θ (times 1/n for the mean).

        Parameters
        ----------
        x : float or array_like
            The parameter, p or θ.

        Returns
        -------
        float or ndarray
            The gradient the run follows (NaN for p outside [0, 1]).
        """
        if self.param == "p":
            return lk.grad(x, self.n, self.k, self.loss)
        return lk.grad_logit(x, self.n, self.k, self.loss)

    def curvature(self, x):
        """d²NLL/dx²: k/p² + (n - k)/(1 - p)² in p, n p (1 - p) in θ (times 1/n for the mean).

        Parameters
        ----------
        x : float or array_like
            The parameter, p or θ.

        Returns
        -------
        float or ndarray
            The curvature H(x) that sets the step's stability (NaN for p outside [0, 1]).
        """
        if self.param == "p":
            return lk.curvature(x, self.n, self.k, self.loss)
        return lk.curvature_logit(x, self.n, self.k, self.loss)

    def update(self, x, lr: float):
        """One gradient-descent step, the update map f(x) = x - lr · dNLL/dx, in float64.

        Parameters
        ----------
        x : float or array_like
            The parameter before the step.
        lr : float or array_like
            Learning rate (broadcast against x).

        Returns
        -------
        float or ndarray
            The parameter after the step; in p it may leave (0, 1), NaN once outside.
        """
        return _value(np.asarray(x, dtype=np.float64) - lr * np.asarray(self.grad(x)))

    def slope(self, x, lr: float):
        """f'(x) = 1 - lr · H(x), the derivative of :meth:`update`.

        Parameters
        ----------
        x : float or array_like
            The parameter.
        lr : float or array_like
            Learning rate.

        Returns
        -------
        float or ndarray
            The factor by which the step multiplies a small error at x; the fixed point x̂
            attracts when |f'(x̂)| < 1, i.e. lr < 2/H.
        """
        return _value(1.0 - lr * np.asarray(self.curvature(x)))

    def reach(self, lr):
        """An interval (low, high) of the parameter that holds every bounded orbit at lr.

        In p it is (0, 1), outside which the run has left. In θ one step moves by at most
        lr · weight · max(p̂, 1 - p̂) < lr · weight, so a cycle spans less than that around
        logit p̂ (0 when p̂ is on the edge); one is added for room.
        """
        if self.param == "p":
            return 0.0, 1.0
        centre = 0.0 if lk.on_boundary(self.n, self.k) else float(lk.logit(self.mle))
        half = np.asarray(lr, dtype=np.float64) * self.weight + 1.0
        return centre - half, centre + half

    def thresholds(self) -> Thresholds:
        """Learning-rate thresholds 1/H and 2/H at the MLE.

        In p, H = n / (p̂(1 - p̂)); in logit, H = n p̂ (1 - p̂); the mean loss divides H by n,
        so its thresholds are n times larger.

        Returns
        -------
        Thresholds
            H, 1/H, 2/H, the global limit where one exists, and a note for the boundary case.
        """
        n, k, p, per = self.n, self.k, self.mle, self._per
        boundary = lk.on_boundary(n, k)
        if self.param == "p":
            if boundary:
                h = slope = n * per  # k/p² + (n - k)/(1 - p)² and |dNLL/dp| at the edge: finite
                note = (
                    f"The MLE p̂ = {p:g} lies on the edge of (0, 1), where the NLL is still "
                    f"falling: its slope there is {'−' if k == n else ''}{slope:g}, not 0 (its "
                    f"curvature, {h:g}, is finite). p̂ is not a resting point: each "
                    f"gradient-descent step moves p towards the edge by at least lr·{slope:g}, "
                    "so gradient descent in p steps past the edge at every learning rate; 1/H "
                    "and 2/H, which are about settling at a minimum with slope 0, do not apply."
                )
                # No limit: p̂ is not a fixed point of the step (the slope is not 0).
                return Thresholds(self.param, self.loss, h, math.nan, math.nan, None, note)
            # The curvature in p grows without bound near 0 and 1: no global limit.
            return _limits(self, n / (p * (1 - p)) * per, None)
        global_stable = 2.0 / (n / 4 * per)
        if boundary:
            note = (
                f"The MLE p̂ = {p:g} lies on the edge: in logit it sits at θ = "
                f"{'-' if k == 0 else '+'}∞, where the curvature is 0, so there is no local "
                "limit; θ drifts outward forever and p approaches the edge without reaching it."
            )
            return _limits(self, 0.0, global_stable, note)
        return _limits(self, n * p * (1 - p) * per, global_stable)

    # --- the parameterization's own facts, for callers that name or convert it -----------

    @classmethod
    def of(cls, n: int, k: int, s) -> Problem:
        """The problem a run with settings ``s`` solves on n samples with k ones."""
        return cls(n, k, s.param, s.loss)

    @property
    def moves_p(self) -> bool:
        """Whether the run moves p itself, which must stay in [0, 1], not θ (any real)."""
        return self.param == "p"

    @property
    def symbol(self) -> str:
        """The run's parameter as a reader sees it: "p" or "θ"."""
        return "p" if self.param == "p" else "θ"

    @property
    def latex(self) -> str:
        """The run's parameter in LaTeX: p or \\theta."""
        return "p" if self.param == "p" else r"\theta"

    @property
    def described(self) -> str:
        """The run's parameter named for a legend: "p" or "θ = logit p"."""
        return DESCRIBED[self.param]

    def inside(self, x):
        """Whether a run can step from x: x finite and, in p, strictly inside (0, 1)."""
        finite = np.isfinite(x)
        if self.param == "p":
            return finite & (x > 0) & (x < 1)
        return finite

    def from_edge(self, x: float) -> float:
        """How far p is from the nearer edge of (0, 1) at the parameter x, min(p, 1 − p).

        From θ it is min(σ(θ), σ(−θ)), which stays positive where 1 − σ(θ) rounds to 0.
        """
        if self.param == "p":
            return min(x, 1 - x)
        return float(min(lk.sigmoid(x), lk.sigmoid(-x)))

    def derivatives(self, x: float) -> tuple[float, float]:
        """dNLL/dx and d²NLL/dx² at one parameter x (p or θ), float64 closed form.

        A scalar's fast path for the step-by-step forecasts: in p each term is left out where
        no sample pulls that way, so an edge gives ±inf (not NaN) only where a sample does.
        """
        n, k, per = self.n, self.k, self._per
        if self.param == "p":
            x = np.float64(x)
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # ±inf at an edge
                g = (-k / x if k else 0.0) + ((n - k) / (1.0 - x) if n - k else 0.0)
                h = (k / x**2 if k else 0.0) + ((n - k) / (1.0 - x) ** 2 if n - k else 0.0)
            return float(g * per), float(h * per)
        sig, sig_minus = _sigmoid(x), _sigmoid(-x)
        return ((n - k) * sig - k * sig_minus) * per, n * sig * sig_minus * per

    def newton_ratio(self, x):
        """g·H'/H² at x, closed form: Newton's map x − lr·g/H has slope 1 − lr·(1 − g·H'/H²).

        The loss scale cancels. In p: g = −k/p + (n−k)/(1−p), H = k/p² + (n−k)/(1−p)²,
        H' = −2k/p³ + 2(n−k)/(1−p)³. In θ: (nσ − k)(1 − 2σ)/(nσ(1 − σ)), σ = σ(θ).
        """
        n, k = self.n, self.k
        x = np.asarray(x, dtype=np.float64)
        if self.param == "p":
            ones, zeros = (k if k else 0.0), (n - k if n - k else 0.0)
            g = -ones / x + zeros / (1 - x)
            h = ones / x**2 + zeros / (1 - x) ** 2
            h3 = -2 * ones / x**3 + 2 * zeros / (1 - x) ** 3
            return g * h3 / h**2
        sig = np.asarray(lk.sigmoid(x), dtype=np.float64)
        return (n * sig - k) * (1 - 2 * sig) / (n * sig * (1 - sig))

    @property
    def update_formula(self) -> str:
        """The gradient-descent update as a map of p, for a legend."""
        return "p → p − lr·dNLL/dp" if self.param == "p" else "p → σ(θ − lr·dNLL/dθ)"

    def grad_p(self, x):
        """dNLL/dp at the run's parameter x, finite from θ where σ(θ) rounds to 0 or 1.

        Parameters
        ----------
        x : ndarray
            The parameter's path, p or θ.

        Returns
        -------
        ndarray
            dNLL/dp at p = ``to_p(x)``; in θ, where p rounded to exactly 0 or 1 (θ beyond
            about 37 or -745 in float64) and the closed form at p says ±inf, it is taken from
            θ itself: -k (1 + e^-θ) + (n - k)(1 + e^θ), finite until the true value exceeds
            float64.
        """
        x = np.asarray(x, dtype=np.float64)
        grad = np.asarray(lk.grad(self.to_p(x), self.n, self.k, self.loss))
        if self.param == "p":
            return grad
        edge = np.isfinite(x) & np.isinf(grad)
        if not edge.any():
            return grad
        n, k, per = self.n, self.k, self._per
        t = x[edge]
        with np.errstate(over="ignore"):  # each exp overflows only where the true value does
            ones = 0.0 if k == 0 else -(k * per + np.exp(math.log(k * per) - t))
            zeros = 0.0 if k == n else (n - k) * per + np.exp(math.log((n - k) * per) + t)
        grad = grad.copy()
        grad[edge] = ones + zeros
        return grad


def _sigmoid(x: float) -> float:
    """σ(x) for one float, without overflow (as ``likelihood.sigmoid``, faster for a scalar)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # also NaN for NaN
    return e / (1.0 + e)


def _limits(problem: Problem, h: float, global_stable, note: str = "") -> Thresholds:
    monotone = math.inf if h == 0 else 1.0 / h
    return Thresholds(problem.param, problem.loss, h, monotone, 2 * monotone, global_stable, note)
