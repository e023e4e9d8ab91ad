"""Maximum likelihood for a Bernoulli p, with PyTorch: watch what the learning rate does.

Run it with ``streamlit run app.py``. The page, top to bottom: the samples and the optimizer
settings in the sidebar, then either the animated run (banner, figure, results, formulas,
trajectory table) or the divergence explorer. Every widget keeps its value in
``st.session_state`` under an explicit key; `settings_from_state` and `state_from_settings`
are the one place that maps those keys to and from `bernoulli.optimize.Settings`.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import fields

import numpy as np
import pandas as pd
import streamlit as st

import explorer
from bernoulli import data, export
from bernoulli import likelihood as lk
from bernoulli import optimize as opt
from bernoulli.figures import animated_figure, frame_indices
from bernoulli.optimize import OPTIMIZER_NAMES, Settings, Trajectory

NOTEBOOK_P0 = 0.08385391  # reproduces every row the notebook printed
LR_MIN, LR_MAX = 1e-12, 1e6  # what the exact input accepts; the slider spans 1e-7 .. 10
LR_GRID = (*(float(f"{m}e{e}") for e in range(-7, 1) for m in (1, 1.5, 2, 3, 5, 7)), 10.0)
SECONDS_PER_STEP = 2e-4  # one real torch forward + backward + step, measured on this machine
SOURCES = {"notebook": "The notebook's 200 samples", "generate": "Generate", "upload": "Upload"}
VIEWS = {"run": "Watch gradient descent", "explore": "Divergence explorer"}
REGIME_WORDS = {
    "monotone": "monotone (lr < 1/H): p walks straight to p̂",
    "oscillating": "oscillating (1/H < lr < 2/H): p overshoots p̂ and zig-zags in",
    "unstable": "beyond the local limit (lr > 2/H): every step overshoots by more than it fixes",
}

# Session-state keys of the widgets that decide a run, and the defaults the page opens with.
DEFAULTS = {
    "source": "notebook",
    "gen_n": 200,
    "gen_p": 0.7,
    "gen_seed": 0,
    "lr": Settings.lr,
    "lr_slider": Settings.lr,
    "steps": Settings.steps,
    "p0_mode": "fixed",
    "p0": NOTEBOOK_P0,
    "seed": Settings.seed,
    "optimizer": Settings.optimizer,
    "beta": Settings.beta,
    "batch_size": Settings.batch_size,
    "param": Settings.param,
    "loss": Settings.loss,
    "dtype": Settings.dtype,
    "tol": Settings.tol,
    "view": "run",
    "log_grad": False,
    "table_every": 100,
}


def settings_from_state(state) -> Settings:
    """The optimizer settings the widgets show."""
    values = {f.name: state[f.name] for f in fields(Settings)}
    if state["p0_mode"] == "random":
        values["p0"] = None
    values["steps"] = int(values["steps"])
    values["seed"] = int(values["seed"])
    values["batch_size"] = int(values["batch_size"])
    return Settings(**values)


def state_from_settings(settings: Settings) -> dict:
    """The widget values that show these settings (a random p0 keeps the fixed value shown)."""
    values = {f.name: getattr(settings, f.name) for f in fields(Settings)}
    values["p0_mode"] = "random" if settings.p0 is None else "fixed"
    if settings.p0 is None:
        del values["p0"]
    values["lr_slider"] = nearest_lr(settings.lr)
    return values


def nearest_lr(lr: float) -> float:
    """The slider value closest to lr on a log scale."""
    return min(LR_GRID, key=lambda x: abs(math.log(x / lr)))


def _sync_lr_from_slider():
    st.session_state.lr = st.session_state.lr_slider


def _sync_lr_from_number():
    st.session_state.lr_slider = nearest_lr(st.session_state.lr)


# --- presets ---------------------------------------------------------------------------


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


PRESETS = {
    "notebook": (
        "Replay the notebook",
        "Its sample, p0 = 0.08385391, lr = 2e-5, 1000 steps, "
        "float32, summed NLL: the run the notebook printed.",
    ),
    "smooth": ("Smooth convergence", "lr = 0.2/H: a monotone walk to the MLE."),
    "oscillation": ("Oscillation", "lr = 1.5/H from p0 = p̂ ∓ 0.125: p overshoots and zig-zags in."),
    "divergence": (
        "Divergence",
        "lr = 1.03 × 2/H from p0 = p̂ ∓ 0.025: the zig-zag grows until p leaves (0, 1).",
    ),
}


def apply_preset(name: str) -> None:
    """Set the widgets to a preset (a callback: it runs before the widgets are drawn)."""
    state = st.session_state
    if name == "notebook":
        state.source = "notebook"
        sample = notebook_sample()
    else:
        sample = state._sample
    state.update(state_from_settings(preset_settings(name, sample.n, sample.k)))
    state.view = "run"


# --- cached computations (keyed on scalars, never on arrays) ----------------------------


@st.cache_resource(show_spinner=False)
def notebook_sample() -> data.Sample:
    return data.notebook_sample()


@st.cache_resource(show_spinner=False, max_entries=8)
def generated_sample(n: int, true_p: float, seed: int) -> data.Sample:
    return data.generate(n, true_p, seed)


@st.cache_data(show_spinner=False, max_entries=64)
def run_cached(n: int, k: int, settings: Settings, values_key: str) -> Trajectory:
    """One run. `values_key` names the sample's raw values when minibatch SGD needs them."""
    values = None
    if settings.optimizer == "sgd":
        sample = st.session_state._sample
        assert st.session_state._sample_key == values_key, "values must match their key"
        values = sample.values
    return opt.run(n, k, settings, values)


