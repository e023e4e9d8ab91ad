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
"""

from __future__ import annotations

import gc
import threading

# Set once the heap is frozen: a fact about the process, the same for every session. (Not
# gc.get_freeze_count(), which walks the whole frozen list: 40 ms at every run.)
_FROZEN = threading.Event()
_LOCK = threading.Lock()  # two sessions' first runs may end together


def freeze_once() -> None:
    """Collect, then freeze everything alive; the first call in the process only."""
    if _FROZEN.is_set():
        return
    with _LOCK:
        if not _FROZEN.is_set():
            gc.collect()
            gc.freeze()
            _FROZEN.set()
