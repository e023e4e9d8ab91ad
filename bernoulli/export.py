"""A run taken away: its trajectory as CSV, its animation as one offline HTML file, and a
short PyTorch script that repeats it step for step without this project.
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import re
import string
import textwrap

import numpy as np

from bernoulli import data, table
from bernoulli import likelihood as lk
from bernoulli.data import Source
from bernoulli.optimize import OPTIMIZER_NAMES, Settings, Trajectory, initial_p

CSV_COLUMNS = table.EXPORT
MAX_EMBEDDED = 100_000  # most upload values a script embeds (for minibatch SGD)
_SCALE = {"sum": "summed", "mean": "mean"}


def trajectory_csv(traj: Trajectory) -> str:
    """Every step of a run as CSV text.

    Parameters
    ----------
    traj : Trajectory
        The run.

    Returns
    -------
    str
        A header line ``step,p,param,nll,grad,loss,grad_param`` and one line per step
        t = 0..T: p_t; the optimized parameter (p, or theta = logit p); the closed-form NLL
        and dNLL/dp at p_t (float64, in the run's loss scale); the loss torch computed (in the
        run's dtype); and the gradient torch stepped with (the minibatch's for SGD; ``nan`` on
        the last line, from which no step is taken). Floats are written by ``repr``, exact
        when read back; NaN and infinities as ``nan``, ``inf``, ``-inf``. Lines end in "\\n".
    """
    return table.csv_text(table.columns(traj, CSV_COLUMNS))


def animation_html(fig, title: str = "Bernoulli MLE: the optimizer's path") -> str:
    """The animated figure as one self-contained HTML page that plays offline.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A figure, usually with frames and play/pause buttons (``figures.animated_figure``).
    title : str
        The page title (escaped).

    Returns
    -------
    str
        A full HTML document with plotly.js inline (no CDN, no network needed: it plays from
        a USB stick), the Plotly logo hidden, and the animation waiting for its play button.
    """
    page = fig.to_html(
        include_plotlyjs=True,
        full_html=True,
        auto_play=False,  # a teacher starts it when the class is looking
        config={"displaylogo": False},
        include_mathjax=False,
    )
    head = f'<head>\n    <title>{html.escape(title)}</title>\n    <meta name="generator" '
    return page.replace("<head>\n", head + 'content="bernoulli-mle" />\n', 1)


def torch_script(
    source: Source,
    settings: Settings,
    n: int,
    k: int,
    values: np.ndarray | None = None,
    every: int = 1,
) -> str:
    """A short PyTorch script that repeats a run exactly and prints it as CSV.

    It builds the loss from n and k as ``optimize.full_loss`` does, the optimizer as the app
    does, in the same dtype from the same p0, and runs the notebook's loop done right:
    loss, backward, print the gradient, step, then zero it.

    Parameters
    ----------
    source : Source
        Where the sample came from (named in the header; minibatch SGD needs its values).
    settings : Settings
        The run's settings; a random p0 is resolved to the value the app drew.
    n, k : int
        Number of samples and ones.
    values : ndarray of 0/1, optional
        An uploaded sample's values, needed only for minibatch SGD.
    every : int
        Print every `every`-th step; the last and a diverging step are always printed.

    Returns
    -------
    str
        Python source needing only torch (and numpy for SGD on a generated sample). It prints
        ``step,p,loss,grad_param`` (``step,theta,p,loss,grad_param`` in logit), then, if the
        run leaves (0, 1) or the loss stops being finite, one plain line saying so.

    Raises
    ------
    ValueError
        If the counts do not fit the source, or SGD needs an upload's values that are
        missing or more than MAX_EMBEDDED.
    """
    lk.mle(n, k)  # validates the counts
    if not (isinstance(every, int) and every >= 1):
        raise ValueError(f"every must be a whole number >= 1, not {every!r}")
    if source.kind == "generate" and source.n != n:
        raise ValueError(f"the generated sample has n = {source.n}, not {n}")
    if source.kind == "notebook":
        notebook = data.notebook_sample()
        if (n, k) != (notebook.n, notebook.k):
            raise ValueError(f"the notebook sample has n = {notebook.n}, k = {notebook.k}")
    s = settings
    form = s.param  # "p" or "logit": the sections that differ
    row = _fill(f"row_{form}")
    sgd = _sgd_block(source, s, n, k, values) if s.optimizer == "sgd" else ""
    script = _fill(
        "script",
        header=_header(source, s, n, k, every),
        numpy=_fill("numpy") + "\n" if sgd and source.kind == "generate" else "",
        n=n,
        k=k,
        lr=repr(s.lr),
        steps=s.steps,
        beta=_fill("beta", beta=repr(s.beta)) + "\n" if s.optimizer in ("momentum", "adam") else "",
        dtype=s.dtype,
        start=_start(s),
        sgd="\n\n" + sgd if sgd else "",
        nll=_fill(f"nll_{form}"),
        w0="theta0" if form == "logit" else "p0",
        optimizer="" if s.optimizer == "newton" else _fill(f"optimizer_{s.optimizer}") + "\n",
        columns=_fill(f"columns_{form}"),
        loss=_fill(f"loss_{s.loss}"),
        read=_fill(f"read_{form}"),
        finite=_fill(f"finite_{form}"),
        row=row,
        step=_step(s, row, every),
    )
    return script + "\n"


@functools.cache
def _sections() -> dict[str, string.Template]:
    """The sections of templates/torch_script.py.tmpl by name (see its "about")."""
    path = importlib.resources.files("bernoulli") / "templates" / "torch_script.py.tmpl"
    parts = re.split(r"^#> (\S+)\n", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {
        name: string.Template(text.removesuffix("\n"))
        for name, text in zip(parts[1::2], parts[2::2], strict=True)
    }


def _fill(section: str, **values) -> str:
    """A section of the script's template with its ${...} slots filled."""
    return _sections()[section].substitute(values)


