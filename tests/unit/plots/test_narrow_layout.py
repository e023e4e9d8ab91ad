"""The animated figure's phone layout (layout.meta.narrow): the panels stacked, the buttons
tap-sized, and every path it sets one the wide figure has."""

from __future__ import annotations

import re

import pytest

from bernoulli.engine.optimize import Settings, run
from bernoulli.plots import narrow_layout as N
from bernoulli.plots.animated import animated_spec
from bernoulli.plots.start_figure import start_spec

NOTEBOOK = (200, 145)


@pytest.fixture(scope="module")
def wide():
    return animated_spec(run(*NOTEBOOK, Settings(lr=0.0015, p0=0.6, dtype="float64")))


def _exists(layout: dict, path: str) -> bool:
    """Whether the parent of an attribute path exists in the layout."""
    node = layout
    parts = re.findall(r"([a-z0-9]+)(?:\[(\d+)\])?", path.rsplit(".", 1)[0] if "." in path else "")
    for name, index in parts:
        if name not in node:
            return False
        node = node[name]
        if index:
            if int(index) >= len(node):
                return False
            node = node[int(index)]
    return True


def test_panels_stack_curve_over_loss_over_gradient(wide):
    narrow = wide["layout"]["meta"]["narrow"]
    a, b, c = (narrow[f"yaxis{i}.domain"] for i in ("", "2", "3"))
    assert c[0] == 0 and c[1] < b[0] < b[1] < a[0] < a[1] < 1
    assert all(narrow[f"xaxis{i}.domain"] == [0, 1] for i in ("", "2", "3"))
    plot = N.NARROW_HEIGHT - N.MARGIN_TOP - N.MARGIN_BOTTOM
    assert round((a[1] - a[0]) * plot) == N.CURVE == 300  # (a) as tall as the column is wide
    assert round((b[1] - b[0]) * plot) == round((c[1] - c[0]) * plot) == 170
    assert narrow["height"] == N.NARROW_HEIGHT


def test_buttons_are_two_lines_of_tap_size(wide):
    narrow = wide["layout"]["meta"]["narrow"]
    labels = [narrow[f"updatemenus[0].buttons[{i}].label"] for i in range(4)]
    speeds = [narrow[f"updatemenus[1].buttons[{i}].label"] for i in range(4)]
    assert all(label.count("<br>") == 1 for label in labels + speeds)
    assert speeds == ["0.5×<br>speed", "1×<br>speed", "2×<br>speed", "4×<br>speed"]
    # plotly.js: a button is max(1.3 · font · lines, 30) + 3 px tall
    assert 1.3 * N.BUTTON_FONT * 2 + 3 >= 44
    rows = [narrow["updatemenus[0].y"], narrow["updatemenus[1].y"], narrow["sliders[0].y"]]
    plot = N.NARROW_HEIGHT - N.MARGIN_TOP - N.MARGIN_BOTTOM
    gaps = [(rows[i] - rows[i + 1]) * plot for i in range(2)]
    assert gaps == pytest.approx([N.BUTTON_ROW + N.ROW_GAP] * 2)  # rows never overlap
    assert narrow["annotations[0].visible"] is False  # the word "speed" is on each button


def test_every_path_is_one_the_wide_figure_has(wide):
    narrow = wide["layout"]["meta"]["narrow"]
    for path in narrow:
        assert _exists(wide["layout"], path), path
    assert wide["layout"]["annotations"][0]["text"] == "speed"


def test_a_run_kept_back_has_no_player_on_a_phone_either():
    traj = run(*NOTEBOOK, Settings(lr=0.003, p0=0.6, dtype="float64"))
    start = start_spec(traj)
    narrow = start["layout"]["meta"]["narrow"]
    assert not any(path.startswith(("updatemenus", "sliders")) for path in narrow)
    assert not start["layout"]["updatemenus"] and not start["layout"]["sliders"]
    assert start["layout"]["annotations"][0]["visible"] is False


def test_the_page_style_gives_the_phone_figure_its_height():
    """ui/static/phone.css and keyboard.js use the layout's numbers (CSS cannot import them)."""
    from tests.helpers import ROOT

    css = (ROOT / "ui" / "static" / "phone.css").read_text()
    script = (ROOT / "ui" / "static" / "keyboard.js").read_text()
    assert f"@media (max-width: {N.NARROW_MAX_WIDTH}px)" in css
    assert f'[aria-label^="Animated figure"] {{height: {N.NARROW_HEIGHT}px}}' in css
    assert f'window.matchMedia("(max-width: {N.NARROW_MAX_WIDTH}px)")' in script
