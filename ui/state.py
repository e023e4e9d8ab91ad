"""The page's state: the widgets' session values, their defaults, and the link.

Every widget keeps its value in ``st.session_state`` under an explicit key, with its default
from the schema (`bernoulli.settings`); `settings_from_state` and `state_from_settings` are
the one place that maps those keys to and from `bernoulli.optimize.Settings`.

The URL holds the run: on a session's first run `restore_from_link` sets the widgets from
``st.query_params`` (`bernoulli.share.decode`, which notes what it ignored), and every run
writes the settings back (`sync_link`), so the address bar is always a link to what is shown.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import fields

import streamlit as st

from bernoulli import challenges, settings, share
from bernoulli.optimize import Settings
from bernoulli.share import Source

LR_GRID = (*(float(f"{m}e{e}") for e in range(-7, 1) for m in (1, 1.5, 2, 3, 5, 7)), 10.0)
VIEWS = {
    "run": "Watch gradient descent",
    "explore": "Divergence explorer",
    "challenges": "Challenges",
    "class": "Class",
}
PRESENT = "present"  # the link's key for presenter mode ("1"); share.decode knows the rest
# The lesson's keys (ui.classroom), beside the run's: predict=1 (a prediction first),
# card=4 (the open challenge), solved=1,3 (challenges solved), class=CODE (a student's class:
# the student's page), teach=CODE (the teacher's class, so that a reload keeps it).
PREDICT, CARD, SOLVED, CLASS, TEACH = "predict", "card", "solved", "class", "teach"
MAX_CODE_TEXT = 40  # characters of a class code kept from a link (classroom validates it)
# Off on a fresh page, so that nothing stands between a newcomer and Play; a teacher's link
# turns it on (predict=1), "Just show me" or the bar's toggle turns it off again.
PREDICT_DEFAULT = False
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
        "lr_slider": nearest_lr(run["lr"]),
        "p0_mode": "fixed" if run["p0"] is not None else "random",
        "view": "run",
        "log_grad": False,
        "table_every": 100,
        "present": False,
        "show_script": False,
        "typed": "",
        "typed_line": "",
        "resample_method": "parametric",
        PREDICT: PREDICT_DEFAULT,
        CARD: 1,
        SOLVED: (),
        CLASS: "",
        TEACH: "",
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
    values["lr_slider"] = nearest_lr(run.lr)
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


def lr_from_slider() -> None:
    st.session_state.lr = st.session_state.lr_slider


def lr_from_number() -> None:
    st.session_state.lr_slider = nearest_lr(st.session_state.lr)


# --- the link: the run in the URL ---------------------------------------------------------


def _present_from_link(values: list[str], notes: list[str], key: str = PRESENT) -> bool | None:
    """key=1 or key=0 (one value); anything else is noted and ignored (None)."""
    if len(set(values)) == 1 and values[0] in ("0", "1"):
        return values[0] == "1"
    given = f'="{share.shown(values[0])}"' if len(set(values)) == 1 else ""
    what = {PRESENT: "presenter mode", PREDICT: "predict first"}[key]
    notes.append(f"Ignored {key}{given}: must be 1 ({what}) or 0.")
    return None


def _numbers_from_link(key: str, values: list[str], high: int, notes: list[str]) -> list[int]:
    """Whole numbers from 1 to high, comma-separated (card=4, solved=1,3); bad ones noted."""
    if len(set(values)) != 1:
        notes.append(f"Ignored {key}: given {len(values)} times with different values.")
        return []
    numbers = []
    for text in values[0].split(",")[:high]:
        if text.isascii() and text.isdigit() and 1 <= int(text) <= high:
            numbers.append(int(text))
        else:
            notes.append(f'Ignored {key}="{share.shown(text)}": must be a card from 1 to {high}.')
    return numbers


def _lesson_from_link(params: dict, notes: list[str]) -> None:
    """Take the lesson's keys out of the link's parameters into the session."""
    state = st.session_state
    if PREDICT in params:
        predict = _present_from_link(params.pop(PREDICT), notes, PREDICT)
        state[PREDICT] = PREDICT_DEFAULT if predict is None else predict
    cards = len(challenges.CHALLENGES)
    if CARD in params:
        card = _numbers_from_link(CARD, params.pop(CARD), cards, notes)[:1]
        if card:
            state[CARD] = card[0]
            params.setdefault("view", ["challenges"])  # a card sends a class to the challenges
    if SOLVED in params:
        state[SOLVED] = tuple(
            sorted(set(_numbers_from_link(SOLVED, params.pop(SOLVED), cards, notes)))
        )
    for key in (CLASS, TEACH):
        if key in params:
            state[key] = params.pop(key)[0][:MAX_CODE_TEXT]


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
    notes: list[str] = []
    if PRESENT in params:
        state.present = bool(_present_from_link(params.pop(PRESENT), notes))
    _lesson_from_link(params, notes)
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