def _header(source: Source, s: Settings, n: int, k: int, every: int) -> str:
    where = _fill(f"where_{source.kind}", n=n, k=k, true_p=repr(source.true_p), seed=source.seed)
    how = _fill(f"how_{s.optimizer}", beta=repr(s.beta), batch=s.batch_size, seed=s.seed)
    text = _fill(
        "header",
        where=where,
        name=OPTIMIZER_NAMES[s.optimizer],
        how=how,
        scale=_SCALE[s.loss],
        param=s.param,
        dtype=s.dtype,
        lr=repr(s.lr),
        steps=s.steps,
        p0=repr(initial_p(s)),
        needs="torch and numpy" if s.optimizer == "sgd" and source.kind == "generate" else "torch",
        printed="every step" if every == 1 else f"every {every} steps and at the last",
    )
    return "\n".join(f"# {line}" for para in text.split("\n") for line in textwrap.wrap(para, 86))


def _start(s: Settings) -> str:
    """The lines that set p0 (and theta0 in logit)."""
    p0 = initial_p(s)
    lines = [_fill("drawn", seed=s.seed)] if s.p0 is None else []
    lines += [_fill("p0_notebook" if s.p0 == Settings().p0 else "p0", p0=repr(p0))]
    if s.param == "logit":
        lines += [_fill("theta0", theta0=repr(float(lk.logit(p0))))]
    return "\n".join(lines)


def _step(s: Settings, row: str, every: int) -> str:
    """The end of the loop: the gradient, printed (every `every` steps), and the step."""
    show = _fill("show", row=row) if every == 1 else _fill("show_every", row=row, every=every)
    if s.optimizer == "newton":
        return _fill("step_newton", show=show)
    if s.optimizer == "sgd":
        backward = _fill("backward_sgd", scale=" * n" if s.loss == "sum" else "")
    else:
        backward = _fill("backward")
    return _fill("step", backward=backward, show=show)


def _sgd_block(source: Source, s: Settings, n: int, k: int, values: np.ndarray | None) -> str:
    """Code that makes x, the sample's values as uint8, and the seeded minibatch draws."""
    draws = _fill("draws", batch=s.batch_size, seed=s.seed)
    if source.kind == "generate":
        sample = _fill("sgd_generate", seed=source.seed, true_p=repr(source.true_p))
        return f"{sample}\n{draws}"
    if source.kind == "notebook":
        values = data.notebook_sample().values  # (n, k) checked against it already
    elif values is None:
        raise ValueError("minibatch SGD needs the uploaded sample's values")
    elif n > MAX_EMBEDDED:
        raise ValueError(
            f"the sample has {n:,} values, too many to write into a script (at most "
            f"{MAX_EMBEDDED:,}): use gradient descent, which needs only n and k"
        )
    values = np.asarray(values)
    if values.shape != (n,) or np.count_nonzero(values) != k or np.any(values > 1):
        raise ValueError(f"the values must be n = {n} zeros and ones with k = {k} ones")
    digits = "".join("1" if v else "0" for v in values.tolist())
    width = 88
    chunks = "\n".join(f'    "{digits[i : i + width]}"' for i in range(0, len(digits), width))
    return f"{_fill('sgd_values', digits=chunks)}\n{draws}"
