"""The app's first figure alone, on a page like the floor page's (bench/bench_sidebar.py):
the session's run on the notebook's sample, drawn as the app draws it, under a title, with
nothing else, for what the figure itself costs the browser against the floor page's."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st

from ui import run_view, sidebar, state
from ui.charts import chart

st.set_page_config(layout="wide")
state.start_session()
sample = sidebar.notebook_sample()
key = run_view.run_key(sample, state.settings_from_state(st.session_state))
run_view.run_cached(key, sample.values)
figure = run_view.figure_cached(key, run_view.FigureKey(False, False, False), sample.values)
st.title("Reference page")
chart(figure)
