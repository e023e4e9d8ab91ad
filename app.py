"""Maximum likelihood for a Bernoulli p, with PyTorch: watch what the learning rate does.

Run it with ``streamlit run app.py``. The page, top to bottom: the samples, the optimizer
settings and the share link in the sidebar, then either the animated run (banner, figure,
results, formulas, trajectory table, exports) or the divergence explorer. Every widget keeps
its value in ``st.session_state`` under an explicit key; `settings_from_state` and
`state_from_settings` are the one place that maps those keys to and from
`bernoulli.optimize.Settings`.

The URL holds the run: on a session's first run `restore_from_link` sets the widgets from
``st.query_params`` (`bernoulli.share.decode`, which notes what it ignored), and every run
writes the settings back (`bernoulli.share.encode`), so the address bar is always a link to
what is shown. Presenter mode (``present=1``) hides the sidebar behind a compact bar and
draws everything larger for a projector.
"""

from __future__ import annotations

import hashlib
import math
import re
import urllib.parse
from dataclasses import fields

import numpy as np
import pandas as pd
import streamlit as st

import explorer
from bernoulli import data, export, share
from bernoulli import likelihood as lk
from bernoulli import optimize as opt
from bernoulli.figures import animated_figure, frame_indices
from bernoulli.optimize import OPTIMIZER_NAMES, Settings, Trajectory
from bernoulli.share import Source

NOTEBOOK_P0 = 0.08385391  # reproduces every row the notebook printed
LR_MIN, LR_MAX = 1e-12, 1e6  # what the exact input accepts; the slider spans 1e-7 .. 10
LR_GRID = (*(float(f"{m}e{e}") for e in range(-7, 1) for m in (1, 1.5, 2, 3, 5, 7)), 10.0)
SECONDS_PER_STEP = 2e-4  # one real torch forward + backward + step, measured on this machine
SOURCES = {"notebook": "The notebook's 200 samples", "generate": "Generate", "upload": "Upload"}
VIEWS = {"run": "Watch gradient descent", "explore": "Divergence explorer"}
MAX_WIDGET_INT = 2**53 - 1  # the largest whole number a browser's number input holds exactly
PRESENT = "present"  # the link's key for presenter mode ("1"); share.decode knows the rest
FIGURE_HEIGHT = {False: 700, True: 600}  # px; presenting, the figure fits 1280×720
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
    "present": False,
    "show_script": False,
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


