"""Load tier: a live `streamlit run app.py` and many sessions (websocket clients, pages)."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/load/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.load)
