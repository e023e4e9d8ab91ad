"""A click that interrupts a run (AppTest): the link keeps the settings the user had.

On a cold server a click can interrupt the page's first run. Streamlit then keeps the widgets'
values under the element ids of the interrupted run, while the next run may register the
widgets under new ids: the widget keys still look set (the key maps to the old id), so
``setdefault`` seeded nothing, the widgets came up with their own defaults (every number at
its minimum, no view) and the link was rewritten to ``lr=1e-12&steps=1&tol=1e-15&view=None``.
The test puts a session in that state (the values under ids the next run will not use) and
clicks "Start a class".
"""

from __future__ import annotations

import pytest
from streamlit.runtime.state.common import TESTING_KEY
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Widget

from bernoulli import settings
from tests.helpers import APP
from ui import state

pytestmark = pytest.mark.usefixtures("class_store")  # its own SQLite file


def interrupted(at: AppTest) -> None:
    """What an interrupted run leaves: its widget values under ids the next run will not
    compute, the keys mapped to them, and the run not done."""
    session = at.session_state._state._state  # streamlit's SessionState (internals)
    mapper = session._key_id_mapper
    ids = {key: widget_id for widget_id, key in mapper.id_key_mapping.items()}
    for key in state.defaults():
        if key not in ids:  # (a widget this page did not draw)
            continue
        widget_id = ids[key]
        value = session[key]
        for place in (session._new_widget_state.states, session._old_state):
            place.pop(widget_id, None)
        session._new_session_state.pop(key, None)
        session._old_state.pop(key, None)
        old_id = widget_id + "-interrupted"
        session._old_state[old_id] = value
        mapper[key] = old_id
    renamed = {ids[key]: ids[key] + "-interrupted" for key in state.defaults() if key in ids}
    testing = session[TESTING_KEY]  # (AppTest's format functions, by element id)
    testing.update({new: testing[old] for old, new in renamed.items() if old in testing})
    for node in at._tree:  # the browser sends the values under the ids it was shown
        if isinstance(node, Widget) and node.id in renamed:
            node.id = renamed[node.id]
    session._new_session_state[state.RUN_DONE] = False


def test_a_click_interrupting_a_run_keeps_the_link():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"view": "class", "steps": "60"})
    at.run()
    assert not at.exception
    interrupted(at)
    at.button(key="start_class").click().run()
    assert not at.exception, [e.value for e in at.exception]
    link = {key: at.query_params[key] for key in at.query_params}
    assert link.pop(state.TEACH, ""), link  # the class started
    assert link == {"steps": "60", "view": "class"}
    assert at.session_state.lr == settings.DEFAULTS["lr"]
    assert at.session_state.view == "class"
    # Set again under their keys, the values raise no "default value and Session State" warning.
    assert not [w.value for w in at.warning if "Session State" in w.value]


def link_page(view) -> None:
    """sync_link alone: the settings of the link, shown in `view`."""
    from bernoulli.data import samples
    from bernoulli.io import share
    from ui import state

    state.start_session()
    decoded = share.decode({"steps": ["60"], "view": ["class"]}, views=state.VIEWS)
    state.sync_link(samples.notebook_sample().origin, decoded.settings, view)


@pytest.mark.parametrize(("view", "link"), [(None, "class"), ("run", None)])
def test_no_link_is_written_without_a_view(view, link):
    at = AppTest.from_function(link_page, args=(view,), default_timeout=30)
    at.query_params.update({"steps": "60", "view": "class"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["steps"] == "60"  # (a view of None would have written view=None)
    assert at.query_params.get("view") == link  # (and "run", a fresh page's, is left out)