def plain(text: str) -> str:
    """Text (a file name) shown as itself in markdown: every ASCII punctuation escaped."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


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
def figure_cached(
    n: int, k: int, settings: Settings, values_key: str, log_grad: bool, presenter: bool
):
    """The animated figure; shared, never modified (st.plotly_chart copies it)."""
    return animated_figure(
        run_cached(n, k, settings, values_key),
        log_grad=log_grad,
        presenter=presenter,
        height=FIGURE_HEIGHT[presenter],
    )


# --- the sidebar: samples ----------------------------------------------------------------


def use_sample(key: str, sample: data.Sample, source: Source) -> None:
    """Make `sample` the one in use; `source` is how a link or a script can rebuild it."""
    st.session_state._sample_key = key
    st.session_state._sample = sample
    st.session_state._source = source


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
        use_sample("notebook", notebook_sample(), Source())
    elif source == "generate":
        left, right = side.columns(2)
        n = left.number_input("n", 1, data.MAX_VALUES, step=1, key="gen_n", persist_state="page")
        seed = right.number_input(
            "seed", 0, MAX_WIDGET_INT, step=1, key="gen_seed", persist_state="page"
        )
        true_p = side.slider(
            "true p", 0.0, 1.0, step=0.005, key="gen_p", format="%.3f", persist_state="page"
        )
        n, seed = int(n), int(seed)
        use_sample(
            f"gen:{n}:{true_p!r}:{seed}",
            generated_sample(n, true_p, seed),
            Source("generate", n, true_p, seed),
        )
    else:
        upload_section()

    sample = state._sample
    side.markdown(
        f"**{plain(sample.source)}**  \nn = **{sample.n:,}**, k = **{sample.k:,}** ones, "
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
            use_sample(f"upload:{digest}:{column}", sample, Source("upload"))
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
        MAX_WIDGET_INT,
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


# --- the link: the run in the URL ---------------------------------------------------------


def _present_from_link(values: list[str], notes: list[str]) -> bool:
    """present=1 or present=0 (one value); anything else is noted and ignored."""
    if len(set(values)) == 1 and values[0] in ("0", "1"):
        return values[0] == "1"
    given = f'="{share.shown(values[0])}"' if len(set(values)) == 1 else ""
    notes.append(f"Ignored {PRESENT}{given}: must be 1 (presenter mode) or 0.")
    return False


def restore_from_link() -> None:
    """On a session's first run, set the widgets from the URL's query parameters.

    A malformed or out-of-range parameter keeps its default and leaves a note in
    ``_link_notes`` (shown by `link_notes`); an upload link falls back on the notebook's
    sample until the file is uploaded again.
    """
    state = st.session_state
    if "_link_notes" in state:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    notes: list[str] = []
    if PRESENT in params:
        state.present = _present_from_link(params.pop(PRESENT), notes)
    if params:
        decoded = share.decode(params, views=VIEWS)
        source = decoded.source
        state.source = source.kind
        if source.kind == "generate":
            state.update(gen_n=source.n, gen_p=float(source.true_p), gen_seed=source.seed)
        state.update(state_from_settings(decoded.settings))
        state.view = decoded.view
        notes = [*decoded.notes, *notes]
    state._link_notes = notes


def link_notes() -> None:
    """What the opened link asked for and could not have, until the user dismisses it."""
    notes = st.session_state._link_notes
    if not notes:
        return
    upload = [note for note in notes if note == share.UPLOAD_NOTE]
    ignored = [note for note in notes if note != share.UPLOAD_NOTE]
    box, close = st.columns([12, 1], vertical_alignment="center")
    if ignored:
        box.warning(
            "Parts of this link were ignored (the rest of it was applied):  \n"
            + "  \n".join(f"• {note}" for note in ignored),
            icon=":material/link_off:",
        )
    if upload:
        box.info(
            f"{share.UPLOAD_NOTE} Until then the page uses the notebook's sample.",
            icon=":material/upload_file:",
        )
    close.button(
        "OK",
        key="dismiss_link_notes",
        help="Hide these notes",
        on_click=lambda: st.session_state.update(_link_notes=[]),
    )


def sync_link(settings: Settings, view: str) -> dict[str, str]:
    """Write the run into the URL (only what differs from the defaults); returns the params."""
    state = st.session_state
    params = share.encode(state._source, settings, view, views=VIEWS)
    if state.present:
        params[PRESENT] = "1"
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if current != {key: [value] for key, value in params.items()}:
        st.query_params.from_dict(params)  # one message to the browser, only on a change
    return params


def share_section(params: dict[str, str]) -> None:
    """The link to this run, to copy; an uploaded sample cannot travel in it.

    The link's code block sits in a popover, which Streamlit draws only when opened: a code
    block on the page would load the 1.5 MB syntax highlighter with the figure (measured:
    first paint 0.6 s later on a first visit).
    """
    side = st.sidebar
    side.header("3 · Share")
    side.caption("A link opens exactly this run. The address bar always holds it too.")
    base = st.context.url or "./"  # (None when no browser is attached, as under AppTest)
    url = share.link(base if urllib.parse.urlsplit(base).path else base + "/", params)
    with side.popover("Link to this run", icon=":material/link:", width="stretch"):
        st.code(url, language=None, wrap_lines=True)
        st.caption("Copy it with the button that appears at its right on hover.")
    if st.session_state._source.kind == "upload":
        side.info(share.UPLOAD_NOTE, icon=":material/upload_file:")


# --- presenter mode ---------------------------------------------------------------------

# The sidebar and the page header give way to one bar of controls and one line of text;
# everything measured in rem (Streamlit's text and widgets) grows with the root font size.
PRESENTER_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] {display: none}
html {font-size: 21px}
[data-testid="stMainBlockContainer"] {padding: 0.8rem 2rem 4rem; max-width: 100%}
</style>"""


def _lr_from_bar() -> None:
    st.session_state.lr = st.session_state.lr_bar
    st.session_state.lr_slider = st.session_state.lr_bar


def presenter_lr(box) -> None:
    """The learning rate on the log grid, within reach while the sidebar is hidden."""
    st.session_state.lr_bar = nearest_lr(st.session_state.lr)
    box.select_slider(
        "Learning rate (log scale)",
        LR_GRID,
        key="lr_bar",
        on_change=_lr_from_bar,
        format_func=lambda x: f"lr {x:.2g}",
        label_visibility="collapsed",
        help="Leave presenter mode to type an exact learning rate in the sidebar.",
    )


def status_words(traj: Trajectory) -> str:
    """The run's outcome in a few words (the banner says it in full)."""
    if traj.status == "diverged":
        return f"diverged at step {traj.diverged_at}"
    if traj.status == "converged":
        return f"converged from step {traj.converged_at}"
    if traj.status == "stalled":
        return f"stalled at step {traj.stalled_at}"
    return f"not converged after {len(traj.p) - 1:,} steps"


