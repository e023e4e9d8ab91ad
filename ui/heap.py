"""Keep the long-lived heap out of the garbage collector's full passes.

Streamlit runs ``gc.collect(2)`` after every script run (its ``runner.postScriptGC``), and a
full pass walks every object the collector tracks. Once a run has imported torch (which
brings sympy), plotly, pandas and the page's modules, that is some 390,000 objects and well
over 100 ms a pass here, paid again by every session that opens the page: more than the
page's own script (57 % of the server's CPU while a class opened the link).
`freeze_once` moves what is alive after the process's first run into a permanent
generation the collector skips; what a session creates afterwards is still collected after
its run, and a frozen object whose last reference goes is still freed. The cost is bounded
and paid once: reference cycles made by the first run (its session, the figures it cached)
stay in memory after they are dropped.

Even so, a full pass after every run walks what every open session made (each distinct run's
cached figure alone is some 6,000 objects): with thirty sessions each opening its own run at
once, thirty full passes held the GIL for 39 % of the server's time. So Streamlit's own pass
is off (``runner.postScriptGC = false`` in .streamlit/config.toml) and `after_run` makes one
full pass at most every `COLLECT_EVERY` seconds for the whole process (Python's own
generational collection goes on as always): a class's burst of runs pays a few passes, not one
each, and an idle server's garbage is still collected after its next run.
"""

from __future__ import annotations

import gc
import threading
import time

# Set once the heap is frozen: a fact about the process, the same for every session. (Not
# gc.get_freeze_count(), which walks the whole frozen list: 40 ms at every run.)
_FROZEN = threading.Event()
_LOCK = threading.Lock()  # two sessions' first runs may end together
COLLECT_EVERY = 1.0  # seconds between the process's full collections after a run


class _Collector:
    """When the process's last full collection after a run began (one at a time)."""

    def __init__(self) -> None:
        self.last = -float("inf")  # time.monotonic()
        self.busy = threading.Lock()


COLLECTOR = _Collector()  # one for the process: the heap is the process's


def freeze_once() -> None:
    """Collect, then freeze everything alive; the first call in the process only."""
    if _FROZEN.is_set():
        return
    with _LOCK:
        if not _FROZEN.is_set():
            gc.collect()
            gc.freeze()
            _FROZEN.set()


def after_run(clock=time.monotonic) -> bool:
    """After a session's run: freeze once; then a full collection if none began in the last
    COLLECT_EVERY seconds (one at a time). Whether this call collected."""
    freeze_once()
    now = clock()
    if now - COLLECTOR.last < COLLECT_EVERY or not COLLECTOR.busy.acquire(blocking=False):
        return False
    try:
        COLLECTOR.last = now
        gc.collect(2)
    finally:
        COLLECTOR.busy.release()
    return True
