"""Which steps of a run become animation frames (the scrub slider stops at every one)."""

from __future__ import annotations

import numpy as np


def frame_indices(
    n_points: int,
    diverged_at: int | None,
    max_frames: int = 200,
    dense: np.ndarray | None = None,
) -> np.ndarray:
    """Steps to show as animation frames: every step early on, geometrically sparser later.

    Parameters
    ----------
    n_points : int
        Number of recorded points t = 0..n_points-1 (at least 1).
    diverged_at : int or None
        The divergence step, always included together with the step before it.
    max_frames : int
        Most frames to return (at least 4).
    dense : ndarray of int, optional
        Steps that must be frames too (at most max_frames - 4 of them are taken).

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
    if dense is not None:
        must |= {int(t) for t in dense[: max_frames - 4] if 0 <= t <= last}
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


FAR = 0.05  # p this far from p̂ (a twentieth of panel (a)'s axis) moves visibly: every step
EDGE = 0.02  # p this close to 0 or 1 is near the edge: every step
VISIBLE = 1e-3  # a zig-zag smaller than this (under a pixel on panel (a)) is not seen


def busy_steps(p: np.ndarray, p_hat: float) -> np.ndarray:
    """Steps where the motion must be seen frame by frame, so that no scrub or play aliases it.

    A step is busy when p is far from p̂ (more than FAR), near the edge of (0, 1) (within
    EDGE, or outside), or on either side of a visible crossing of p̂ (an oscillation: p_t - p̂
    and p_{t+1} - p̂ differ in sign, one of them larger than VISIBLE).
    """
    p = np.asarray(p, dtype=np.float64)
    err = p - p_hat
    with np.errstate(invalid="ignore"):
        busy = ~(np.abs(err) <= FAR) | ~(np.minimum(p, 1 - p) >= EDGE)
        crossing = (np.sign(err[:-1]) * np.sign(err[1:]) < 0) & (
            np.maximum(np.abs(err[:-1]), np.abs(err[1:])) > VISIBLE
        )
    busy[:-1] |= crossing
    busy[1:] |= crossing
    return np.flatnonzero(busy)


def motion_rows(traj, before_escape: int = 10) -> np.ndarray:
    """Steps a table should list one by one: around every visible crossing of p̂ (a zig-zag)
    and the last `before_escape` steps up to an escape."""
    p = np.asarray(traj.p, dtype=np.float64)
    err = p - traj.mle
    with np.errstate(invalid="ignore"):
        crossing = (np.sign(err[:-1]) * np.sign(err[1:]) < 0) & (
            np.maximum(np.abs(err[:-1]), np.abs(err[1:])) > VISIBLE
        )
    at = np.flatnonzero(crossing)
    steps = set(at.tolist()) | set((at + 1).tolist())
    if traj.diverged_at is not None:
        steps |= set(range(max(0, traj.diverged_at - before_escape), traj.diverged_at + 1))
    return np.array(sorted(steps), dtype=np.int64)


def focus_end(traj) -> int:
    """The last step of the part of a run where things happen, plus a margin.

    The run ends at an escape (nothing follows it); otherwise the step it converged at (or
    stalled at), plus a margin of a third of that (at least 8 steps) so that it is seen to
    stay there; the whole run when it did neither.
    """
    last = len(traj.p) - 1
    if traj.diverged_at is not None:
        return last
    settled = traj.converged_at if traj.converged_at is not None else traj.stalled_at
    if settled is None:
        return last
    return min(last, settled + max(8, -(-settled // 3)))


def run_frames(traj, max_frames: int = 200) -> np.ndarray:
    """The frames of a run: every busy step (see busy_steps), the rest geometrically.

    When the busy steps alone exceed the budget, the earliest ones are kept (three quarters
    of it), and the rest of the run is spread geometrically over the remaining quarter.
    """
    n_points = len(traj.p)
    if n_points <= max_frames:
        return np.arange(n_points)
    busy = busy_steps(traj.p, traj.mle)[: (3 * max_frames) // 4]
    return frame_indices(n_points, traj.diverged_at, max_frames, busy)
