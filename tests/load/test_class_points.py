"""A class of 100 on one server: every student's session sends a run of its own, all at once,
over Streamlit's own protocol as the page does (it sets the lr and p0 widgets and clicks
*Send my run*). No session sees an error, each is told what its run did, and the class store
holds exactly the points sent, once each, with the outcome of their own torch runs, computed
here independently."""

from __future__ import annotations

import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest

from bernoulli.classroom import store, store_url
from bernoulli.data import samples
from bernoulli.engine import optimize as opt
from bernoulli.io import share
from bernoulli.teach import lesson
from tests.streamlit_client import Session, free_port, start_server, stop_server, xsrf_token
from ui.class_map import P0_CHOICES

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

STUDENTS = 100
QUESTION = "lr=0.0015&p0=0.6&dtype=float64&steps=200"


class Student(Session):
    timeout = 600.0  # 100 sessions share 2 cores with the server


def own(i: int) -> tuple[float, float]:
    """Student i's learning rate and p0 (one of P0_CHOICES): every student's different."""
    return round(1e-4 * (1 + 0.29 * i), 6), P0_CHOICES[(7 * i + 3) % len(P0_CHOICES)]


def outcome(lr: float, p0: float) -> str:
    settings = share.decode(urllib.parse.parse_qs(QUESTION)).settings.replace(lr=lr, p0=p0)
    sample = samples.notebook_sample()
    traj = opt.run(sample.n, sample.k, settings)
    return lesson.outcome(traj)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with its classes in a fresh SQLite file; a class with a question asked."""
    folder = tmp_path_factory.mktemp("class-points")
    url = f"sqlite:///{folder / 'classes.db'}"
    port = free_port()
    proc = start_server(port, folder / "streamlit.log", env={store.ENV_URL: url})
    classes = store_url.open_store(url)
    code = classes.open_class().code
    classes.ask(code, "q1", QUESTION)
    classes.reveal(code, "q1")  # students' own runs open once it is revealed
    yield f"http://127.0.0.1:{port}", classes, code
    stop_server(proc)


def widget(elements, key: str) -> str:
    (found,) = [e.id for _, e in elements if getattr(e, "id", "").endswith(f"-{key}")]
    return found


def send(base: str, code: str, i: int) -> list[str]:
    """Student i opens the class, sends its run; the sentences the page then says."""
    from streamlit.proto.Common_pb2 import StringArray
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    lr, p0 = own(i)
    query = f"class={code}"
    with Student(base, xsrf_token(base), query) as session:
        page = session.finish()
        session.send_widgets(
            query,
            [
                WidgetState(id=widget(page, "own_lr"), double_value=lr),
                WidgetState(
                    id=widget(page, "own_p0"), string_array_value=StringArray(data=[str(p0)])
                ),
                WidgetState(id=widget(page, "send_run"), trigger_value=True),
            ],
        )
        after = session.finish()
    assert "exception" not in {kind for kind, _ in page + after}, i
    return [e.body for kind, e in after if kind == "alert"]


def test_a_hundred_students_send_runs_at_once_and_the_store_holds_them_all(server):
    base, classes, code = server
    sent = set(map(own, range(STUDENTS)))
    assert len(sent) == STUDENTS
    want = {(lr, p0): outcome(lr, p0) for lr, p0 in sent}
    # Walking in, zig-zagging in and escaping among them (a cycle needs an lr in a window
    # narrower than their spacing), and nothing but the page's outcomes.
    assert {"converges", "zigzags", "escapes"} <= set(want.values()) <= set(lesson.OUTCOMES)
    with ThreadPoolExecutor(STUDENTS) as pool:
        said = list(pool.map(lambda i: send(base, code, i), range(STUDENTS)))
    for i, sentences in enumerate(said):
        lr, p0 = own(i)
        words = f"Sent: lr = {lr:g}, p₀ = {p0:g}. Your run {lesson.LABELS[want[lr, p0]]}."
        assert words in sentences, (i, sentences)
    points = classes.points(code)
    assert len(points) == STUDENTS and len({p.student for p in points}) == STUDENTS
    assert {(p.lr, p.p0): p.outcome for p in points} == want
    assert {p.base for p in points} == {"q1"}