def presenter_summary(box, sample: data.Sample, settings: Settings, traj) -> None:
    """The sidebar's settings, and the outcome, in one line of text."""
    s = settings
    p0 = f"random p0 (seed {s.seed})" if s.p0 is None else f"p0 = {s.p0:.6g}"
    outcome = f" · **{status_words(traj)}**" if traj is not None else ""
    box.caption(
        f"{plain(sample.source)}: n = {sample.n:,}, k = {sample.k:,} · "
        f"{OPTIMIZER_NAMES[s.optimizer]} on the {s.loss} NLL in {s.param} · {p0} · "
        f"{s.steps:,} steps · {s.dtype} · **lr = {s.lr:.4g}**{outcome}"
    )


# --- keyboard access to the figure's controls ---------------------------------------------

# Plotly draws Play/Pause, the speeds and the step slider in SVG, out of the Tab order. This
# fixed script (no user text in it) makes each button a focusable role="button" that Enter
# or Space presses, and the slider a role="slider" that the arrow keys, Page Up/Down, Home
# and End move (one step, ten steps, first, last), announcing "step t". It wires every
# Plotly figure as it appears (Streamlit redraws them on each run), once per page load.
KEYBOARD_JS = """<script>
(() => {
  if (window.bernoulliKeyboard) return;
  window.bernoulliKeyboard = true;
  const MOVES = {ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10,
                 PageDown: -10};
  function describe(gd) {
    const slider = gd.querySelector("g.slider-container");
    const opts = gd._fullLayout?.sliders?.[0];
    if (!slider || !opts) return;
    slider.setAttribute("aria-valuemin", 0);
    slider.setAttribute("aria-valuemax", opts.steps.length - 1);
    slider.setAttribute("aria-valuenow", opts.active);
    slider.setAttribute("aria-valuetext", "step " + opts.steps[opts.active].label);
  }
  function press(button) {
    button.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      button.dispatchEvent(new MouseEvent("click", {bubbles: true}));
    });
  }
  function scrub(gd, slider) {
    slider.addEventListener("keydown", (event) => {
      const opts = gd._fullLayout.sliders[0];
      const last = opts.steps.length - 1;
      let i = opts.active;
      if (event.key in MOVES) i += MOVES[event.key];
      else if (event.key === "Home") i = 0;
      else if (event.key === "End") i = last;
      else return;
      event.preventDefault();
      const step = opts.steps[Math.max(0, Math.min(last, i))];
      if (step.method !== "animate") return;
      window.Plotly.animate(gd, ...step.args).then(() => describe(gd));
    });
  }
  function wire(gd) {
    if (!gd._fullLayout || !window.Plotly) return;
    for (const button of gd.querySelectorAll("g.updatemenu-button:not([tabindex])")) {
      button.setAttribute("tabindex", "0");
      button.setAttribute("role", "button");
      const name = button.textContent.replace(/[^A-Za-z0-9.×]+/g, " ").trim();
      button.setAttribute("aria-label", /^[0-9.]+×$/.test(name) ? "speed " + name : name);
      press(button);
    }
    const slider = gd.querySelector("g.slider-container:not([tabindex])");
    if (slider && gd._fullLayout.sliders?.length) {
      slider.setAttribute("tabindex", "0");
      slider.setAttribute("role", "slider");
      slider.setAttribute("aria-label", "Animation step");
      describe(gd);
      scrub(gd, slider);
    }
    if (!gd.bernoulliKeyboard) {  // once per figure: Plotly may redraw its controls
      gd.bernoulliKeyboard = true;
      gd.on("plotly_sliderchange", () => describe(gd));
      gd.on("plotly_animated", () => describe(gd));
    }
  }
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      document.querySelectorAll(".js-plotly-plot").forEach(wire);
    });
  }).observe(document.body, {childList: true, subtree: true});
})();
</script>
<style>
.js-plotly-plot g.updatemenu-button:focus-visible rect,
.js-plotly-plot g.slider-container:focus-visible .slider-grip-rect {
  stroke: #0072B2 !important; stroke-width: 3px !important;
}
</style>"""


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


def run_view(sample: data.Sample, settings: Settings, option_box, presenting: bool):
    """The animated run: banner, figure, results, formulas, trajectory table, exports.

    In presenter mode the banner comes below the figure, so that the figure and its
    Play/Pause buttons fit a 1280×720 projector; returns the run.
    """
    values_key = st.session_state._sample_key if settings.optimizer == "sgd" else ""
    args = (sample.n, sample.k, settings, values_key)
    slow = settings.steps * SECONDS_PER_STEP > 2
    with st.spinner(f"Running {settings.steps:,} torch steps…" if slow else "Running…"):
        traj = run_cached(*args)
    if not presenting:
        banner(traj)

    log_grad = option_box.toggle(
        "log |gradient|",
        key="log_grad",
        help="|dNLL/dp| spans orders of magnitude: show it on a log axis.",
    )
    fig = figure_cached(*args, log_grad, presenting)
    st.plotly_chart(
        fig,
        width="stretch",
        theme=None,
        config={"displaylogo": False, "scrollZoom": False},
        alt=figure_alt(traj),
    )
    if presenting:
        banner(traj)
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
    exports(sample, traj, fig)
    return traj


