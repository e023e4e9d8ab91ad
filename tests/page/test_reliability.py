"""The page at extreme settings: links at the edges of every bound draw
with either gradient axis. The engine and figure at those settings: tests/unit/test_reliability.py.
"""

from __future__ import annotations

import math

import pytest

from tests.helpers import ROOT
from tests.unit.test_reliability import strict_json

EXTREME_LINKS = [
    {"p0": "1e-300", "dtype": "float64"},  # |dNLL/dp| = 1.45e302: once an OverflowError
    {"lr": "1000000", "param": "logit"},
    {"opt": "adam", "lr": "1000000", "p0": "1e-45"},
    {"data": "generate", "n": "1", "true_p": "1", "data_seed": "1", "opt": "newton"},
]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("link", EXTREME_LINKS, ids=lambda link: "&".join(link))
def test_the_page_draws_extreme_links_with_either_gradient_axis(link):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(link)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for log_grad in (True, False):
        at.toggle(key="log_grad").set_value(log_grad).run()
        assert not at.exception, [e.value for e in at.exception]
        (chart,) = at.get("plotly_chart")
        layout = strict_json(chart.proto.spec)["layout"]
        assert layout["yaxis3"]["type"] == ("log" if log_grad else "linear")
        assert all(math.isfinite(v) for v in layout["yaxis3"]["range"])
