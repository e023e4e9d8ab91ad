"""Exports: the CSV reads back exactly, the HTML page is self-contained and plays offline, and
the generated PyTorch script, run in a fresh interpreter, prints the library's trajectory.

Script runs are compared with ``optimize.run`` by exact float equality (both print ``repr``,
both run the same torch ops in the same dtype), except p in the logit parameterization, which
the script computes with ``math.exp`` and the library with numpy: there the tolerance is
1e-15 relative.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

from bernoulli.data import samples
from bernoulli.engine import optimize
from bernoulli.engine.optimize import Settings
from bernoulli.io import export
from bernoulli.io.share import Source
from bernoulli.plots.animated import animated_figure
from tests.helpers import SHOWS_LAST_FRAME, chromium, require_chromium

NOTEBOOK = samples.notebook_sample()


# --- the PyTorch script ------------------------------------------------------------------


def run_script(script: str, tmp_path: Path) -> tuple[list[str], np.ndarray, list[str]]:
    """Run a script in a fresh interpreter: its CSV header, rows (as floats) and other lines."""
    path = tmp_path / "bernoulli_run.py"
    path.write_text(script)
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=240, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = lines[0].split(",")
    rows = [line for line in lines[1:] if re.match(r"\d+,", line)]
    other = [line for line in lines[1:] if not re.match(r"\d+,", line)]
    table = np.array([[float(x) for x in row.split(",")] for row in rows])
    return header, table, other


def sample_of(source: Source, upload: samples.Sample | None = None) -> samples.Sample:
    if source.kind == "notebook":
        return NOTEBOOK
    if source.kind == "generate":
        return samples.generate(source.n, source.true_p, source.seed)
    return upload


def check_script(tmp_path, source: Source, settings: Settings, upload=None, every: int = 1):
    """Run the script and the library; assert the printed run equals the library's."""
    sample = sample_of(source, upload)
    traj = optimize.run(sample.n, sample.k, settings, sample.values)
    assert sample.origin == source
    script = export.torch_script(sample, settings, every=every)
    header, table, other = run_script(script, tmp_path)
    last = len(traj.p) - 1
    shown = [t for t in range(last + 1) if t % every == 0 or t == last]
    col = {name: table[:, i] for i, name in enumerate(header)}

    np.testing.assert_array_equal(col["step"], shown)
    if settings.param == "logit":
        assert header == ["step", "theta", "p", "loss", "grad_param"]
        np.testing.assert_array_equal(col["theta"], traj.param[shown])
        np.testing.assert_allclose(col["p"], traj.p[shown], rtol=1e-15, atol=0)
    else:
        assert header == ["step", "p", "loss", "grad_param"]
        np.testing.assert_array_equal(col["p"], traj.p[shown])
    np.testing.assert_array_equal(col["loss"], traj.loss[shown])
    np.testing.assert_array_equal(col["grad_param"], traj.grad_param[shown])
    assert math.isnan(col["grad_param"][-1])  # no step from the last point

    if traj.diverged_at is None:
        assert other == []
    else:
        assert len(other) == 1 and other[0].startswith(f"stopped at step {traj.diverged_at}: ")
    return traj, script


