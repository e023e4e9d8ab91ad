"""The sidebar: presets, the samples, the optimizer and the share link.

Each section draws its widgets (their bounds, defaults, labels and help from the schema,
`bernoulli.settings`) and returns plain values; `sidebar` returns the sample in use and the
run's Settings.
"""

from __future__ import annotations

import re
import urllib.parse

import streamlit as st

from bernoulli import settings
from bernoulli.data import samples
from bernoulli.engine.optimize import Settings, initial_p
from bernoulli.io import share
from bernoulli.io.share import Source
from bernoulli.settings import Field
from bernoulli.teach import account, advice
from bernoulli.teach.presets import PRESETS, preset_settings
from ui import state
from ui.typed import symbols_line, text_section
from ui.upload import upload_section

SOURCES = {
    "notebook": "The notebook's 200 samples",
    "generate": "Generate",
    "upload": "Upload",
    "text": "Type or paste",
}
RESAMPLE_WORDS = {"parametric": "from p̂ (parametric)", "bootstrap": "from the data (bootstrap)"}
BASE = "base_sample"  # the session value holding the sample before any resample
SECONDS_PER_STEP = 2e-4  # one real torch forward + backward + step, measured on this machine
FIELDS = settings.FIELDS
LAST_RUN = "last_run"  # the session value holding (n, k, Settings) of the last page run
LR_NOTE = "lr_note"  # the session value holding the note on an lr offered by a switch
GENERATE = settings.GENERATE_FIELDS


def sidebar() -> tuple[samples.Sample, Settings]:
    """The sidebar's presets, samples and optimizer: the sample in use and the settings."""
    presets_section()
    sample = samples_section()
    return sample, optimizer_section(sample)


def plain(text: str) -> str:
    """Text (a file name) shown as itself in markdown: every ASCII punctuation escaped."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def number(box, field: Field, key: str = "", **options):
    """A number input with the field's bounds, label and help; its value is the session's."""
    options.setdefault("help", field.help)
    label = options.pop("label", field.label)
    return box.number_input(label, field.low, field.high, key=key or field.name, **options)


def choice(widget, field: Field, **options):
    """A radio or selectbox offering the field's choices, in its words."""
    words = field.choices
    options.setdefault("help", field.help)
    return widget(field.label, list(words), key=field.name, format_func=words.get, **options)


# --- presets ---------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def notebook_sample() -> samples.Sample:
    return samples.notebook_sample()


@st.cache_resource(show_spinner=False, max_entries=8)
def generated_sample(n: int, true_p: float, seed: int) -> samples.Sample:
    return samples.generate(n, true_p, seed)


def apply_preset(name: str) -> None:
    """Set the widgets to a preset (a callback: it runs before the widgets are drawn)."""
    session = st.session_state
    if name == "notebook":
        session.source = "notebook"
        sample = notebook_sample()
    else:
        sample = session[state.IN_USE]
    session.update(state.state_from_settings(preset_settings(name, sample.n, sample.k)))
    session.view = "run"


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


# --- samples -----------------------------------------------------------------------------------


def generate_section() -> samples.Sample:
    """A generated sample: n values drawn with probability true p, seeded."""
    side = st.sidebar
    left, right = side.columns(2)
    n = number(left, GENERATE["n"], "gen_n", step=1, persist_state="page")
    # "seed" beside n, as the page always said (the schema's label is "data seed").
    seed = number(right, GENERATE["seed"], "gen_seed", label="seed", step=1, persist_state="page")
    p = GENERATE["true_p"]
    true_p = side.slider(
        p.label,
        p.low,
        p.high,
        step=0.005,
        key="gen_p",
        format="%.3f",
        help=p.help,
        persist_state="page",
    )
    return generated_sample(int(n), true_p, int(seed))


def samples_section() -> samples.Sample:
    """Where the samples come from; returns the sample in use (the last valid one)."""
    side = st.sidebar
    side.header("1 · Samples")
    source = side.radio(
        "Samples",
        list(SOURCES),
        key="source",
        format_func=SOURCES.get,
        label_visibility="collapsed",
    )
    previous = st.session_state.get(BASE) or notebook_sample()
    if source == "notebook":
        base = notebook_sample()
    elif source == "generate":
        base = generate_section()
    elif source == "upload":
        base = upload_section(previous)
    else:
        base = text_section(previous)
    st.session_state[BASE] = base
    symbols_line(base)
    sample = resample_section(base)
    st.session_state[state.IN_USE] = sample
    side.markdown(
        f"**{plain(sample.source)}**  \nn = **{sample.n:,}**, k = **{sample.k:,}** ones, "
        f"sample mean k/n = **{sample.mean:.6g}**"
    )
    # The data in one picture: how many 0s and 1s, as bars scaled to n (not a data grid:
    # the page's first figure need not wait for a grid's code to load).
    for value, count in (("0", sample.n - sample.k), ("1", sample.k)):
        side.progress(count / sample.n if sample.n else 0.0, text=f"{value}s: {count:,}")
    return sample


def next_resample() -> None:
    st.session_state.resample_seed = (st.session_state.get("resample_seed") or 0) + 1


