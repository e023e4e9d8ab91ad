"""Runs in threads take turns: one at a time, in the order they asked, and the same results."""

from __future__ import annotations

import threading

import pytest

from bernoulli.engine import optimize, turns
from bernoulli.engine.turns import Turns


def test_one_thread_at_a_time_in_the_order_they_asked():
    queue = Turns()
    inside, most, order = [], [0], []
    lock = threading.Lock()
    first = threading.Event()

    def worker(i: int) -> None:
        with queue.taking() as pass_on:
            for _ in range(3):
                with lock:
                    inside.append(i)
                    most[0] = max(most[0], len(inside))
                    order.append(i)
                first.set()
                with lock:
                    inside.remove(i)
                pass_on()

    with queue.taking():  # hold the turn while every worker queues, one after the other
        threads = []
        for i in range(5):
            threads.append(threading.Thread(target=worker, args=(i,)))
            threads[-1].start()
            while queue._issued < i + 2:  # (this turn's ticket, then one per worker)
                threading.Event().wait(0.001)
    for thread in threads:
        thread.join(timeout=30)
    assert most == [1]
    # each worker's first slice in ticket order, then round after round in the same order
    assert order == [0, 1, 2, 3, 4] * 3


def test_a_thread_interrupted_in_the_queue_gives_its_turn_up(monkeypatch):
    queue = Turns()
    real = threading.Condition.wait_for
    calls = []

    def interrupted_once(self, predicate, timeout=None):
        if not calls:
            calls.append(1)
            raise KeyboardInterrupt
        return real(self, predicate, timeout)

    with queue.taking():
        monkeypatch.setattr(threading.Condition, "wait_for", interrupted_once)
        with pytest.raises(KeyboardInterrupt):
            queue._wait()  # a second ticket, given up while the first is held
        monkeypatch.setattr(threading.Condition, "wait_for", real)
    done = threading.Event()

    def later() -> None:
        with queue.taking():
            done.set()

    thread = threading.Thread(target=later)
    thread.start()
    thread.join(timeout=30)
    assert done.is_set()  # the given-up ticket was passed over, not waited for


def test_an_error_in_a_turn_lets_the_next_one_go():
    queue = Turns()
    with pytest.raises(ValueError), queue.taking():
        raise ValueError("in the run")
    with queue.taking():  # would wait forever if the turn were still held
        pass


def test_runs_in_threads_at_once_equal_runs_one_after_the_other():
    cases = [
        optimize.Settings(lr=1e-4 * (i + 1), steps=3 * turns.SLICE + 7, dtype="float64")
        for i in range(6)
    ]
    alone = [optimize.run(200, 145, s) for s in cases]
    together = [None] * len(cases)

    def run(i: int) -> None:
        together[i] = optimize.run(200, 145, cases[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(cases))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for a, b in zip(alone, together, strict=True):
        assert b is not None and b.status == a.status
        assert b.p.tobytes() == a.p.tobytes() and b.grad_param.tobytes() == a.grad_param.tobytes()
