"""A run taken away: its trajectory as CSV, its animation as one offline HTML file, and a
short PyTorch script that repeats it step for step without this project.
"""

from __future__ import annotations

import html
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
    logit = s.param == "logit"
    loss = "nll(w, n, k) / n  # the mean loss" if s.loss == "mean" else "nll(w, n, k)"
    sgd = _sgd_lines(source, s, n, k, values) if s.optimizer == "sgd" else None

    out = _header(source, s, n, k, every)
    out += ["import math", ""]
    if sgd and source.kind == "generate":
        out += ["import numpy as np"]
    out += ["import torch", ""]
    out += [f"n, k = {n}, {k}  # samples, ones", f"lr, steps = {s.lr!r}, {s.steps}"]
    if s.optimizer in ("momentum", "adam"):
        out += [f"beta = {s.beta!r}"]
    out += [f"dtype = torch.{s.dtype}"]
    out += _start_lines(s)
    if sgd:
        out += ["", *sgd]
    out += ["", "", *_nll_lines(logit), "", ""]
    out += [f"w = torch.tensor({'theta0' if logit else 'p0'}, dtype=dtype, requires_grad=True)"]
    out += _optimizer_lines(s)
    columns = "step,theta,p,loss,grad_param" if logit else "step,p,loss,grad_param"
    row = "{t},{theta!r},{p!r},{value!r}" if logit else "{t},{p!r},{value!r}"
    out += [f'print("{columns}")', "for t in range(steps + 1):"]
    body = [f"loss = {loss}", "value = loss.item()"]
    if logit:
        body += ["theta = w.item()", "p = 1 / (1 + math.exp(-theta)) if theta >= 0 else "
                 "math.exp(theta) / (1 + math.exp(theta))"]  # fmt: skip
        finite = "math.isfinite(value) and math.isfinite(theta) and 0 <= p <= 1"
    else:
        body += ["p = w.item()"]
        finite = "math.isfinite(value) and 0 <= p <= 1"
    body += [
        f"if not ({finite}):",
        f'    print(f"{row},nan")',
        '    why = f"the loss is {value}" if 0 < p < 1 else "p left (0, 1)"',
        '    print(f"stopped at step {t}: {why}, p = {p!r}")',
        "    break",
        "if t == steps:",
        f'    print(f"{row},nan")  # the final point: no step from it',
        "    break",
    ]
    body += _step_lines(s, row, every)
    out += ["    " + line for line in body]
    return "\n".join(out) + "\n"


def _header(source: Source, s: Settings, n: int, k: int, every: int) -> list[str]:
    if source.kind == "notebook":
        where = f"the notebook's {n} samples, k = {k} ones"
    elif source.kind == "generate":
        where = (
            f"n = {n} values drawn from Bernoulli({source.true_p!r}) with numpy seed "
            f"{source.seed}, k = {k} ones"
        )
    else:
        where = f"an uploaded sample of n = {n} values, k = {k} ones"
    name = OPTIMIZER_NAMES[s.optimizer]
    how = {
        "gd": "torch.optim.SGD",
        "momentum": f"torch.optim.SGD with momentum {s.beta!r}",
        "adam": f"torch.optim.Adam with betas ({s.beta!r}, 0.999)",
        "newton": "w -= lr * dL/dw / d²L/dw², both by autograd",
        "sgd": f"torch.optim.SGD on {s.batch_size} values drawn per step, seed {s.seed}",
    }[s.optimizer]
    needs = "torch and numpy" if s.optimizer == "sgd" and source.kind == "generate" else "torch"
    printed = "every step" if every == 1 else f"every {every} steps and at the last"
    text = [
        "Repeats, step for step, a run of the Bernoulli maximum-likelihood app (bernoulli-mle).",
        f"Data: {where}.",
        f"Run: {name} ({how}) on the {_SCALE[s.loss]} NLL in {s.param}, {s.dtype}, "
        f"lr = {s.lr!r}, {s.steps} steps, from p0 = {initial_p(s)!r}.",
        f"Needs only {needs}. Run it: python bernoulli_run.py > run.csv",
        f"Prints CSV {printed}: p_t, the loss at p_t and the gradient torch steps with, "
        "printed before it is zeroed (the notebook zeroed it first, so it printed 0). If p "
        "leaves (0, 1) or the loss is not finite, it prints that point and a line saying so.",
    ]
    return [f"# {line}" for para in text for line in textwrap.wrap(para, 86)] + [""]


