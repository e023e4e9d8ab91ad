"""Security against a live `streamlit run app.py` : uploads need the XSRF
token, the server itself enforces the upload cap, a websocket from another site is refused,
and the live page validates a link's numbers.
"""

from __future__ import annotations

import http.client
import time
import urllib.parse
import urllib.request
import uuid

import pytest

from bernoulli.data import samples
from tests.streamlit_client import Session, free_port, start_server, stop_server, xsrf_token


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    proc = start_server(port, tmp_path_factory.mktemp("security") / "streamlit.log")
    yield port
    stop_server(proc)


def url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def put(port, path, body=b"", headers=None, chunks=None) -> int:
    """The status of a PUT; `chunks` streams the body with chunked transfer encoding."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        if chunks is None:
            conn.request("PUT", path, body=body, headers=headers or {})
        else:
            conn.putrequest("PUT", path)
            for key, value in (headers or {}).items():
                conn.putheader(key, value)
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            try:
                for chunk in chunks:
                    conn.send(b"%X\r\n%s\r\n" % (len(chunk), chunk))
                conn.send(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may stop reading once it has refused the body
        return conn.getresponse().status
    finally:
        conn.close()


def multipart(content: bytes, name: str = "flips.csv") -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), boundary


def upload_path(session_id: str) -> str:
    return f"/_stcore/upload_file/{session_id}/{uuid.uuid4().hex}"


@pytest.mark.timeout(240)
def test_upload_needs_the_xsrf_token(server):
    token = xsrf_token(url(server))
    body, boundary = multipart(b"0\n1\n")
    form = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    good = form | {"Cookie": f"_streamlit_xsrf={token}", "X-Xsrftoken": token}
    with Session(url(server), token) as session:
        path = upload_path(session.id)
        assert put(server, path, body, form) == 403  # no cookie, no header
        assert put(server, path, body, form | {"X-Xsrftoken": token}) == 403  # no cookie
        other = xsrf_token(url(server))  # a valid token of another browser
        assert put(server, path, body, good | {"X-Xsrftoken": other}) == 403
        assert put(server, upload_path("not-a-session"), body, good) == 400
        assert put(server, path, body, good) == 204  # the same request, done right


@pytest.mark.timeout(240)
def test_server_enforces_the_upload_cap(server):
    """The server refuses any request body over maxUploadSize (200 MiB), by its declared
    length and, when that lies, while streaming it. The cap counts the multipart framing
    too, so the largest file it takes is 200 MiB less about 200 bytes."""
    token = xsrf_token(url(server))
    auth = {"Cookie": f"_streamlit_xsrf={token}", "X-Xsrftoken": token}
    framing = len(multipart(b"")[0])
    with Session(url(server), token) as session:
        for size, status in (
            (samples.MAX_BYTES - framing, 204),
            (samples.MAX_BYTES - framing + 1, 413),
        ):
            body, boundary = multipart(b"1" * size)
            assert len(body) == size + framing
            form = auth | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
            assert put(server, upload_path(session.id), body, form) == status, size
            del body
        # A body sent without a length (chunked) is cut off once it passes the cap plus
        # 1 MB of framing allowance: 203 MB are never all read.
        head, boundary = multipart(b"")
        form = auth | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        piece = b"1" * (1 << 20)
        chunks = [head.split(b"\r\n--")[0], *([piece] * (samples.MAX_BYTES // len(piece) + 3))]
        start = time.perf_counter()
        assert put(server, upload_path(session.id), headers=form, chunks=chunks) == 413
        assert time.perf_counter() - start < 60
    with urllib.request.urlopen(f"http://127.0.0.1:{server}/_stcore/health") as response:
        assert response.status == 200  # and the server is fine


@pytest.mark.timeout(120)
def test_websocket_from_another_site_is_refused(server):
    from websockets.exceptions import InvalidStatus

    token = xsrf_token(url(server))
    with pytest.raises(InvalidStatus) as info:
        Session(url(server), token, origin="https://evil.example")
    assert info.value.response.status_code == 403


@pytest.mark.timeout(120)
def test_query_is_validated_by_the_live_page(server):
    """A link with out-of-range numbers opens the default run and says what it ignored."""
    query = {"lr": "1e99", "steps": "99999999", "p0": "nan", "n": "-1", "data": "generate"}
    base = url(server)
    with Session(base, xsrf_token(base), query=urllib.parse.urlencode(query)) as session:
        elements = session.finish()
    assert "exception" not in {kind for kind, _ in elements}
    (notes,) = [e.body for kind, e in elements if kind == "alert" and "link" in e.body]
    for key, text in query.items():
        if key != "data":
            assert f'Ignored {key}="{text}": ' in notes
    metrics = {e.label: e.body for kind, e in elements if kind == "metric"}
    assert metrics["final p (step 1000)"]  # the default 1000 steps ran