CASES = {
    # the notebook, replayed: float32 GD from p0 = 0.08385391, stalls in float32
    "notebook-gd-float32": (Source(), Settings()),
    "logit-momentum-float64": (
        Source(),
        Settings(
            lr=0.004,
            steps=300,
            p0=0.05,
            optimizer="momentum",
            beta=0.8,
            param="logit",
            dtype="float64",
        ),
    ),
    "adam-random-p0": (
        Source(),
        Settings(lr=0.03, steps=400, p0=None, seed=7, optimizer="adam", beta=0.85),
    ),
    "newton-p-float64": (Source(), Settings(lr=1.0, steps=12, optimizer="newton", dtype="float64")),
    # Newton in logit from close to the edge: the curvature n p (1 - p) vanishes
    "newton-logit-diverges": (
        Source(),
        Settings(lr=1.0, steps=30, p0=1e-6, optimizer="newton", param="logit"),
    ),
    "sgd-notebook": (
        Source(),
        Settings(lr=2e-4, steps=500, optimizer="sgd", batch_size=16, seed=3, dtype="float64"),
    ),
    # just above the local limit 2/H ≈ 0.00199: the oscillation grows until p leaves (0, 1)
    "divergent-lr": (Source(), Settings(lr=0.0021, p0=0.7)),
    "generated-gd-mean": (
        Source("generate", 5000, 0.3, 11),
        Settings(lr=0.5, steps=200, loss="mean", dtype="float64"),
    ),
    "generated-sgd-logit-mean": (
        Source("generate", 3000, 0.62, 5),
        Settings(
            lr=0.5,
            steps=300,
            optimizer="sgd",
            batch_size=50,
            seed=9,
            loss="mean",
            param="logit",
            dtype="float32",
        ),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_script_reproduces_run(tmp_path, case):
    source, settings = CASES[case]
    traj, script = check_script(tmp_path, source, settings)
    needs_numpy = (source.kind, settings.optimizer) == ("generate", "sgd")
    assert ("import numpy as np" in script) == needs_numpy
    if case == "notebook-gd-float32":
        assert traj.status == "stalled"  # the notebook's float32 stall, replayed
    if case in ("divergent-lr", "newton-logit-diverges"):
        assert traj.status == "diverged" and traj.diverged_at > 0


def test_script_divergence_step_and_line(tmp_path):
    settings = Settings(lr=0.0021, p0=0.7)
    traj = optimize.run(NOTEBOOK.n, NOTEBOOK.k, settings)
    assert traj.diverged_at == 20
    _, table, other = run_script(export.torch_script(NOTEBOOK, settings), tmp_path)
    assert traj.diverged_at == int(table[-1, 0]) == len(table) - 1
    assert not 0 < table[-1, 1] < 1  # p outside (0, 1), printed as it is
    assert other == [
        f"stopped at step {traj.diverged_at}: p left (0, 1), p = {float(traj.p[-1])!r}"
    ]


def test_script_every_kth_step(tmp_path):
    check_script(tmp_path, Source(), Settings(lr=0.0021, p0=0.7), every=7)  # diverges at 20
    check_script(tmp_path, Source(), Settings(steps=95), every=10)  # last step 95 still shown


def test_script_sgd_on_upload(tmp_path):
    rng = np.random.default_rng(1)
    values = (rng.random(333) < 0.4).astype(np.uint8)
    upload = samples.Sample(333, int(values.sum()), values, "upload.csv")
    settings = Settings(lr=1e-3, steps=200, optimizer="sgd", batch_size=8, seed=2)
    check_script(tmp_path, Source("upload"), settings, upload)


def test_script_header_names_the_run():
    settings = Settings(lr=0.01, p0=None, seed=4, optimizer="adam", beta=0.5)
    sample = samples.Sample(1000, 260, None, "generated", Source("generate", 1000, 0.25, 8))
    script = export.torch_script(sample, settings)
    head = script.split("\n\n")[0]
    assert "Data: n = 1000 values drawn from Bernoulli(0.25) with numpy seed 8, k = 260" in head
    assert "Run: Adam (torch.optim.Adam with betas (0.5, 0.999)) on the summed NLL in p," in head
    p0 = optimize.initial_p(settings)
    assert f"from p0 = {p0!r}" in head and f"\np0 = {p0!r}\n" in script
    assert "manual_seed(4)" in script  # how p0 was drawn, for the reader
    assert "python bernoulli_run.py" in head
    compile(script, "bernoulli_run.py", "exec")


def test_script_refuses_what_it_cannot_reproduce():
    sgd = Settings(optimizer="sgd")
    with pytest.raises(ValueError, match="needs the uploaded sample's values"):
        export.torch_script(samples.Sample(10, 3, None, "upload.csv"), sgd)
    big = np.zeros(export.MAX_EMBEDDED + 1, dtype=np.uint8)
    with pytest.raises(ValueError, match="too many to write into a script"):
        export.torch_script(samples.Sample(big.size, 0, big, "upload.csv"), sgd)
    with pytest.raises(ValueError, match="exactly k=4 ones"):  # values that are not (n, k)
        export.torch_script(samples.Sample(5, 4, np.array([1, 1, 0, 0, 0], np.uint8), "u"), sgd)
    with pytest.raises(ValueError, match="has n = 50, not 60"):
        generated = samples.Sample(60, 30, None, "g", Source("generate", 50, 0.5, 0))
        export.torch_script(generated, Settings())
    with pytest.raises(ValueError, match="notebook sample has n = 200, k = 145"):
        export.torch_script(samples.Sample(200, 144, None, "nb", Source()), Settings())
    with pytest.raises(ValueError, match="k <= n"):
        export.torch_script(samples.Sample(10, 11, None, "nb", Source()), Settings())
    # a large upload is fine without SGD: the loss needs only n and k
    script = export.torch_script(samples.Sample(10**7, 4 * 10**6, None, "big.csv"), Settings())
    assert "n, k = 10000000, 4000000" in script


# --- CSV ---------------------------------------------------------------------------------


def read_csv(text: str) -> tuple[list[str], dict[str, np.ndarray]]:
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    return header, {name: np.array([float(r[i]) for r in body]) for i, name in enumerate(header)}


@pytest.mark.parametrize(
    "settings",
    [Settings(), Settings(lr=0.004), Settings(param="logit", dtype="float64", lr=0.02)],
    ids=["stalls", "diverges", "logit"],
)
def test_csv_round_trips(settings):
    traj = optimize.run(NOTEBOOK.n, NOTEBOOK.k, settings)
    text = export.trajectory_csv(traj)
    assert text.startswith("step,p,param,nll,grad,loss,grad_param\n") and text.endswith("\n")
    assert text.count("\n") == len(traj.p) + 1  # the header and every step, nothing else
    header, cols = read_csv(text)
    assert header == list(export.CSV_COLUMNS)
    np.testing.assert_array_equal(cols["step"], traj.steps)
    for name in header[1:]:
        np.testing.assert_array_equal(cols[name], getattr(traj, name))  # exact, NaN at NaN
    assert math.isnan(cols["grad_param"][-1])
    if traj.diverged_at is not None:
        last = text.splitlines()[-1].split(",")
        assert last[0] == str(traj.diverged_at) and last[3:5] == ["nan", "nan"]  # nll, grad


def test_csv_writes_infinities_and_nan():
    traj = optimize.run(NOTEBOOK.n, NOTEBOOK.k, Settings(steps=3))
    odd = dataclasses.replace(
        traj, nll=np.array([np.inf, -np.inf, np.nan, 1.5]), grad=np.array([0.1, 1e-300, 2, 3])
    )
    lines = export.trajectory_csv(odd).splitlines()
    assert [line.split(",")[3] for line in lines[1:]] == ["inf", "-inf", "nan", "1.5"]
    assert lines[2].split(",")[4] == "1e-300"
    np.testing.assert_array_equal(read_csv("\n".join(lines))[1]["nll"], odd.nll)


# --- HTML --------------------------------------------------------------------------------


def small_animation() -> go.Figure:
    """A hand-built figure with three frames and a play button."""
    frames = [go.Frame(name=str(t), data=[go.Scatter(x=[t], y=[t * t])]) for t in range(3)]
    play = {"label": "Play", "method": "animate", "args": [None, {"frame": {"redraw": False}}]}
    return go.Figure(
        data=[go.Scatter(x=[0], y=[0], mode="markers")],
        layout={
            "xaxis": {"range": [0, 3]},
            "yaxis": {"range": [0, 5]},
            "updatemenus": [{"type": "buttons", "buttons": [play]}],
        },
        frames=frames,
    )


def assert_self_contained(page: str) -> str:
    """The page holds plotly.js verbatim and nothing else in it points to the network."""
    bundle = get_plotlyjs()
    assert page.count(bundle) == 1  # plotly.js inline, whole
    rest = page.replace(bundle, "")
    # The bundle itself names URLs it never fetches for these traces (e.g. the topojson
    # default https://cdn.plot.ly/un/ for maps); the page around it names none at all.
    # ("http" or "//" may occur by chance in base64 number blocks; "http:" cannot)
    assert not re.search(r"(https?|ftp|wss?):|cdn\.plot\.ly", rest, re.IGNORECASE)
    assert not re.search(r"<[a-z][^>]*\b(src|href)\s*=", rest, re.IGNORECASE)  # no tag loads
    assert 'src="http' not in page and "<link" not in page
    return rest


def test_html_small_figure_is_self_contained():
    page = export.animation_html(small_animation(), title="Run <b>&</b> co")
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    rest = assert_self_contained(page)
    assert "<title>Run &lt;b&gt;&amp;&lt;/b&gt; co</title>" in rest
    assert '"displaylogo": false' in rest
    assert "Plotly.addFrames(" in rest and '"name":"2"' in rest  # the frames are there
    # No autoplay: it waits for the play button. Plotly.animate is called once, by the
    # handler of the step buttons (one slider stop back or on).
    assert rest.count("Plotly.animate(") == 1
    assert rest.index("plotly_buttonclicked") < rest.index("Plotly.animate(")


def test_html_of_real_1000_step_run(tmp_path):
    traj = optimize.run(NOTEBOOK.n, NOTEBOOK.k, Settings())
    fig = animated_figure(traj)
    page = export.animation_html(fig)
    rest = assert_self_contained(page)
    for frame in fig.frames:
        assert f'"name":"{frame.name}"' in rest
    assert len(fig.frames) > 100
    size = len(page.encode("utf-8"))
    print(f"HTML export of a 1000-step run: {size:,} bytes, {len(fig.frames)} frames")
    assert size < len(get_plotlyjs()) + 1_000_000  # the figure adds well under 1 MB


@pytest.mark.e2e
def test_html_plays_offline_in_chromium(tmp_path):
    """Opened from a file with the network off, the animation plays to its last frame."""
    require_chromium()
    traj = optimize.run(NOTEBOOK.n, NOTEBOOK.k, Settings(steps=60, lr=1e-4))
    fig = animated_figure(traj)
    path = tmp_path / "run.html"
    path.write_text(export.animation_html(fig), encoding="utf-8")
    requested = []
    with chromium() as browser:
        context = browser.new_context(offline=True, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.on("request", lambda r: requested.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_function("document.querySelector('.plotly-graph-div')?._fullLayout")
        frames = page.evaluate(
            "document.querySelector('.plotly-graph-div')._transitionData._frames.length"
        )
        assert frames == len(fig.frames) > 2
        assert not page.evaluate(SHOWS_LAST_FRAME)  # it waits for the play button
        page.get_by_text(re.compile("Play")).first.click()
        page.wait_for_function(SHOWS_LAST_FRAME, timeout=30_000)
    assert all(url.startswith("file://") for url in requested), requested
