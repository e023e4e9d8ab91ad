"""A figure as it goes over the wire, built once for every session that shows it.

``st.plotly_chart(fig)`` sends ``fig.to_dict()``: plotly.py deep-copies the whole figure (for
the animated figure, hundreds of frames), then walks the copy turning numpy arrays into
plotly.js typed arrays (base64). For one figure of a cached run that is most of a page
run's time, repeated for every student who opens the same link. `shared` marks a figure
that nobody modifies any more (it lives in a cache): its dict is built once, in one pass
(`wire_dict`), and every later ``to_dict()`` returns that same dict, read-only.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.utils import is_homogeneous_array, to_typed_array_spec

_SCALARS = (str, int, float, bool, type(None))
_CONTAINERS = (dict, list, tuple)
# plotly.py's is_skipped_key, as a set (it is called for every key of every frame; the
# tests hold wire_dict equal to to_dict(), so a change in plotly.py's list shows there).
_SKIPPED = frozenset({"geojson", "layer", "layers", "range"})


def wire_dict(fig: go.Figure) -> dict:
    """What ``fig.to_dict()`` returns (equal to it), built in one pass without a deep copy.

    Numpy arrays under a dict key become typed-array specs as plotly.py writes them; the
    rest is copied container by container, so nothing of `fig` is changed by a reader
    that only reads. Leaves (numbers, strings, arrays plotly.py leaves as arrays) are shared.
    """
    res = {"data": _copy(fig._data), "layout": _copy(fig._layout)}
    frames = [frame._props for frame in fig._frame_objs]
    if frames:
        res["frames"] = _copy(frames)
    return res


def _copy(node):
    if isinstance(node, dict):
        return {key: value if key in _SKIPPED else _value(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return type(node)(_copy(value) for value in node)
    return node


def _value(value):
    """A dict's value as plotly.py's convert_to_base64 leaves it (arrays as typed arrays)."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, _CONTAINERS):  # never a homogeneous array to plotly.py
        return _copy(value)
    if isinstance(value, np.ndarray) or is_homogeneous_array(value):
        return to_typed_array_spec(value)
    return _copy(value)


class SharedFigure(go.Figure):
    """A figure that is no longer modified: ``to_dict()`` is built once and kept (read-only)."""

    _wire: dict | None = None

    def to_dict(self) -> dict:
        if self._wire is None:
            self._wire = wire_dict(self)
        return self._wire


def wire_figure(spec: dict) -> go.Figure:
    """A read-only figure whose wire dict is `spec` (plain dicts of "data", "layout" and
    "frames", as `animated_spec` makes them) with its traces' and layout's numpy arrays as
    typed arrays.

    It skips plotly.py's figure objects: building them deep-copies every trace and sets every
    key one by one, ~12 ms of a new run's figure. The figure holds nothing else: readers
    use ``to_dict()`` (``st.plotly_chart``, ``to_json``, ``to_html``); tests hold its dict
    equal to that of the same spec built as a ``go.Figure``.
    """
    fig = SharedFigure(layout={"template": {}}, _validate=False)
    # The frames go as they are (a third of the copying): `animated_spec` makes them fresh,
    # of lists and numbers only (the tests hold the result equal to plotly.py's).
    fig._wire = {key: _copy(value) for key, value in spec.items() if key != "frames"}
    if "frames" in spec:
        fig._wire["frames"] = spec["frames"]
    return fig


def shared(fig: go.Figure) -> go.Figure:
    """`fig` itself, from now on read-only and with its wire dict built (see the module).

    Call it where the figure is cached, once it is complete: a later change to the figure
    would not reach the browser.
    """
    if type(fig) is go.Figure:
        fig.__class__ = SharedFigure  # the same object: no copy of its frames
    fig.to_dict()
    return fig
