"""The problem a run solves: n samples with k ones, the parameter moved, and the loss scale.

One value in place of the loose ``(n, k, param, loss)``. Its methods are the likelihood of
``bernoulli.engine.likelihood`` in the run's own parameter x, which is p itself (``param="p"``) or
θ = logit p (``param="logit"``), so callers never branch on the parameterization:

    to_x(p), to_p(x)          the change of parameter
    nll(x), grad(x), curvature(x)
    update(x, lr)             one gradient-descent step x - lr · dNLL/dx (the update map)
    slope(x, lr)              its derivative 1 - lr · d²NLL/dx²

No torch here: the page and the maps import this without the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bernoulli import settings
from bernoulli.engine import likelihood as lk


def _words(choices) -> str:
    return " or ".join(f'"{c}"' for c in choices)


def _value(x: np.ndarray) -> float | np.ndarray:
    """A float for a single value, the array otherwise (as ``bernoulli.engine.likelihood``
    returns)."""
    return float(x) if np.ndim(x) == 0 else x


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

    def thresholds(self) -> lk.Thresholds:
        """The learning-rate limits 1/H and 2/H at the MLE (``likelihood.thresholds``)."""
        return lk.thresholds(self.n, self.k, self.param, self.loss)
