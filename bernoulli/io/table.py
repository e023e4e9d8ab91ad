"""One trajectory table: which steps are listed, what each column holds, how it is written.

The CSV download (``export.trajectory_csv``), the command line's table, csv and json, and the
page's table all take their rows and columns from here, so a column means the same thing and
a number reads the same everywhere:

- ``rows``: every K-th step from 0, and always the last one (where a diverged run stopped);
- ``columns``: column name -> its values at those rows (numpy arrays; ``step`` holds ints);
- text: ``csv_text`` writes floats by ``repr`` (exact when read back; ``nan``, ``inf``),
  ``json_points`` writes NaN and infinities as None (null), ``text_lines`` aligns columns
  for a terminal with p and θ in the run dtype's shortest digits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from bernoulli.engine import likelihood as lk

# Every column a table can have: name -> its values at every step of a trajectory.
_VALUES: dict[str, Callable] = {
    "step": lambda traj: np.arange(len(traj.p)),
    "p": lambda traj: traj.p,  # p_t
    "param": lambda traj: traj.param,  # the optimized parameter: p, or θ = logit p
    "theta": lambda traj: traj.param,  # θ_t, in the logit parameterization
    "nll": lambda traj: traj.nll,  # NLL(p_t), float64 closed form, in the run's loss scale
    "grad": lambda traj: traj.grad,  # dNLL/dp at p_t, same
    "grad_theta": lambda traj: lk.grad_logit(traj.param, traj.n, traj.k, traj.settings.loss),
    "loss": lambda traj: traj.loss,  # the loss torch computed, in the run's dtype
    "grad_param": lambda traj: traj.grad_param,  # torch's step gradient; NaN at the last step
    "p_next": lambda traj: np.append(traj.p[1:], np.nan),  # p_(t+1), after step t's update
}
EXPORT = ("step", "p", "param", "nll", "grad", "loss", "grad_param")  # the CSV download
PRINTED = ("step", "p", "nll", "grad")  # the command line's table and csv (+ LOGIT)
LOGIT = ("theta", "grad_theta")  # printed too in the logit parameterization
JSON = ("step", "p", "nll", "grad", "loss", "grad_param")  # (+ theta in logit)
# The command line's aligned table: column -> (heading, width, format); None: shortest digits.
_TEXT = {
    "step": ("step", 6, "d"),
    "p": ("p_t", 14, None),
    "nll": ("NLL(p_t)", 16, ".10g"),
    "grad": ("dNLL/dp", 14, ".8g"),
    "theta": ("θ_t", 14, None),
    "grad_theta": ("dNLL/dθ", 14, ".8g"),
}


def rows(length: int, every: int = 1) -> np.ndarray:
    """The steps listed of a trajectory of `length` points: every `every`-th, and the last."""
    steps = np.arange(0, length, every)
    return steps if steps[-1] == length - 1 else np.append(steps, length - 1)


def printed(traj) -> tuple[str, ...]:
    """The columns the command line prints for this run (θ and dNLL/dθ too in logit)."""
    return PRINTED + (() if traj.problem.moves_p else LOGIT)


def columns(traj, names: Sequence[str], steps: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Column name -> its values at `steps` (every step when None), in the order of `names`."""
    if steps is None:
        return {name: np.asarray(_VALUES[name](traj)) for name in names}
    return {name: np.asarray(_VALUES[name](traj))[steps] for name in names}


def csv_text(table: dict[str, np.ndarray]) -> str:
    """The table as CSV: a header of column names, then one line per row, each ending in
    "\\n"; steps as whole numbers, floats by repr (exact; ``nan``, ``inf``, ``-inf``)."""
    series = [_plain(name, values) for name, values in table.items()]
    lines = [",".join(table)]
    lines += [",".join(map(repr, row)) for row in zip(*series, strict=True)]
    return "\n".join(lines) + "\n"


def json_points(table: dict[str, np.ndarray]) -> list[dict]:
    """The table as one dict per row, NaN and infinities as None (JSON's null)."""
    series = [_plain(name, values) for name, values in table.items()]
    return [
        {name: finite(x) if name != "step" else x for name, x in zip(table, row, strict=True)}
        for row in zip(*series, strict=True)
    ]


def text_lines(table: dict[str, np.ndarray], dtype: str) -> list[str]:
    """The table aligned for a terminal: a heading line, then one line per row; p and θ in
    the shortest digits that read back as themselves in `dtype`."""
    heading = "  ".join(f"{_TEXT[name][0]:>{_TEXT[name][1]}}" for name in table)
    series = [_plain(name, values) for name, values in table.items()]
    lines = [heading]
    for row in zip(*series, strict=True):
        cells = []
        for name, x in zip(table, row, strict=True):
            _, width, fmt = _TEXT[name]
            cells.append(f"{shortest(x, dtype):>{width}}" if fmt is None else f"{x:>{width}{fmt}}")
        lines.append("  ".join(cells))
    return lines


def page_columns(traj, every: int, also: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The page's trajectory table (for ``st.dataframe``): heading -> values at every
    `every`-th step, the last, and the steps in `also` (e.g. every step of a zig-zag)."""
    steps = rows(len(traj.p), every)
    if also is not None and len(also):
        steps = np.union1d(steps, np.asarray(also, dtype=np.int64))
    table = columns(traj, ("step", "nll", "p", "p_next", "grad", "loss"), steps)
    headings = ("t", "NLL(p_t)", "p_t", "p_(t+1)", "dNLL/dp at p_t")
    headings += (f"torch loss ({traj.settings.dtype})",)
    return dict(zip(headings, table.values(), strict=True))


def finite(x: float) -> float | None:
    """x as a float, or None when it is NaN or infinite (JSON has no such numbers)."""
    x = float(x)
    return x if math.isfinite(x) else None


def shortest(x: float, dtype: str) -> str:
    """The shortest text that reads back as x in the run's dtype (the notebook's p0 as written)."""
    if not math.isfinite(x):
        return str(x)
    value = np.float32(x) if dtype == "float32" else np.float64(x)
    return np.format_float_positional(value, unique=True, trim="-")


def _plain(name: str, values: np.ndarray) -> list:
    """Python numbers: ints for the step, float64 floats for the rest."""
    if name == "step":
        return np.asarray(values, dtype=np.int64).tolist()
    return (np.asarray(values, dtype=np.float64) + 0.0).tolist()  # + 0.0: never a "-0"
