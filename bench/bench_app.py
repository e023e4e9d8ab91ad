"""Server-side rerun time of the page, measured with Streamlit's AppTest.

    python bench/bench_app.py

Reports medians (never pass/fail) for a rerun after changing one setting:

- a setting that does not change the run (the table's step K): every computation is cached;
- a new learning rate: a new 1000-step torch run (about 0.1 ms a step) and a new figure;

and the figure's payload for the notebook's 1000 steps.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import common  # noqa: F401  (puts the clone's root on the import path)
from streamlit.testing.v1 import AppTest

from ui.run_view import BELOW

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TABLE = "Trajectory table"  # the tab below the figure whose step K changes nothing of the run


def _timed(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    return elapsed


def bench_app(repeats: int = 9) -> dict[str, float]:
    """Median seconds of a rerun after one change, and the figure payload in KB."""
    at = AppTest.from_file(APP, default_timeout=60)
    first = _timed(at)
    at.session_state[BELOW] = TABLE  # the tabs are lazy: open the table's to reach its widget
    _timed(at)
    cached, log_toggle, new_lr = [], [], []
    for i in range(repeats):
        at.number_input(key="table_every").set_value(50 + i)
        cached.append(_timed(at))
    for i in range(repeats):
        at.toggle(key="log_grad").set_value(i % 2 == 0)
        log_toggle.append(_timed(at))
    at.toggle(key="log_grad").set_value(False)
    _timed(at)
    for i in range(repeats):
        at.number_input(key="lr").set_value(1.0e-4 + i * 1.37e-6)  # never seen: not cached
        new_lr.append(_timed(at))
    (chart,) = at.get("plotly_chart")
    return {
        "first_run_s": first,
        "rerun_cached_setting_s": statistics.median(cached),
        "rerun_log_grad_toggle_s": statistics.median(log_toggle),
        "rerun_new_lr_s": statistics.median(new_lr),
        "figure_payload_kb": len(chart.proto.spec) / 1024,
    }


if __name__ == "__main__":
    for name, value in bench_app().items():
        print(
            f"{name:28s} {value * 1000:8.1f} ms"
            if name.endswith("_s")
            else f"{name:28s} {value:8.1f}"
        )
