"""What a class's pages share: the class store, an error's one line, a question's run.

`class_store` is the store $BERNOULLI_STORE names (one per server process, cached);
`student_id` is a session's own random id; `question_run` turns a question's link query back
into its sample and settings.
"""

from __future__ import annotations

import os
import secrets
import urllib.parse

import streamlit as st

from bernoulli.classroom import store, store_url
from bernoulli.data import samples
from bernoulli.engine.optimize import Settings
from bernoulli.io import share
from ui.sidebar import generated_sample, notebook_sample

CLASS_NOTE = "class_note"  # the session value: one line about the last class action
VOTER = "voter"  # the session value: this student's random id (its votes, its map point)


# --- the store -------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _store(url: str) -> store.Store:
    return store_url.open_store(url or None)


def class_store() -> store.Store:
    """The classes' store that $BERNOULLI_STORE names (SQLite in a file by default)."""
    return _store(os.environ.get(store.ENV_URL, ""))


def line(error: Exception) -> str:
    """An error's one line, as a sentence."""
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def student_id() -> str:
    """This session's random student id: one vote per question, one point on the map."""
    return st.session_state.setdefault(VOTER, secrets.token_hex(8))


# --- a question's run ------------------------------------------------------------------------


def query_of(sample: samples.Sample, settings: Settings) -> str:
    """The run's link query (what a question carries)."""
    return urllib.parse.urlencode(share.encode(sample.origin, settings))


@st.cache_resource(show_spinner=False, max_entries=32)
def question_run(query: str) -> tuple[samples.Sample, Settings] | None:
    """The sample and settings of a question's query; None if its sample cannot travel."""
    decoded = share.decode(urllib.parse.parse_qs(query, keep_blank_values=True))
    source = decoded.source
    if source.kind == "notebook":
        sample = notebook_sample()
    elif source.kind == "generate":
        sample = generated_sample(source.n, source.true_p, source.seed)
    elif source.kind == "text" and source.text is not None:
        sample = samples.from_text(source.text, one=source.one)
    else:
        return None
    if source.resample is not None:
        sample = samples.resample(sample, source.resample, source.resample_seed)
    return sample, decoded.settings
