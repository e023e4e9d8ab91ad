"""How the page draws a Plotly figure: as built (no Streamlit theme over its fonts and
colours), the page's width, no Plotly logo, and no zoom on scroll (the page scrolls)."""

from __future__ import annotations

import streamlit as st

CONFIG = {"displaylogo": False, "scrollZoom": False}


def chart(fig, key: str | None = None, **options) -> None:
    """A Plotly chart as drawn; `options` go to `st.plotly_chart` (e.g. ``alt``)."""
    st.plotly_chart(fig, width="stretch", theme=None, key=key, config=CONFIG, **options)
