"""A title and ten widgets of one kind in the sidebar (KIND; "none": no widget), for what
each kind costs the browser to draw (bench/bench_sidebar.py)."""

import os

import streamlit as st

KIND = os.environ.get("KIND", "none")
LR_GRID = [float(f"{m}e{e}") for e in range(-7, 1) for m in (1, 1.5, 2, 3, 5, 7)]
side = st.sidebar
st.title("Ten widgets in the sidebar")
for i in range(10 if KIND != "none" else 0):
    if KIND == "number_input":
        side.number_input(f"n{i}", 0.0, 1.0, 0.5, step=0.01, format="%.8f", help="help")
    elif KIND == "select_slider":
        side.select_slider(f"lr{i}", LR_GRID, value=LR_GRID[10], format_func="{:.2g}".format)
    elif KIND == "radio":
        side.radio(f"r{i}", ["one", "two"], horizontal=True, help="help")
    elif KIND == "selectbox":
        side.selectbox(f"s{i}", ["one", "two", "three"], help="help")
    elif KIND == "button":
        side.button(f"b{i}", help="help", width="stretch")
    elif KIND == "markdown":
        side.markdown(f"**This run:** p overshoots p̂ = 0.725, zig-zags around it  \nrow {i}")