@st.cache_resource(show_spinner=False, max_entries=16)
def figure_cached(n: int, k: int, settings: Settings, values_key: str, log_grad: bool):
    """The animated figure; shared, never modified (st.plotly_chart copies it)."""
    return animated_figure(run_cached(n, k, settings, values_key), log_grad=log_grad)


# --- the sidebar: samples ----------------------------------------------------------------


def use_sample(key: str, sample: data.Sample) -> None:
    st.session_state._sample_key = key
    st.session_state._sample = sample


def samples_section() -> data.Sample:
    """Where the samples come from; returns the sample in use (the last valid one)."""
    state = st.session_state
    side = st.sidebar
    side.header("1 · Samples")
    source = side.radio(
        "Samples",
        list(SOURCES),
        key="source",
        format_func=SOURCES.get,
        label_visibility="collapsed",
    )
    if source == "notebook":
        use_sample("notebook", notebook_sample())
    elif source == "generate":
        left, right = side.columns(2)
        n = left.number_input("n", 1, data.MAX_VALUES, step=1, key="gen_n", persist_state="page")
        seed = right.number_input(
            "seed", 0, 2**32 - 1, step=1, key="gen_seed", persist_state="page"
        )
        true_p = side.slider(
            "true p", 0.0, 1.0, step=0.005, key="gen_p", format="%.3f", persist_state="page"
        )
        n, seed = int(n), int(seed)
        use_sample(f"gen:{n}:{true_p!r}:{seed}", generated_sample(n, true_p, seed))
    else:
        upload_section()

    sample = state._sample
    side.markdown(
        f"**{sample.source}**  \nn = **{sample.n:,}**, k = **{sample.k:,}** ones, "
        f"sample mean k/n = **{sample.mean:.6g}**"
    )
    # The data in one picture: how many 0s and 1s (bars scaled to n).
    counts = pd.DataFrame({"value": ["0", "1"], "count": [sample.n - sample.k, sample.k]})
    side.dataframe(
        counts,
        hide_index=True,
        width="stretch",
        column_config={
            "value": st.column_config.TextColumn("value", width="small"),
            "count": st.column_config.ProgressColumn(
                "count", min_value=0, max_value=sample.n, format="%d"
            ),
        },
    )
    return sample


