"""A live `streamlit run app.py`, and one session of it spoken to as the page does.

The server listens on 127.0.0.1 on a free port. A `Session` is a websocket client of
Streamlit's own protocol (protobuf BackMsg/ForwardMsg): it sends the link's query as the
browser does on opening a page, and reads what the script draws, with no browser at all.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.helpers import ROOT

FINISHED_EARLY_FOR_RERUN = 2  # ForwardMsg.ScriptFinishedStatus: the run was replaced


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    port: int,
    log_path: Path,
    script: str = "app.py",
    address: str = "127.0.0.1",
    env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """Start `streamlit run script` (a path from the clone's root) on address:port, with `env`
    added to the environment, and wait until it answers its health check."""
    log = open(log_path, "w")  # noqa: SIM115 - closed by stop_server
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port)]
    command += ["--server.address", address, "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    proc.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 90
    url = f"http://{address}:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.25)
    stop_server(proc)
    raise RuntimeError(f"streamlit did not answer {url} within 90 s:\n{log_path.read_text()}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.log.close()  # type: ignore[attr-defined]


def xsrf_token(base: str) -> str:
    """A fresh XSRF token, as the server sets it in a browser's cookie."""
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=60) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    (value,) = [
        c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("_streamlit_xsrf=")
    ]
    return value


class Session:
    """A websocket session as the browser opens it (base is http://host:port); its id is what
    uploads are filed under. `origin` is the page's origin by default; `cookie` adds cookies
    ("name=value; ...") to the XSRF one, as a browser sends all it holds for the site."""

    timeout = 60.0  # seconds to connect, and for each message

    def __init__(
        self, base: str, token: str, query: str = "", origin: str | None = None, cookie: str = ""
    ):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from websockets.sync.client import connect

        self.connection = connect(
            base.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit", token],
            additional_headers={
                "Cookie": "; ".join(filter(None, (f"_streamlit_xsrf={token}", cookie))),
                "Origin": origin or base,
            },
            max_size=2**27,
            open_timeout=self.timeout,
        )
        self.ws = self.connection.__enter__()
        rerun = BackMsg()
        rerun.rerun_script.query_string = query
        rerun.rerun_script.page_script_hash = ""
        self.ws.send(rerun.SerializeToString())
        self.id = None
        self.elements: list = []  # (type, proto) of the run's elements, once read
        while self.id is None:
            msg = self.next()
            if msg.WhichOneof("type") == "new_session":
                self.id = msg.new_session.initialize.session_id

    def send_widgets(self, query: str, widgets: list) -> None:
        """Rerun the script as the page does when a widget changes: `widgets` are WidgetState
        protos (``streamlit.proto.WidgetStates_pb2``), e.g. a number, a button's trigger.
        Widgets not among them keep their values (the session holds them)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        rerun = BackMsg()
        rerun.rerun_script.query_string = query
        rerun.rerun_script.page_script_hash = ""
        rerun.rerun_script.widget_states.widgets.extend(widgets)
        self.ws.send(rerun.SerializeToString())

    def next(self):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = ForwardMsg()
        msg.ParseFromString(self.ws.recv(timeout=self.timeout))
        return msg

    def finish(self) -> list:
        """Read the run to its end; its elements as (type, proto). A run that is replaced by
        another (a new_session message starts each run) starts the list again."""
        while True:
            msg = self.next()
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.elements = []
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                kind_of = element.WhichOneof("type")
                self.elements.append((kind_of, getattr(element, kind_of)))
            elif kind == "script_finished" and msg.script_finished != FINISHED_EARLY_FOR_RERUN:
                return self.elements

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.connection.__exit__(*exc)
