"""The page's state: the widgets' session values, their defaults, and the link.

Every widget keeps its value in ``st.session_state`` under an explicit key, with its default
from the schema (`bernoulli.settings`); `settings_from_state` and `state_from_settings` are
the one place that maps those keys to and from `bernoulli.engine.optimize.Settings`.

The URL holds the run: on a session's first run `restore_from_link` sets the widgets from
``st.query_params`` (`bernoulli.io.share.decode`, which notes what it ignored), and every run
writes the settings back (`sync_link`), so the address bar is always a link to what is shown.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import fields

import streamlit as st

from bernoulli import settings
from bernoulli.engine.optimize import Settings
from bernoulli.io import page_link, share
from bernoulli.io.share import Source
from bernoulli.teach import challenges

LR_GRID = (*(float(f"{m}e{e}") for e in range(-7, 1) for m in (1, 1.5, 2, 3, 5, 7)), 10.0)
VIEWS = settings.VIEWS  # the page's views and their words
# The page's link keys (settings.PAGE_LINK), each also the session value it sets: present=1
# (presenter mode), and the lesson's (ui.classroom): predict=1 (a prediction first), card=4
# (the open challenge), solved=1,3 (challenges solved), class=CODE (a student's class: the
# student's page), teach=CODE (the teacher's class, so that a reload keeps it).
PRESENT, PREDICT, CARD, SOLVED, CLASS, TEACH = (row.key for row in settings.PAGE_LINK)
MAX_CODE_TEXT = settings.MAX_CODE_TEXT
PREDICT_DEFAULT = settings.LINK[PREDICT].default
GENERATE_KEYS = {"n": "gen_n", "true_p": "gen_p", "seed": "gen_seed"}  # field -> widget key
IN_USE = "in_use"  # the session value holding the data.Sample in use
NOTES = "link_notes"  # the session value holding the opened link's notes
RUN_DONE = "run_done"  # the session value: whether the last run reached its end


def nearest_lr(lr: float) -> float:
    """The slider value closest to lr on a log scale."""
    return min(LR_GRID, key=lambda x: abs(math.log(x / lr)))


def defaults() -> dict:
    """The widgets' values on a fresh page: the schema's defaults."""
    generate = {GENERATE_KEYS[f.name]: f.default for f in settings.GENERATE}
    run = settings.DEFAULTS
    return {
        "source": "notebook",
        **generate,
        **run,
        "p0_mode": "fixed" if run["p0"] is not None else "random",
        "view": settings.LINK["view"].default,
        "log_grad": False,
        "table_every": 100,
        "show_script": False,
        "typed": "",
        "typed_line": "",
        "resample_method": "parametric",
        **{row.key: row.default for row in settings.PAGE_LINK},
    }


def start_session() -> None:
    """Give every widget missing a value its default; then apply the link, if any.

    After a run cut short (a click while the page's first run was still going, on a cold
    server), Streamlit keeps the widgets' values under the element ids of that run, and the
    next run may register the widgets under new ids: the keys still look set, yet each widget
    would come up with its own default (every number at its minimum, no view) and the link
    would be rewritten with them. So after such a run every value is set again under its key,
    where the widgets find it whatever their ids.
    """
    state = st.session_state
    cut_short = not state.get(RUN_DONE, True)
    for key, value in defaults().items():
        if key not in state:
            state[key] = value
        elif cut_short:
            state[key] = state[key]
    state[RUN_DONE] = False
    restore_from_link()


def run_done() -> None:
    """Mark the page's run as whole (the last call of a run that reached its end)."""
    st.session_state[RUN_DONE] = True


def settings_from_state(state) -> Settings:
    """The optimizer settings the widgets show."""
    values = {f.name: state[f.name] for f in fields(Settings)}
    if state["p0_mode"] == "random":
        values["p0"] = None
    for name, field in settings.FIELDS.items():
        if field.kind == "int":
            values[name] = int(values[name])
    return Settings(**values)


def state_from_settings(run: Settings) -> dict:
    """The widget values that show these settings (a random p0 keeps the fixed value shown)."""
    values = {f.name: getattr(run, f.name) for f in fields(Settings)}
    values["p0_mode"] = "random" if run.p0 is None else "fixed"
    if run.p0 is None:
        del values["p0"]
    return values


PREDICTION = "prediction"  # the session value: (run id, choice, number) of the last prediction
REVEALED = "revealed"  # the session value: the run id of the class question last revealed
CHECKED = "checked"  # the session value: (card, run id, challenges.Check) of the last check


def run_id(sample, run: Settings) -> tuple:
    """What names a run for a prediction: its sample's values and its settings."""
    return (sample.key, run)


def kept_back_until(sample, run: Settings) -> str:
    """Until when the page keeps back what this run does (the sidebar's forecast too), or ""
    when it does not: until it is predicted (view "run"), until the open challenge is checked
    on it, or (a class open) until the class's question about it is revealed."""
    state = st.session_state
    rid = run_id(sample, run)
    if state.view == "run" and state[PREDICT] and state.get(PREDICTION, (None,))[0] != rid:
        return "once you predict it"
    checked = state.get(CHECKED)
    if state.view == "challenges" and (checked is None or checked[:2] != (state[CARD], rid)):
        return "once you check it"
    if state.view == "class" and state[TEACH] and state.get(REVEALED) != rid:
        return "once you reveal it to the class"
    return ""