def upload_section() -> None:
    """A file upload, parsed only when the file (or its chosen column) changes.

    A rejected file keeps the previous valid sample and every setting: the error is shown
    here, the page goes on with the sample it had.
    """
    state = st.session_state
    side = st.sidebar
    file = side.file_uploader(
        f"A text file of 0/1 values (up to {data.MAX_BYTES // 2**20} MB)",
        key="upload",
        help="One value a line, or a column of a CSV. 0/1, true/false, yes/no are accepted.",
    )
    if file is None:
        if not state._sample_key.startswith("upload:"):
            side.info(f"Choose a file. Until then the page keeps using: {state._sample.source}.")
        return
    if state.get("_upload_file") != file.file_id:  # a new file: forget the old one's columns
        state._upload_file = file.file_id
        state._upload_columns = None
        state._upload_error = None
        state._upload_parsed = None
        state.upload_column = None
    column = state.get("upload_column")
    if state._upload_parsed != (file.file_id, column):
        state._upload_parsed = (file.file_id, column)
        content = file.getvalue()
        try:
            sample = data.parse_samples(content, file.name, column)
        except data.DataError as error:
            state._upload_error = str(error)
            state._upload_columns = error.columns or state._upload_columns
        else:
            state._upload_error = None
            digest = hashlib.sha256(content).hexdigest()
            use_sample(f"upload:{digest}:{column}", sample)
    columns = state._upload_columns
    if columns:  # a file of several columns: the user says which one holds the values
        side.selectbox(
            "Column",
            range(1, len(columns) + 1),
            key="upload_column",
            index=None,
            format_func=lambda i: f"{i}: {columns[i - 1]}",
            placeholder="Choose the column",
            persist_state="page",
        )
    if state._upload_error:
        side.error(f"{state._upload_error}  \nStill using: {state._sample.source}.")


# --- the sidebar: optimizer settings -----------------------------------------------------


def regime_note(n: int, k: int, s: Settings) -> str:
    """The stability threshold for these data and settings, and where the lr sits."""
    th = lk.thresholds(n, k, s.param, s.loss)
    if th.note:
        return th.note
    limits = f"2/H = **{th.stable:.4g}**, 1/H = {th.monotone:.4g} (H = {th.curvature:.4g})"
    if s.optimizer in ("gd", "sgd"):
        ratio = s.lr / th.stable
        noise = " SGD adds minibatch noise on top." if s.optimizer == "sgd" else ""
        return (
            f"{limits}.  \nlr = {s.lr:.4g} = {ratio:.3g} × 2/H: "
            f"**{REGIME_WORDS[th.regime(s.lr)]}**.{noise}"
        )
    if s.optimizer == "momentum":
        limit = th.momentum_stable(s.beta)
        word = "stable" if s.lr < limit else "**beyond the local limit**"
        return (
            f"{limits}.  \nWith momentum β = {s.beta:g} the local limit is (2 + 2β)/H = "
            f"**{limit:.4g}**: lr = {s.lr:.4g} is {word} (lr/limit = {s.lr / limit:.3g})."
        )
    if s.optimizer == "adam":
        return (
            f"{limits}.  \nAdam divides by the gradient's running size, so its steps are "
            f"about lr = {s.lr:.4g} wherever p is: 2/H does not limit it."
        )
    word = "monotone" if s.lr < 1 else ("oscillating" if s.lr < 2 else "beyond the local limit")
    return (
        f"{limits}.  \nNewton divides by H itself: its local limits are lr = 1 and 2, "
        f"so lr = {s.lr:.4g} is **{word}**."
    )