def _start_lines(s: Settings) -> list[str]:
    p0 = initial_p(s)
    lines = []
    if s.p0 is None:
        lines += [
            f"# p0 was drawn like the notebook's torch.rand(1), seeded with {s.seed}:",
            f"# torch.rand(1, generator=torch.Generator().manual_seed({s.seed}), "
            "dtype=torch.float64)",
        ]
    if s.p0 == Settings().p0:
        lines += [f"p0 = {p0!r}  # the notebook's torch.rand(1) draw"]
    else:
        lines += [f"p0 = {p0!r}"]
    if s.param == "logit":
        lines += [f"theta0 = {float(lk.logit(p0))!r}  # logit(p0) = log(p0) - log1p(-p0)"]
    return lines


def _nll_lines(logit: bool) -> list[str]:
    if logit:
        return [
            "def nll(theta, n, k):",
            '    """Summed NLL of n samples with k ones, in the logit theta (p = sigmoid(theta)).',
            "",
            "    The notebook's -sum_i log(x_i p + (1 - x_i)(1 - p)), grouped by value, is",
            "    -(k log p + (n - k) log(1 - p)) = n softplus(theta) - k theta.",
            '    """',
            "    return n * torch.nn.functional.softplus(theta) - k * theta",
        ]
    return [
        "def nll(p, n, k):",
        '    """Summed NLL of n samples with k ones.',
        "",
        "    The notebook's -sum_i log(x_i p + (1 - x_i)(1 - p)), grouped by value: k ones, n - k",
        "    zeros. Outside [0, 1] the log is NaN, and the run stops.",
        '    """',
        "    return -(k * torch.log(p) + (n - k) * torch.log(1 - p))",
    ]


def _optimizer_lines(s: Settings) -> list[str]:
    return {
        "gd": ["opt = torch.optim.SGD([w], lr=lr, foreach=False)"],
        "sgd": ["opt = torch.optim.SGD([w], lr=lr, foreach=False)"],
        "momentum": ["opt = torch.optim.SGD([w], lr=lr, momentum=beta, foreach=False)"],
        "adam": ["opt = torch.optim.Adam([w], lr=lr, betas=(beta, 0.999), foreach=False)"],
        "newton": [],
    }[s.optimizer] + [""]


def _step_lines(s: Settings, row: str, every: int) -> list[str]:
    show = f'print(f"{row},{{grad!r}}")'
    if every > 1:
        show = f"if t % {every} == 0:\n        {show}"
    else:
        show += "  # before the gradient is zeroed"
    if s.optimizer == "newton":
        return [
            "(g,) = torch.autograd.grad(loss, w, create_graph=True)  # dL/dw, kept differentiable",
            "(h,) = torch.autograd.grad(g, w)  # d²L/dw², the curvature",
            "grad = g.item()",
            show,
            "with torch.no_grad():",
            "    w -= lr * g.detach() / h",
        ]
    lines = []
    if s.optimizer == "sgd":
        scale = " * n" if s.loss == "sum" else ""
        lines += [
            "xb = x[torch.randint(n, (batch,), generator=draws)].to(dtype)  # with replacement",
            f"batch_loss = nll(w, xb.numel(), xb.sum()) / xb.numel(){scale}  # unbiased estimate",
            "batch_loss.backward()",
        ]
    else:
        lines += ["loss.backward()"]
    return [*lines, "grad = w.grad.item()", show, "opt.step()", "opt.zero_grad()"]


def _sgd_lines(source: Source, s: Settings, n: int, k: int, values: np.ndarray | None) -> list[str]:
    """Code that makes x, the sample's values as uint8, and the seeded minibatch draws."""
    draws = [
        f"batch = {s.batch_size}",
        f"draws = torch.Generator().manual_seed({s.seed})  # seeds the minibatch draws",
    ]
    if source.kind == "generate":
        return [
            "# The sample, regenerated as the app does: value i is 1 when the i-th",
            "# draw of numpy's PCG64 generator is below true_p.",
            f"values = np.random.Generator(np.random.PCG64({source.seed})).random(n) "
            f"< {source.true_p!r}",
            "x = torch.from_numpy(values.astype(np.uint8))",
            *draws,
        ]
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
    chunks = [f'    "{digits[i : i + width]}"' for i in range(0, len(digits), width)]
    return [
        "values = (  # the sample, in order",
        *chunks,
        ")",
        "x = torch.tensor([int(c) for c in values], dtype=torch.uint8)",
        *draws,
    ]
