"""The class map's figure: one trace per outcome in the page's order, each point where its run
started, names escaped in the hover, 1/H and 2/H, every point inside the axes, and an outcome
word the map has no colour for still shown, in its own words."""

from __future__ import annotations

import math

from bernoulli.classroom.store_points import Point
from bernoulli.engine.problem import Problem
from bernoulli.plots.class_map import OTHER_STYLE, OUTCOME_STYLE, class_map_figure, hover
from bernoulli.plots.marks import threshold_marks
from bernoulli.teach import lesson

PROBLEM = Problem(200, 145)


def point(student: str, lr: float, p0: float, outcome: str, name: str = "") -> Point:
    return Point(student, lr, p0, outcome, "", name=name)


def test_points_by_outcome_in_the_pages_order_with_their_colours():
    points = [
        point("a", 3e-3, 0.6, "escapes"),
        point("b", 2e-4, 0.6, "converges"),
        point("c", 1.5e-3, 0.4, "zigzags"),
        point("d", 2e-4, 0.9, "converges"),
    ]
    fig = class_map_figure(points, PROBLEM, lesson.LABELS, threshold_marks(PROBLEM))
    traces = [t for t in fig.data if t.customdata is not None]
    assert [t.legendgroup for t in traces] == ["converges", "zigzags", "escapes"]
    converges = traces[0]
    assert list(converges.x) == [2e-4, 2e-4] and list(converges.y) == [0.6, 0.9]
    assert list(converges.customdata) == ["b", "d"]
    assert converges.name == "converges smoothly (2)"
    for t in traces:
        assert (t.marker.color, t.marker.symbol) == OUTCOME_STYLE[t.legendgroup]
    lines = {t.name.split(" =")[0]: t for t in fig.data if t.mode == "lines"}
    th = PROBLEM.thresholds()
    assert lines["1/H"].x[0] == th.monotone and lines["2/H"].x[0] == th.stable
    assert lines["p̂"].y == (0.725, 0.725)


def test_every_point_is_inside_the_axes():
    far = [point("a", 1e-9, 0.01, "converges"), point("b", 50.0, 0.99, "escapes")]
    fig = class_map_figure(far, PROBLEM, lesson.LABELS)
    low, high = fig.layout.xaxis.range
    assert low < math.log10(1e-9) and high > math.log10(50.0)
    assert fig.layout.xaxis.type == "log"


def test_names_are_escaped_into_the_hover_and_shown_as_typed():
    text = hover(point("a", 1e-3, 0.5, "converges", "<b>Ann</b> & <script>x</script>"), "ok")
    assert text == (
        "&lt;b&gt;Ann&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;<br>lr = 0.001, p₀ = 0.5<br>ok"
    )
    assert hover(point("a", 1e-3, 0.5, "converges"), "ok") == "lr = 0.001, p₀ = 0.5<br>ok"


def test_an_outcome_the_map_has_no_colour_for_is_shown_in_its_own_words():
    fig = class_map_figure(
        [point("a", 1e-3, 0.5, "cycle of period 3"), point("b", 1e-4, 0.5, "converges")],
        PROBLEM,
        lesson.LABELS,
    )
    traces = [t for t in fig.data if t.customdata is not None]
    assert [t.name for t in traces] == ["converges smoothly (1)", "cycle of period 3 (1)"]
    assert (traces[1].marker.color, traces[1].marker.symbol) == OTHER_STYLE
