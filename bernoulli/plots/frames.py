"""Which steps of a run become animation frames, and which of those the scrub slider offers."""

from __future__ import annotations

import numpy as np


def frame_indices(n_points: int, diverged_at: int | None, max_frames: int = 200) -> np.ndarray:
    """Steps to show as animation frames: every step early on, geometrically sparser later.

    Parameters
    ----------
    n_points : int
        Number of recorded points t = 0..n_points-1 (at least 1).
    diverged_at : int or None
        The divergence step, always included together with the step before it.
    max_frames : int
        Most frames to return (at least 4).

    Returns
    -------
    ndarray of int
        Sorted unique steps, with 0 and n_points - 1 always among them.
    """
    if n_points < 1:
        raise ValueError(f"need at least one point, got {n_points}")
    if max_frames < 4:
        raise ValueError(f"max_frames must be at least 4, got {max_frames}")
    last = n_points - 1
    if n_points <= max_frames:
        return np.arange(n_points)
    must = {0, last}
    if diverged_at is not None and 0 <= diverged_at <= last:
        must |= {diverged_at, max(diverged_at - 1, 0)}
    must_arr = np.array(sorted(must))

    def spaced(count: int) -> np.ndarray:
        # geomspace from 1 rounds to repeated small integers: every early step, then sparser.
        grid = np.round(np.geomspace(1, last, count)).astype(np.int64)
        return np.union1d(grid, must_arr)

    # The largest count whose steps fit the budget (the size grows with count).
    low, high, chosen = 1, max_frames, must_arr
    while len(spaced(high)) <= max_frames and high < 4 * n_points:
        high *= 2
    while low <= high:
        mid = (low + high) // 2
        candidate = spaced(mid)
        if len(candidate) <= max_frames:
            chosen, low = candidate, mid + 1
        else:
            high = mid - 1
    return chosen


def slider_steps(frames: np.ndarray, diverged_at: int | None, max_steps: int = 100) -> np.ndarray:
    """A subset of the frame steps for the scrub slider: evenly spaced among the frames.

    The frames are already dense early, so even spacing among them keeps that density. The
    first, last and divergence steps are always kept.
    """
    frames = np.asarray(frames)
    if len(frames) <= max_steps:
        return frames
    must = {int(frames[0]), int(frames[-1])}
    if diverged_at is not None and diverged_at in frames:
        must.add(int(diverged_at))
    room = max_steps - len(must)
    picks = frames[np.round(np.linspace(0, len(frames) - 1, room + 2)).astype(int)]
    steps = np.union1d(picks, np.array(sorted(must)))
    while len(steps) > max_steps:  # a pick may coincide with neither end: drop inner ones
        inner = [i for i, s in enumerate(steps) if int(s) not in must]
        steps = np.delete(steps, inner[len(inner) // 2])
    return steps
