"""The floor page with the app's one change to Python's collector, for bench/bench_class.py.

The floor page (bench/common.py's FLOOR), run as it is, then `ui.heap.freeze_once()`: what the
first run leaves alive is frozen out of the full collection Streamlit runs after every script
run. The app does this (ui/heap.py); the floor page as given does not, and pays ~60 ms a
session for it. Measured against both, the app shows what it gains from the trick and what
its page costs beyond the floor's when both use it.
"""

from pathlib import Path

from common import FLOOR  # puts the clone on the import path (streamlit runs this from bench/)

from ui.heap import freeze_once

exec(compile(Path(FLOOR).read_text(encoding="utf-8"), FLOOR, "exec"))  # the floor page itself

freeze_once()