def optimizer_section(sample: data.Sample) -> Settings:
    """The optimizer settings; returns them as one frozen Settings."""
    side = st.sidebar
    side.header("2 · Optimizer")
    side.select_slider(
        "Learning rate (log scale)",
        LR_GRID,
        key="lr_slider",
        on_change=_sync_lr_from_slider,
        format_func=lambda x: f"{x:.2g}",
    )
    side.number_input(
        "Exact learning rate",
        LR_MIN,
        LR_MAX,
        step=1e-6,
        format="%.4e",
        key="lr",
        on_change=_sync_lr_from_number,
    )
    regime_box = side.container()
    steps = side.number_input("Steps", 1, opt.MAX_STEPS, step=100, key="steps")
    if steps * SECONDS_PER_STEP > 2:
        side.caption(f"{steps:,} real torch steps take about {steps * SECONDS_PER_STEP:.0f} s.")
    p0_mode = side.radio(
        "Start p0",
        ["fixed", "random"],
        key="p0_mode",
        horizontal=True,
        format_func={"fixed": "fixed value", "random": "random (seeded)"}.get,
    )
    left, right = side.columns(2)
    if p0_mode == "fixed":
        left.number_input("p0", 0.0, 1.0, step=0.01, format="%.8f", key="p0", persist_state="page")
    right.number_input(
        "seed",
        0,
        2**53 - 1,
        step=1,
        key="seed",
        help="Seeds the random p0 (torch.rand) and the minibatch draws.",
    )
    optimizer = side.selectbox(
        "Optimizer", opt.OPTIMIZERS, key="optimizer", format_func=OPTIMIZER_NAMES.get
    )
    if optimizer in ("momentum", "adam"):
        side.slider(
            "β (momentum; Adam's β₁)", 0.0, 0.99, step=0.01, key="beta", persist_state="page"
        )
    if optimizer == "sgd":
        side.number_input(
            "Batch size (drawn with replacement)",
            1,
            100_000,
            step=1,
            key="batch_size",
            persist_state="page",
        )
    side.radio(
        "Parameter",
        opt.PARAMS,
        key="param",
        horizontal=True,
        format_func={"p": "p", "logit": "logit θ (p = σ(θ))"}.get,
    )
    side.radio(
        "Loss",
        opt.LOSSES,
        key="loss",
        horizontal=True,
        format_func={"sum": "sum (notebook)", "mean": "mean"}.get,
    )
    side.radio("dtype", list(opt.DTYPES), key="dtype", horizontal=True)
    with side.expander("Convergence tolerance"):
        st.number_input("converged once |p − p̂| ≤", 1e-15, 0.1, format="%.1e", step=1e-7, key="tol")
    settings = settings_from_state(st.session_state)
    regime_box.markdown(regime_note(sample.n, sample.k, settings))
    return settings


def presets_section() -> None:
    side = st.sidebar
    side.subheader("Presets", help="Each sets the widgets below; change anything afterwards.")
    for name, (label, help_text) in PRESETS.items():
        side.button(
            label,
            key=f"preset_{name}",
            help=help_text,
            on_click=apply_preset,
            args=(name,),
            width="stretch",
        )


# --- the main view: one run, animated -----------------------------------------------------


def banner(traj: Trajectory) -> None:
    """How the run ended, in words first (never colour alone)."""
    if traj.status == "diverged":
        st.error(traj.message, icon=":material/error:")
    elif traj.status == "converged":
        st.success(traj.message, icon=":material/check_circle:")
    elif traj.status == "stalled":
        extra = ""
        if traj.settings.dtype == "float32":
            extra = " This is what the notebook's float32 run did. Try float64."
        st.warning(traj.message + extra, icon=":material/pause_circle:")
    else:
        st.info(traj.message, icon=":material/info:")


def run_view(sample: data.Sample, settings: Settings, option_box) -> None:
    """The animated run: banner, figure, results, formulas, trajectory table."""
    values_key = st.session_state._sample_key if settings.optimizer == "sgd" else ""
    args = (sample.n, sample.k, settings, values_key)
    slow = settings.steps * SECONDS_PER_STEP > 2
    with st.spinner(f"Running {settings.steps:,} torch steps…" if slow else "Running…"):
        traj = run_cached(*args)
    banner(traj)

    log_grad = option_box.toggle(
        "log |gradient|",
        key="log_grad",
        help="|dNLL/dp| spans orders of magnitude: show it on a log axis.",
    )
    fig = figure_cached(*args, log_grad)
    st.plotly_chart(
        fig, width="stretch", theme=None, config={"displaylogo": False, "scrollZoom": False}
    )
    shown = len(frame_indices(len(traj.p), traj.diverged_at))
    st.caption(
        f"(a) the {settings.loss} NLL over p, with the MLE and p moving along it (the trail is "
        f"its last 10 steps); (b) the loss and (c) the real gradient at every step. The "
        f"animation shows {shown} of the {len(traj.p)} steps: every step at first, sparser "
        "later, always the first, the last and any divergence step."
    )
    results(traj)
    formulas(traj)
    trajectory_table(traj)


