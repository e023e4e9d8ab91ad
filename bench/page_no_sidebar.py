"""The app without its sidebar's widgets (bench/bench_sidebar.py): the same page, the run of
the session's settings on the notebook's sample, for what the sidebar costs the browser.

With ONE_LINE=1 in the environment the sidebar holds one line of text (the sample's), for
what a sidebar costs before any widget is in it."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st

import app
from ui import sidebar, state


def settings_only():
    """The sample and settings, as the sidebar would return them, with no widget drawn."""
    sample = sidebar.notebook_sample()
    st.session_state[state.IN_USE] = sample
    if os.environ.get("ONE_LINE") == "1":
        st.sidebar.markdown(f"**{sample.source}**: n = {sample.n}, k = {sample.k}")
    return sample, state.settings_from_state(st.session_state)


app.sidebar = settings_only
app.share_section = lambda *args: None
app.main()
