"""The long-lived heap is frozen after the first run: Streamlit's full collection after each
run then walks only what a session made, and still collects a session's garbage."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT

# In a fresh interpreter: this test process's own heap must not decide the counts.
PROBE = """
import gc, weakref
from streamlit.testing.v1 import AppTest
from ui import heap

assert gc.get_freeze_count() == 0
at = AppTest.from_file("app.py", default_timeout=120)
at.run()
assert not at.exception, [e.value for e in at.exception]
frozen = gc.get_freeze_count()
tracked = len(gc.get_objects())

# A second session freezes nothing more (frozen objects whose last reference went are freed,
# so the count may only fall).
AppTest.from_file("app.py", default_timeout=120).run()
assert gc.get_freeze_count() <= frozen, (gc.get_freeze_count(), frozen)


class Node:
    pass


cycle = Node()
cycle.me = cycle  # garbage that only a collection frees, made after the freeze
alive = weakref.ref(cycle)
del cycle
gc.collect(2)
assert alive() is None, "a cycle made after the freeze was not collected"
before = gc.get_freeze_count()
heap.freeze_once()
assert gc.get_freeze_count() == before
print(frozen, tracked)
"""


def test_the_first_run_freezes_the_heap_and_later_garbage_is_still_collected():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    frozen, tracked = map(int, done.stdout.split()[-2:])
    # torch, plotly, pandas and the page's modules: well over 100,000 objects the collector
    # no longer walks, against the few a full pass still walks after the first run.
    assert frozen > 100_000
    assert tracked < frozen / 4, (tracked, frozen)


def test_a_full_collection_at_most_every_second_for_the_whole_server(monkeypatch):
    """Streamlit's pass after every run is off; `after_run` collects when none began in the
    last COLLECT_EVERY seconds, and frees a session's garbage cycles then."""
    import gc
    import tomllib
    import weakref

    from ui import heap

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    monkeypatch.setattr(heap, "freeze_once", lambda: None)  # (this process's heap stays)
    monkeypatch.setattr(heap, "COLLECTOR", heap._Collector())
    passes = []
    real = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *a: passes.append(a) or real(*a))
    now = [100.0]
    clock = lambda: now[0]  # noqa: E731

    class Node:
        pass

    cycle = Node()
    cycle.me = cycle
    alive = weakref.ref(cycle)
    del cycle
    assert heap.after_run(clock) and alive() is None and passes == [(2,)]
    for later in (100.2, 100.5, 100.99):
        now[0] = later
        assert not heap.after_run(clock)
    now[0] = 101.0
    assert heap.after_run(clock) and len(passes) == 2
