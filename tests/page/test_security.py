"""Security on the page (AppTest): sessions that share the cached figure leave it unchanged,
and hostile uploads and links never reach raw HTML. The checks of the code itself are in
tests/unit/test_security.py.
"""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from bernoulli.io import export
from tests.unit.test_security import APP, PAGES, PAYLOADS, html_calls, parse


def constant_html() -> set[str]:
    """The page's own HTML, CSS and script: the only raw HTML it may render."""
    return {html for path in PAGES for _, html in html_calls(parse(path))}


def test_sessions_sharing_the_cached_figure_leave_it_unchanged(monkeypatch):
    """Two sessions draw the same run: the second gets the first's Figure from
    st.cache_resource. After both (and a toggle), the Figure is exactly as built."""
    import streamlit as stl

    from bernoulli.plots import wire

    built = []
    original = wire.wire_figure

    def recording(spec):
        fig = original(spec)
        built.append((fig, fig.to_json()))
        return fig

    monkeypatch.setattr(wire, "wire_figure", recording)
    stl.cache_resource.clear()
    stl.cache_data.clear()
    specs = []
    for _ in range(2):
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        assert not at.exception
        specs.append(json.loads(at.get("plotly_chart")[0].proto.spec))
    assert len(built) == 1  # the second session was served the same object
    fig, as_built = built[0]
    assert fig.to_json() == as_built
    assert specs[0] == specs[1]
    export.animation_html(fig)  # the other reader (the download of the animation)
    assert fig.to_json() == as_built
    stl.cache_resource.clear()


# --- 4. what the page shows of user input: never HTML ---------------------------------------

HOSTILE_NAME = '<img src=x onerror=alert(1)>"; DROP TABLE.csv'
HOSTILE_ROW = b"<script>alert(document.cookie)</script>"


def html_elements(at: AppTest) -> list[str]:
    """The text of every element the browser renders as raw HTML."""
    out = [el.proto.body for el in at.get("html")]
    out += [el.proto.body for el in at.get("markdown") if el.proto.allow_html]
    return out


def test_hostile_upload_and_link_never_reach_raw_html():
    query = {key: PAYLOADS[0] for key in ("lr", "view", "opt", "n")} | {"<b>": "1"}
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="upload").set_value((HOSTILE_NAME, b"1\n0\n" + HOSTILE_ROW, "text/csv"))
    at.run()
    assert not at.exception
    (error,) = [e.value for e in at.sidebar.error]
    assert error.startswith(f'{HOSTILE_NAME} line 3: "<script>alert(document.cookie)</script>"')
    raw = html_elements(at)
    assert raw and set(raw) <= constant_html()  # only the page's own CSS and script
    assert not any("alert(" in html for html in raw)