def figure_alt(traj: Trajectory) -> str:
    """The figure in words, for screen readers."""
    s = traj.settings
    return (
        f"Animated figure of {OPTIMIZER_NAMES[s.optimizer]} with learning rate {s.lr:.4g} "
        f"from p0 = {traj.p0:.6g}: p moving along the {s.loss} negative log-likelihood curve "
        f"towards the MLE {traj.mle:.6g}, with the loss and the gradient at each of "
        f"{len(traj.p) - 1} steps. {traj.message}"
    )


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


def exports(sample: data.Sample, traj: Trajectory, fig) -> None:
    """The run taken away: its steps as CSV, its animation offline, a torch script."""
    st.subheader("Take this run away")
    csv, page, script_box = st.columns(3)
    # Deferred (callables): built only when clicked, in a thread of their own.
    csv.download_button(
        "Trajectory (CSV)",
        lambda: export.trajectory_csv(traj),
        file_name="trajectory.csv",
        mime="text/csv",
        key="download_csv",
        on_click="ignore",
        icon=":material/table:",
        help="Every step: p, the parameter, NLL, gradient, torch's loss and gradient.",
        width="stretch",
    )
    page.download_button(
        "Animation (offline HTML)",
        lambda: export.animation_html(fig),
        file_name="bernoulli-animation.html",
        mime="text/html",
        key="download_html",
        on_click="ignore",
        icon=":material/animation:",
        help="One file with plotly.js inside: it plays in any browser, with no network.",
        width="stretch",
    )
    s = traj.settings
    values = sample.values if s.optimizer == "sgd" else None
    try:
        script = export.torch_script(st.session_state._source, s, traj.n, traj.k, values)
    except ValueError as error:
        script_box.info(f"No PyTorch script for this run: {error}.", icon=":material/info:")
        return
    script_box.download_button(
        "PyTorch script (.py)",
        script,
        file_name="bernoulli_run.py",
        mime="text/x-python",
        key="download_script",
        on_click="ignore",
        icon=":material/code:",
        help="Repeats this run step for step with torch alone and prints it as CSV.",
        width="stretch",
    )
    # Drawn on request (see share_section: a code block loads the syntax highlighter).
    shown = st.toggle(
        "Show the PyTorch script (it prints the gradient before zeroing it)", key="show_script"
    )
    if shown:
        st.code(script, language="python", line_numbers=True)


# --- the page --------------------------------------------------------------------------

st.set_page_config(
    page_title="Bernoulli MLE: what the learning rate does", page_icon="🎯", layout="wide"
)
for key, value in DEFAULTS.items():
    st.session_state.setdefault(key, value)
if "_sample" not in st.session_state:
    use_sample("notebook", notebook_sample(), Source())

restore_from_link()
presenting = st.session_state.present

if presenting:
    st.html(PRESENTER_CSS)
else:
    # Less blank space above the title: on a projector the figure should start high up.
    st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>")
    st.title("Bernoulli MLE, step by step")
    st.markdown(
        "Real PyTorch gradient steps on the negative log-likelihood of 0/1 samples, as in the "
        "notebook: watch p move on the NLL curve, and see **when the learning rate makes it "
        "oscillate, or throws p out of (0, 1)**."
    )
link_notes()
presets_section()
sample = samples_section()
settings = optimizer_section(sample)

# One bar: the view, the figure's option and presenter mode (with the lr while presenting).
if presenting:
    view_box, lr_box, option_box, present_box = st.columns(
        [7, 4, 3, 4], vertical_alignment="center"
    )
    presenter_lr(lr_box)
    summary_box = st.container()
else:
    view_box, option_box, present_box = st.columns([7, 4, 4], vertical_alignment="center")
view = view_box.segmented_control(
    "View",
    list(VIEWS),
    key="view",
    format_func=VIEWS.get,
    required=True,
    label_visibility="collapsed",
)
present_box.toggle(
    "Presenter mode",
    key="present",
    help="For a projector: the sidebar folds into this bar, text and lines grow.",
)
share_section(sync_link(settings, view))
if view == "run":
    traj = run_view(sample, settings, option_box, presenting)
else:
    traj = None
    explorer.render(sample.n, sample.k, sample.values, settings)
if presenting:
    presenter_summary(summary_box, sample, settings, traj)
# Last, as a script's element takes a line of the page (style-only ones take none).
st.html(KEYBOARD_JS, unsafe_allow_javascript=True)