def resample_section(base: samples.Sample) -> samples.Sample:
    """A button that draws a new sample of the same n from this one (seeded, in the link)."""
    side = st.sidebar
    session = st.session_state
    if session.get("resample_base") not in (None, base.key):
        session.resample_seed = None  # new data: shown as they are first
    session["resample_base"] = base.key
    left, right = side.columns([3, 2], vertical_alignment="bottom")
    method = left.selectbox(
        "Resample n values",
        list(samples.RESAMPLES),
        key="resample_method",
        format_func=RESAMPLE_WORDS.get,
        help="Draw a new sample of the same n: n coin flips with P(1) = p̂, or n values "
        "of the data drawn with replacement. Watch p̂, the interval and 2/H move.",
    )
    right.button("Resample", key="resample", on_click=next_resample, width="stretch")
    seed = session.get("resample_seed")
    if seed is None:
        return base
    memo = session.get("resample_memo")
    if memo is None or memo[0] != (base.key, method, seed):
        memo = ((base.key, method, seed), samples.resample(base, method, seed))
        session["resample_memo"] = memo
    side.button(
        "Back to the data",
        key="resample_off",
        on_click=lambda: session.update(resample_seed=None),
        width="stretch",
    )
    return memo[1]


# --- the optimizer --------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def forecast_cached(n: int, k: int, s: Settings) -> account.Account:
    return account.of_forecast(n, k, s)


def regime_note(n: int, k: int, s: Settings) -> str:
    """What this run will do (the account of its forecast), then the numbers."""
    words = forecast_cached(n, k, s if s.p0 is not None else s.replace(p0=initial_p(s)))
    text = f"**This run:** {words.sentence}"
    if words.first_step:
        text += f"  \n{words.first_step}"
    return f"{text}  \n{words.theory}"


def learning_rate(side) -> None:
    """The learning rate: a log-scale slider and the exact number, kept in step."""
    side.select_slider(
        "Learning rate (log scale)",
        state.LR_GRID,
        key=state.lr_on_grid("lr_slider"),
        on_change=state.lr_from("lr_slider"),
        format_func=state.lr_slider_label(st.session_state.lr),
    )
    number(side, FIELDS["lr"], value=None, step=1e-6, format="%.4e", on_change=state.lr_from_number)
    kept, emptied = st.session_state.get(state.LR_KEPT, (None, False))
    if emptied:
        side.caption(f"The box was empty: the run keeps the last learning rate, {kept:g}.")
    st.session_state[state.LR_KEPT] = (st.session_state.lr, False)


def start(side) -> None:
    """The start p0 (a fixed value, or random from the seed) and the seed."""
    p0_mode = side.radio(
        "Start p0",
        ["fixed", "random"],
        key="p0_mode",
        horizontal=True,
        format_func={"fixed": "fixed value", "random": "random (seeded)"}.get,
    )
    left, right = side.columns(2)
    if p0_mode == "fixed":
        number(left, FIELDS["p0"], step=0.01, format="%.8f", persist_state="page")
    number(right, FIELDS["seed"], step=1)


def optimizer_section(sample: samples.Sample) -> Settings:
    """The optimizer settings; returns them as one frozen Settings."""
    side = st.sidebar
    side.header("2 · Optimizer")
    learning_rate(side)
    regime_box = side.container()
    steps = number(side, FIELDS["steps"], step=100)
    if steps * SECONDS_PER_STEP > 2:
        side.caption(f"{steps:,} real torch steps take about {steps * SECONDS_PER_STEP:.0f} s.")
    start(side)
    optimizer = choice(side.selectbox, FIELDS["optimizer"], on_change=offer_lr, args=("optimizer",))
    if optimizer in ("momentum", "adam"):
        beta = FIELDS["beta"]
        side.slider(
            beta.label,
            beta.low,
            beta.high,
            step=0.01,
            key="beta",
            help=beta.help,
            persist_state="page",
        )
    if optimizer == "sgd":
        number(side, FIELDS["batch_size"], step=1, persist_state="page")
    for name in ("param", "loss"):
        choice(side.radio, FIELDS[name], horizontal=True, on_change=offer_lr, args=(name,))
    choice(side.radio, FIELDS["dtype"], horizontal=True)
    with side.expander("Convergence tolerance"):
        number(st, FIELDS["tol"], format="%.1e", step=1e-7)
    run = state.settings_from_state(st.session_state)
    until = state.kept_back_until(sample, run)  # a prediction first (ui.predict, ui.classroom)
    if until:
        regime_box.caption(f"**This run:** what it does shows {until}.")
    else:
        regime_box.markdown(regime_note(sample.n, sample.k, run))
    note = st.session_state.pop(LR_NOTE, "")
    if note:
        regime_box.info(note, icon=":material/tune:")
    st.session_state[LAST_RUN] = (sample.n, sample.k, run)
    return run


def offer_lr(name: str) -> None:
    """On a switch of optimizer, parameterization or loss: a learning rate that fits it.

    A callback (it runs before the widgets are drawn): sets the lr to
    `advice.fitting_lr` and leaves a note that the sidebar shows once.
    """
    session = st.session_state
    if LAST_RUN not in session:
        return
    n, k, old = session[LAST_RUN]
    new = old.replace(**{name: session[name]})
    lr, note = advice.fitting_lr(n, k, old, new)
    low, high = FIELDS["lr"].low, FIELDS["lr"].high
    lr = min(max(lr, low), high)
    if note:
        state.set_lr(lr)
        session[LR_NOTE] = note


# --- the link ----------------------------------------------------------------------------------


def share_section(source: Source, params: dict[str, str]) -> None:
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
    if source.kind == "upload":
        side.info(share.UPLOAD_NOTE, icon=":material/upload_file:")
    if source.kind == "text" and source.text is None:
        side.info(
            f"More than {samples.MAX_LINK_VALUES:,} typed values are too many for a link: "
            "it opens the notebook's sample instead.",
            icon=":material/keyboard:",
        )
