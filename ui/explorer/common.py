"""What the explorer's views share: their numbers, progress bars and engine choice."""

from __future__ import annotations

import contextvars

import streamlit as st

from bernoulli.engine import sweep
from bernoulli.teach import words


def num(x: float) -> str:
    """4 significant digits, never "-0" (an NLL of zero); "—" for no value (NaN: e.g. 1/H in
    p with p̂ on the edge, where no limit applies)."""
    return "—" if x != x else words.number(x, 4)


def ratio_text(x: float) -> str:
    """A ratio to a threshold, with the digits that tell it from 1."""
    return words.ratio(x)


def batched(optimizer: str) -> str:
    """The batched engine steps gradient descent and momentum; others are swept as GD."""
    return optimizer if optimizer in sweep.OPTIMIZERS else "gd"


def progress_bar(label: str):
    """A progress bar, and a callback that moves it from inside a cached function.

    st.cache_data records every element call made while its function runs, to replay it on
    a cache hit; a bar created outside cannot be replayed (CacheReplayClosureError). The
    callback therefore runs the update in a copy of the context from before the cached call,
    where no recording is active.
    """
    bar = st.progress(0.0, text=label)
    outside = contextvars.copy_context()

    def report(fraction: float) -> None:
        outside.run(bar.progress, min(max(float(fraction), 0.0), 1.0), text=label)

    return bar, report


def near_mle(n: int, k: int) -> float:
    """A start beside p̂ (p̂ ∓ 0.125, as the Oscillation preset, on the side with more room):
    from there the learning rates show their regime instead of escaping at the first step.
    With the MLE on the edge there is no such start: 0.5."""
    if k in (0, n):
        return 0.5
    p_hat = k / n
    side = -1 if p_hat > 0.3 else 1
    return min(max(round(p_hat + side * 0.125, 4), 1e-4), 1 - 1e-4)
