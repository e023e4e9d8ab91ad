"""What the page benchmarks share: the clone on the import path, the floor page, a server.

The benchmarks run as scripts (``python bench/bench_class.py``), so this folder is on the
import path and ``import common`` finds this module; importing it puts the clone's root there
too, for ``tests`` and ``bernoulli``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.streamlit_client import free_port, start_server, stop_server  # noqa: E402

# The floor page, as the project is given it: the least a Streamlit page serving one cached
# Plotly figure of 200 frames costs. Benchmarks run it beside the app and report ratios.
FLOOR = str(ROOT.parent / "shared" / "bench" / "floor_app.py")
LOGS = ROOT / "artifacts"


class Server:
    """A `streamlit run script` on a free loopback port (its log artifacts/<log>.log, `env`
    added to the environment), stopped on exit."""

    def __init__(self, script: str, log: str, env: dict[str, str] | None = None):
        LOGS.mkdir(exist_ok=True)
        self.port = free_port()
        self.proc = start_server(self.port, LOGS / f"{log}.log", script, env=env)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        stop_server(self.proc)
