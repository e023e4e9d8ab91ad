"""The page's presets: named runs that each show one behaviour of gradient descent.

`PRESETS` holds each preset's label and help text, `preset_settings` its settings for a
given sample. No streamlit here: the presets are data the page (and anything else) reads.
"""

from __future__ import annotations

from bernoulli import likelihood as lk
from bernoulli.optimize import Settings
from bernoulli.settings import DEFAULTS, NOTEBOOK_P0


def _short(x: float) -> str:
    """A number as a person writes it: 2e-5, not 2e-05."""
    return f"{x:g}".replace("e-0", "e-")


# name -> (button label, help text)
PRESETS = {
    "notebook": (
        "Replay the notebook",
        f"Its sample, p0 = {NOTEBOOK_P0}, lr = {_short(DEFAULTS['lr'])}, "
        f"{DEFAULTS['steps']} steps, {DEFAULTS['dtype']}, summed NLL: "
        "the run the notebook printed.",
    ),
    "smooth": ("Smooth convergence", "lr = 0.2/H: a monotone walk to the MLE."),
    "oscillation": ("Oscillation", "lr = 1.5/H from p0 = p̂ ∓ 0.125: p overshoots and zig-zags in."),
    "divergence": (
        "Divergence",
        "lr = 1.03 × 2/H from p0 = p̂ ∓ 0.025: the zig-zag grows until p leaves (0, 1).",
    ),
}


def _round(x: float, digits: int) -> float:
    return float(f"{x:.{digits}g}")


def preset_settings(name: str, n: int, k: int) -> Settings:
    """A preset's settings for a sample of n values with k ones.

    Apart from the notebook replay, presets choose the learning rate from this sample's
    thresholds (1/H, 2/H of gradient descent on the summed NLL in p), so each shows its
    behaviour on any sample; for the notebook's they give 2e-4, 1.5e-3 and 2.05e-3.
    """
    if name == "notebook":
        return Settings()  # the engine's defaults are the notebook's run
    p_hat = lk.mle(n, k)
    if lk.on_boundary(n, k):  # no interior minimum: fall back on the notebook's curvature
        p_hat, n = 0.725, 200
    h = n / (p_hat * (1 - p_hat))
    side = -1 if p_hat > 0.3 else 1  # start on the side with more room
    if name == "smooth":
        return Settings(lr=_round(0.2 / h, 2), p0=NOTEBOOK_P0, dtype="float64")
    if name == "oscillation":
        return Settings(lr=_round(1.5 / h, 2), p0=_round(p_hat + side * 0.125, 4), dtype="float64")
    if name == "divergence":
        # Just past 2/H from near p̂: the zig-zag grows for a few dozen steps, then p escapes.
        return Settings(lr=_round(2.06 / h, 3), p0=_round(p_hat + side * 0.025, 4), dtype="float64")
    raise ValueError(f"unknown preset {name!r}")