def results(traj: Trajectory) -> None:
    st.subheader("Results")
    n, k = traj.n, traj.k
    p_hat = traj.mle
    last = len(traj.p) - 1
    cols = [*st.columns(3), *st.columns(3)]
    cols[0].metric("closed-form MLE p̂ = k/n", f"{p_hat:.8g}")
    gap = traj.final_p - p_hat
    cols[1].metric(
        f"final p (step {last})",
        f"{traj.final_p:.8g}",
        delta=f"{gap:+.3g} from p̂" if math.isfinite(gap) else None,
        delta_color="off",
    )
    cols[2].metric(f"final {traj.settings.loss} NLL", _num(traj.nll[-1]))
    cols[3].metric("final dNLL/dp", _num(traj.grad[-1]))
    cols[4].metric("status", traj.status.replace("_", " "))
    cols[5].metric("steps to converge", "—" if traj.converged_at is None else traj.converged_at)
    if not lk.on_boundary(n, k):
        rows = [(iv.name, iv.low, iv.high, iv.note) for iv in lk.intervals(n, k)]
        table = pd.DataFrame(rows, columns=["95% interval", "low", "high", "note"])
        st.caption(f"Standard error of p̂: √(p̂(1 − p̂)/n) = {lk.standard_error(n, k):.6g}")
        st.dataframe(
            table,
            hide_index=True,
            column_config={
                "low": st.column_config.NumberColumn(format="%.6f"),
                "high": st.column_config.NumberColumn(format="%.6f"),
            },
        )


def _num(x: float) -> str:
    return f"{x:.8g}" if math.isfinite(x) else ("undefined" if math.isnan(x) else str(x))


def formulas(traj: Trajectory) -> None:
    s, n, k = traj.settings, traj.n, traj.k
    mean = s.loss == "mean"
    scale = r"\frac{1}{n}" if mean else ""
    with st.expander("The formulas", expanded=False):
        st.latex(
            rf"\mathrm{{NLL}}(p) = -{scale}\sum_{{i=1}}^{{n}} \log\bigl(x_i p + (1-x_i)(1-p)\bigr)"
            rf" = -{scale}\bigl(k \log p + (n-k)\log(1-p)\bigr),\quad n = {n},\ k = {k}"
        )
        st.latex(
            rf"\frac{{d\,\mathrm{{NLL}}}}{{dp}} = {scale}\Bigl(-\frac{{k}}{{p}}"
            r" + \frac{n-k}{1-p}\Bigr)"
        )
        w = "p" if s.param == "p" else r"\theta"
        if s.param == "logit":
            st.latex(
                rf"p = \sigma(\theta),\quad \frac{{d\,\mathrm{{NLL}}}}{{d\theta}} = "
                rf"{scale}\bigl(n\,\sigma(\theta) - k\bigr)"
            )
        g = rf"g_t = \frac{{d\,\mathrm{{NLL}}}}{{d{w}}}({w}_t)"
        eta = rf"\eta = {_tex(s.lr)}"
        rule = {
            "gd": rf"{w}_{{t+1}} = {w}_t - \eta\, g_t",
            "momentum": (
                rf"v_{{t+1}} = \beta v_t + g_t,\quad {w}_{{t+1}} = {w}_t - \eta\, v_{{t+1}}"
            ),
            "adam": (
                rf"m_t = \beta_1 m_{{t-1}} + (1-\beta_1) g_t,\ v_t = \beta_2 v_{{t-1}} + "
                rf"(1-\beta_2) g_t^2,\ {w}_{{t+1}} = {w}_t - \eta\,"
                r"\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + 10^{-8}}"
            ),
            "newton": rf"{w}_{{t+1}} = {w}_t - \eta\,\frac{{g_t}}{{H({w}_t)}}",
            "sgd": (
                rf"{w}_{{t+1}} = {w}_t - \eta\, \hat g_t,\ \hat g_t = \text{{gradient of }}"
                rf"{'n' if not mean else ''}\cdot\text{{mean NLL of {s.batch_size} draws}}"
            ),
        }[s.optimizer]
        st.latex(rf"{g},\qquad {rule},\qquad {eta}")
        th = lk.thresholds(n, k, s.param, s.loss)
        if th.note:
            st.markdown(th.note)
        else:
            h = {
                ("p", "sum"): r"H = \frac{n}{\hat p(1-\hat p)}",
                ("p", "mean"): r"H = \frac{1}{\hat p(1-\hat p)}",
                ("logit", "sum"): r"H = n\,\hat p(1-\hat p)",
                ("logit", "mean"): r"H = \hat p(1-\hat p)",
            }[s.param, s.loss]
            st.latex(
                rf"{w}_{{t+1}} - \hat{{{w}}} \approx (1 - \eta H)\,({w}_t - \hat{{{w}}}),"
                rf"\quad {h} = "
                rf"{_tex(th.curvature)},\quad \frac{{2}}{{H}} = {_tex(th.stable)},\ "
                rf"\frac{{1}}{{H}} = {_tex(th.monotone)}"
            )


