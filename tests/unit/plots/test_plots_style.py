"""The shared look of the figures: fast frames, number rounding, animation controls."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import plotly.graph_objects as go
import pytest

from bernoulli.plots import style

PLOTS = pathlib.Path(style.__file__).parent


def _frames() -> dict[str, list[dict]]:
    return {
        str(t): [
            {"type": "scatter", "x": [t, t + 1], "y": [0.5 * t, None]},
            {"type": "scatter", "x": [], "y": [], "text": []},
        ]
        for t in range(5)
    }


def test_attached_frames_equal_validated_frames():
    """attach_frames skips plotly.py's validation; validated again, the figure is the same."""
    data = [{"type": "scatter", "x": [0], "y": [0]}, {"type": "scatter", "x": [], "y": []}]
    fast = go.Figure(data=data, _validate=False)
    style.attach_frames(fast, [0, 1], _frames())
    slow = go.Figure(
        data=data,
        frames=[go.Frame(name=name, traces=[0, 1], data=d) for name, d in _frames().items()],
    )
    ours = json.loads(fast.to_json())
    assert ours["frames"] == json.loads(go.Figure(fast).to_json())["frames"]
    assert ours["frames"] == json.loads(slow.to_json())["frames"]
    assert [f.name for f in fast.frames] == [str(t) for t in range(5)]


def test_private_frame_attribute_written_in_one_place():
    """style.attach_frames writes Plotly's private `_frame_objs`; wire.py only reads it."""
    writers = [p.name for p in PLOTS.glob("*.py") if "._frame_objs =" in p.read_text()]
    readers = {p.name for p in PLOTS.glob("*.py") if "_frame_objs" in p.read_text()}
    assert writers == ["style.py"]
    assert readers == {"style.py", "wire.py"}


@pytest.mark.parametrize(
    ("x", "span", "expected"),
    [
        (0.72512345, 1.0, 0.7251),
        (5e-324, 5e-324, 5e-324),
        (1e-300, 1e-300, 1e-300),
        (3.0, 0.0, 3.0),
    ],
)
def test_on_screen_rounds_to_a_pixel_even_for_tiny_spans(x, span, expected):
    """A subnormal span (a run from p0 = 5e-324) must not overflow the digit count."""
    assert style.on_screen(x, span) == expected


@pytest.mark.parametrize("x", [0.0, 1.0, 0.725, 137.0458312, -3.14159265, 1e-5 / 3, 1e300 / 7])
def test_sig_and_sig_value_round_to_seven_digits(x):
    assert style.sig_value(x) == float(f"{x:.7g}")
    assert float(style.sig(x)) == pytest.approx(style.sig_value(x), rel=1e-15)


def test_sig_keeps_nan_and_sig_value_says_null():
    np.testing.assert_array_equal(style.sig([np.nan, 1.0]), [np.nan, 1.0])
    assert style.sig_value(float("nan")) is None and style.sig_value(float("inf")) is None


def test_controls_play_without_redraw():
    buttons = style.play_pause_buttons(80) + style.speed_buttons()
    args = [b["args"][1] for b in buttons]
    assert all(a["frame"]["redraw"] is False and a["transition"]["duration"] == 0 for a in args)
    assert args[0]["frame"]["duration"] == 80 and args[0]["fromcurrent"] is True
    speeds = [a["frame"]["duration"] for a in args[2:]]
    assert speeds == [round(style.FRAME_MS / s) for s in style.SPEEDS]
    steps = style.slider_steps_spec(np.array([0, 3, 10]))
    assert [s["args"][0] for s in steps] == [["0"], ["3"], ["10"]]


def test_enlarged_scales_sizes_and_widths_only():
    spec = {"font": {"size": 10}, "line": {"width": [1, 2]}, "x": [1, 2], "height": 7}
    big = style.enlarged(spec, 2.0)
    assert big == {"font": {"size": 20.0}, "line": {"width": [2.0, 4.0]}, "x": [1, 2], "height": 7}
    assert spec["font"]["size"] == 10  # a copy
