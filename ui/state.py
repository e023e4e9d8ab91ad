"""The page's state: the widgets' session values, their defaults, and the link.

Every widget keeps its value in ``st.session_state`` under an explicit key, with its default
from the schema (`bernoulli.settings`); `settings_from_state` and `state_from_settings` are
the one place that maps those keys to and from `bernoulli.optimize.Settings`.

The URL holds the run: on a session's first run `restore_from_link` sets the widgets from
``st.query_params`` (`bernoulli.share.decode`, which notes what it ignored), and every run
writes the settings back (`sync_link`), so the address bar is always a link to what is shown.
"""

from __future__ import annotations

import math
from dataclasses import fields

import streamlit as st

from bernoulli import settings, share
from bernoulli.optimize import Settings
from bernoulli.share import Source

LR_GRID = (*(float(f"{m}e{e}") for e in range(-7, 1) for m in (1, 1.5, 2, 3, 5, 7)), 10.0)
VIEWS = {"run": "Watch gradient descent", "explore": "Divergence explorer"}
PRESENT = "present"  # the link's key for presenter mode ("1"); share.decode knows the rest
GENERATE_KEYS = {"n": "gen_n", "true_p": "gen_p", "seed": "gen_seed"}  # field -> widget key
IN_USE = "in_use"  # the session value holding the data.Sample in use
NOTES = "link_notes"  # the session value holding the opened link's notes


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
    }


def start_session() -> None:
    """Give every widget its default, once per session; then apply the link, if any."""
    for key, value in defaults().items():
        st.session_state.setdefault(key, value)
    restore_from_link()


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


def lr_from_slider() -> None:
    st.session_state.lr = st.session_state.lr_slider


def lr_from_number() -> None:
    st.session_state.lr_slider = nearest_lr(st.session_state.lr)


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
        state.present = _present_from_link(params.pop(PRESENT), notes)
    if params:
        decoded = share.decode(params, views=VIEWS)
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
        notes = [*decoded.notes, *notes]
    state[NOTES] = notes


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
    """Write the run into the URL (only what differs from the defaults); returns the params."""
    params = share.encode(source, run, view, views=VIEWS)
    if st.session_state.present:
        params[PRESENT] = "1"
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if current != {key: [value] for key, value in params.items()}:
        st.query_params.from_dict(params)  # one message to the browser, only on a change
    return params