def _tex(x: float) -> str:
    """x to 4 significant digits in LaTeX, with a power of ten rather than an "e"."""
    text = f"{x:.4g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def trajectory_table(traj: Trajectory) -> None:
    st.subheader("Trajectory")
    left, right = st.columns([1, 3])
    every = int(
        left.number_input("Show every K-th step", 1, opt.MAX_STEPS, step=10, key="table_every")
    )
    right.caption(
        "Like the notebook's printout, with the real gradient (the notebook printed 0: it "
        "zeroed the gradient before printing it). p_t is before the update of step t, p_(t+1) "
        "after; the last step and a divergence step are always listed."
    )
    last = len(traj.p) - 1
    rows = np.union1d(np.arange(0, last + 1, every), [last])
    after = np.append(traj.p[1:], np.nan)[rows]
    table = pd.DataFrame(
        {
            "t": rows,
            "NLL(p_t)": traj.nll[rows],
            "p_t": traj.p[rows],
            "p_(t+1)": after,
            "dNLL/dp at p_t": traj.grad[rows],
            f"torch loss ({traj.settings.dtype})": traj.loss[rows],
        }
    )
    fmt = st.column_config.NumberColumn
    st.dataframe(
        table,
        hide_index=True,
        height=min(38 + 35 * len(rows), 420),
        column_config={
            "NLL(p_t)": fmt(format="%.8f"),
            "p_t": fmt(format="%.8f"),
            "p_(t+1)": fmt(format="%.8f"),
            "dNLL/dp at p_t": fmt(format="%.6g"),
        },
    )
    st.download_button(
        "Download the full trajectory (CSV)",
        lambda: export.trajectory_csv(traj),
        file_name="trajectory.csv",
        mime="text/csv",
        key="download_csv",
        on_click="ignore",
    )


# --- the page --------------------------------------------------------------------------

st.set_page_config(
    page_title="Bernoulli MLE: what the learning rate does", page_icon="🎯", layout="wide"
)
for key, value in DEFAULTS.items():
    st.session_state.setdefault(key, value)
if "_sample" not in st.session_state:
    use_sample("notebook", notebook_sample())

# Less blank space above the title: on a projector the figure should start high up.
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>")
st.title("Bernoulli MLE, step by step")
st.markdown(
    "Real PyTorch gradient steps on the negative log-likelihood of 0/1 samples, as in the "
    "notebook: watch p move on the NLL curve, and see **when the learning rate makes it "
    "oscillate, or throws p out of (0, 1)**."
)
presets_section()
sample = samples_section()
settings = optimizer_section(sample)

view_box, option_box = st.columns([3, 2], vertical_alignment="center")
view = view_box.segmented_control(
    "View",
    list(VIEWS),
    key="view",
    format_func=VIEWS.get,
    required=True,
    label_visibility="collapsed",
)
if view == "run":
    run_view(sample, settings, option_box)
else:
    explorer.render(sample.n, sample.k, sample.values, settings)