# The one key that holds the learning rate is "lr" (the exact-number box's, the settings
# table's name). The log sliders that show it on the grid are views of it: each is put at the
# stop nearest "lr" just before it is drawn (`lr_on_grid`), and hands its stop back to "lr"
# when moved (`lr_from`), so no other code writes them ("lr_slider" in the sidebar, "lr_bar"
# in presenter mode).


def set_lr(lr: float) -> None:
    st.session_state.lr = lr


def lr_on_grid(key: str) -> str:
    """Put the log slider `key` at the stop nearest the learning rate; its key, to draw it."""
    st.session_state[key] = nearest_lr(st.session_state.lr)
    return key


def lr_from(key: str):
    """The callback of the log slider `key`: its stop becomes the learning rate."""
    return lambda: set_lr(st.session_state[key])


LR_KEPT = "lr_kept"  # the session value: the last good lr, and whether an empty box kept it


def lr_from_number() -> None:
    """An emptied box keeps the last good lr, and says so."""
    session = st.session_state
    last = session.get(LR_KEPT, (settings.DEFAULTS["lr"], False))[0]
    if session.lr is None:
        session.lr = last
        session[LR_KEPT] = (last, True)
    else:
        session[LR_KEPT] = (session.lr, False)


def lr_slider_label(lr: float):
    """The slider's labels: at the position the lr is shown by, the lr itself in full (an lr
    off the grid, e.g. 0.0025, sits at 0.003 and reads 0.0025); elsewhere the grid's value."""
    here = nearest_lr(lr)
    return lambda x: f"{lr:g}" if x == here else f"{x:.2g}"


# --- the link: the run in the URL ---------------------------------------------------------


def lesson_params(view: str) -> dict[str, str]:
    """The lesson's keys for the link: what differs from a fresh page."""
    state = st.session_state
    params = {}
    if state[PREDICT] != PREDICT_DEFAULT:
        params[PREDICT] = "1" if state[PREDICT] else "0"
    if view == "challenges":
        params[CARD] = str(state[CARD])
    if state[SOLVED]:
        params[SOLVED] = ",".join(map(str, state[SOLVED]))
    if view == "class" and state[TEACH]:
        params[TEACH] = state[TEACH]
    return params


def restore_from_link() -> None:
    """On a session's first run, set the widgets from the URL's query parameters.

    A malformed or out-of-range parameter keeps its default and leaves a note (shown by
    `link_notes`); an upload link falls back on the notebook's sample until the file is
    uploaded again.
    """
    state = st.session_state
    if NOTES in state:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    page, notes = page_link.page_keys(params, len(challenges.CHALLENGES))
    state.update(page)
    if CARD in page:
        params.setdefault("view", ["challenges"])  # a card sends a class to the challenges
    if params:
        decoded = share.decode(params, views=VIEWS)
        apply_decoded(decoded)
        notes = [*decoded.notes, *notes]
    state[NOTES] = notes


def apply_decoded(decoded: share.Decoded) -> None:
    """Set the widgets to show a decoded link's sample, settings and view."""
    state = st.session_state
    source = decoded.source
    state.source = source.kind
    if source.kind == "generate":
        state.update(gen_n=source.n, gen_p=float(source.true_p), gen_seed=source.seed)
    if source.text is not None:
        state.typed = source.text
        state.typed_line = source.text.strip() if "\n" not in source.text.strip() else ""
    state.one = source.one
    if source.resample is not None:
        state.update(resample_method=source.resample, resample_seed=source.resample_seed)
    state.update(state_from_settings(decoded.settings))
    state.view = decoded.view


def load_link(params: dict[str, str], view: str) -> tuple[str, ...]:
    """Show the run of a link's parameters in `view` (a callback: before the widgets are
    drawn): its settings over the defaults, its sample if it names one; returns its notes."""
    decoded = share.decode({**params, "view": view}, views=VIEWS)
    if "data" not in params:  # keep the sample in use
        decoded = dataclasses.replace(decoded, source=st.session_state[IN_USE].origin)
    st.session_state.update(resample_seed=None)
    apply_decoded(decoded)
    return decoded.notes


def link_notes() -> None:
    """What the opened link asked for and could not have, until the user dismisses it."""
    notes = st.session_state[NOTES]
    if not notes:
        return
    needs = (share.UPLOAD_NOTE, share.TEXT_NOTE)
    upload = [note for note in notes if note in needs]
    ignored = [note for note in notes if note not in needs]
    box, close = st.columns([12, 1], vertical_alignment="center")
    if ignored:
        box.warning(
            "Parts of this link were ignored (the rest of it was applied):  \n"
            + "  \n".join(f"• {note}" for note in ignored),
            icon=":material/link_off:",
        )
    if upload:
        box.info(
            f"{' '.join(upload)} Until then the page uses the notebook's sample.",
            icon=":material/upload_file:",
        )
    close.button(
        "OK",
        key="dismiss_link_notes",
        help="Hide these notes",
        on_click=lambda: st.session_state.update({NOTES: []}),
    )


def sync_link(source: Source, run: Settings, view: str) -> dict[str, str]:
    """Write the run into the URL (only what differs from the defaults); returns the params.

    A view that is none of VIEWS (a widget without its value) writes nothing: the link keeps
    what it said, never a state the user did not choose.
    """
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if view not in VIEWS:
        return {key: values[-1] for key, values in current.items()}
    params = share.encode(source, run, view, views=VIEWS)
    if st.session_state.present:
        params[PRESENT] = "1"
    params.update(lesson_params(view))
    if current != {key: [value] for key, value in params.items()}:
        st.query_params.from_dict(params)  # one message to the browser, only on a change
    return params
