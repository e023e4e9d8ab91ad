"""The class's predictions on the projector, through a store (`bernoulli.classroom.store`).

- `teacher_view`: a class (`bernoulli.classroom.store`): its code large with the students' link, a
  question about the run on screen, the live tally and the reveal.
- `student_page`: ``?class=CODE``: the question's run in words, the four choices, a name if
  the student types one; the answer once the teacher reveals it; and the student's own run
  for the class map (`ui.class_map`, whose teacher's side is drawn under the class panel).

Stored text (names) is shown with ``st.text`` only: never as markdown or HTML.
"""

from __future__ import annotations

import secrets
import urllib.parse

import streamlit as st

from bernoulli.classroom import classcode, store
from bernoulli.classroom.classcode import ClassCodeError
from bernoulli.data import samples
from bernoulli.engine.optimize import Settings
from bernoulli.io import share
from bernoulli.teach import lesson
from ui import class_map, state
from ui.class_common import CLASS_NOTE, class_store, line, query_of, question_run, student_id
from ui.presenter import presenter_summary
from ui.run_view import banner, run_cached, run_key, run_view

TALLY_EVERY = 1.5  # seconds between the tally's reruns on the teacher's page
WATCH_EVERY = 2.0  # seconds between a student page's looks at the class's question
CODE_TRIES = (5, 60.0)  # class codes a session may try, per so many seconds
JOIN = "join"  # the session value: (code text, code or None, message) of the last join
LIMITER = "code_limiter"  # the session value: the session's RateLimiter of code attempts
VOTED = "voted"  # the session value: (question id, choice, name) of the last vote sent
NAME = "student_name"  # the widget key of a student's name
CODE_BOX = "class_input"  # the widget key of a student's typed class code
CODE_STYLE = (  # the class code, large enough to read from the back of a room
    "<style>.st-key-class_code code{font-size:2.6rem;font-weight:700;letter-spacing:.04em;"
    "white-space:nowrap;background:none;color:inherit}</style>"
)


# --- the teacher's class ----------------------------------------------------------------------


def teacher_view(sample: samples.Sample, settings: Settings, option_box, presenting: bool):
    """Start or join a class; in a class, its code, the question, the tally, the reveal."""
    code = teacher_class()
    if code is None:
        start_or_join()
        return run_view(sample, settings, option_box, presenting)
    question = current_question(code)
    rid = state.run_id(sample, settings)
    asked = question_run(question.query) if question else None
    asked_rid = state.run_id(*asked) if asked else None
    waiting = question is not None and not question.revealed
    st.session_state[state.REVEALED] = None if question is None or waiting else asked_rid
    class_panel(code, question, query_of(sample, settings))
    class_map.teacher_map(code, question)
    if question is not None and question.revealed and asked_rid == rid:
        return run_view(
            sample, settings, option_box, presenting, headline=lambda t: reveal(code, question, t)
        )
    asked_here = waiting and asked_rid == rid  # (else: the run is not asked about yet)
    run_view(sample, settings, option_box, presenting, headline=lambda _: kept_back(asked_here))
    return None


def teacher_class() -> str | None:
    """The teacher's class code (``teach=CODE``), if it is still open; else a note."""
    text = st.session_state[state.TEACH]
    if not text:
        return None
    try:
        return class_store().get_class(classcode.normalize(text)).code
    except ClassCodeError as error:
        st.session_state[state.TEACH] = ""
        st.session_state[CLASS_NOTE] = line(error)
        return None


def current_question(code: str):
    try:
        return class_store().current(code)
    except ClassCodeError as error:
        st.error(line(error))
        return None


def start_or_join() -> None:
    """A teacher starts a class; a student types the teacher's code."""
    note = st.session_state.pop(CLASS_NOTE, "")
    if note:
        st.error(note)
    teach, join = st.columns(2)
    with teach.container(border=True):
        st.markdown(
            "**Teaching?** Start a class: your students open its link on their phones and "
            "predict the run on your screen; you see their votes live, then reveal the run."
        )
        st.button("Start a class", key="start_class", on_click=open_class, type="primary")
    with join.container(border=True):
        st.text_input(
            "Class code", key="join_code", placeholder="ABCDE-FGHJK", max_chars=state.MAX_CODE_TEXT
        )
        st.button("Join the class", key="join_class", on_click=join_typed)


def open_class() -> None:
    st.session_state[state.TEACH] = class_store().open_class().code


def join_typed() -> None:
    st.session_state[state.CLASS] = st.session_state.get("join_code", "")


def class_panel(code: str, question, query: str) -> None:
    """The code large, the students' link, the buttons; the live tally beside them."""
    left, right = st.columns([5, 6])
    left.html(CODE_STYLE)  # (a constant: no HTML is ever built from values)
    left.container(key="class_code").markdown(f"`{classcode.display(code)}`")
    base = st.context.url or "./"  # (None under AppTest)
    base = base if urllib.parse.urlsplit(base).path else base + "/"
    left.code(share.link(base, {state.CLASS: code}), language=None, wrap_lines=True)
    left.button(
        "Ask about this run",
        key="ask",
        on_click=ask,
        args=(code, query),
        help="Students see this run's settings and predict what p does.",
        width="stretch",
    )
    reveal_box, end_box = left.columns(2)
    reveal_box.button(
        "Reveal",
        key="reveal",
        on_click=do_reveal,
        args=(code, question.id if question else "", question.query if question else ""),
        disabled=question is None or question.revealed,
        type="primary",
        width="stretch",
    )
    end_box.button(
        "Leave",
        key="leave_class",
        on_click=leave_class,
        help="This page leaves the class; its code works for 12 hours.",
        width="stretch",
    )
    note = st.session_state.pop(CLASS_NOTE, "")
    if note:
        left.warning(note)
    with right:
        if question is None:
            st.info("Ask about the run on screen: your students' votes appear here, live.")
        else:
            if question.query != query:
                st.caption("The question is about the run you asked, not the one now shown.")
            tally_panel(code, question.id)


def ask(code: str, query: str) -> None:
    session = st.session_state
    if question_run(query) is None:
        session[CLASS_NOTE] = (
            "A link cannot carry this sample (an upload, or too many typed values): "
            "students could not see this run. Generate or type a sample."
        )
        return
    try:
        class_store().ask(code, secrets.token_hex(6), query)
    except (ClassCodeError, store.StoreError) as error:
        session[CLASS_NOTE] = line(error)
        return
    session[state.REVEALED] = None  # (before the sidebar's forecast)


def do_reveal(code: str, question_id: str, query: str) -> None:
    try:
        class_store().reveal(code, question_id)
    except (ClassCodeError, store.StoreError) as error:
        st.session_state[CLASS_NOTE] = line(error)
        return
    asked = question_run(query)  # (before the sidebar's forecast)
    st.session_state[state.REVEALED] = state.run_id(*asked) if asked else None


def leave_class() -> None:
    st.session_state[state.TEACH] = ""


@st.fragment(run_every=TALLY_EVERY)
def tally_panel(code: str, question_id: str) -> None:
    """The class's votes as bars, redrawn every TALLY_EVERY seconds (this fragment only)."""
    try:
        counts = class_store().tally(code, question_id)
        names = class_store().names(code, question_id)
    except (ClassCodeError, store.StoreError) as error:
        st.error(line(error))
        return
    total = sum(counts.values())
    st.markdown(
        f"**{total} vote{'' if total == 1 else 's'}** · "
        + " · ".join(f"{lesson.LABELS[c]}: {counts[c]}" for c in lesson.OUTCOMES)
    )
    most = max(1, *counts.values())
    for choice in lesson.OUTCOMES:  # bars: light enough to redraw every second or two
        st.progress(counts[choice] / most, text=f"{lesson.LABELS[choice]}: **{counts[choice]}**")
    if names:
        st.text("Names: " + ", ".join(names))  # as typed: never markdown or HTML


def kept_back(asked: bool) -> bool:
    """The banner's place while the class has not seen this run's outcome."""
    if asked:
        words = "Your class is predicting this run: reveal it when the votes are in."
    else:
        words = "Ask your class about this run: what it does shows once you reveal it."
    st.info(words, icon=":material/how_to_vote:")
    return False


def reveal(code: str, question, traj) -> None:
    """What the run did, against what the class said."""
    counts = class_store().tally(code, question.id)
    total = sum(counts.values())
    said = lesson.outcome(traj)
    st.success(
        f"The run {lesson.LABELS[said]}: {counts[said]} of {total} predicted it.",
        icon=":material/how_to_vote:",
    )
    banner(traj)


# --- a student's page -------------------------------------------------------------------------


def student() -> bool:
    """Whether this session is a student's in a class (``class=CODE``)."""
    return bool(st.session_state[state.CLASS])


def student_page() -> None:
    """A name; the question on screen: the run in words, the choices, then the answer; and
    the student's own run, sent to the class map."""
    st.title("Predict with your class")
    code = joined_class()
    if code is None:
        return
    try:
        question = class_store().current(code)
    except ClassCodeError as error:
        st.error(line(error))
        return
    watch(code, (question.id, question.revealed) if question else None)
    st.caption(f"Class {classcode.display(code)}")
    name = st.text_input(
        "Your name (optional: shown to the class only if you type one)",
        key=NAME,
        max_chars=store.NAME_MAX,
    )
    question_box(code, question, name)
    class_map.own_run(code, question, name)


def question_box(code: str, question, name: str) -> None:
    """The question's run in words and the choices; once revealed, the answer."""
    if question is None:
        st.info("Waiting for your teacher's first question…", icon=":material/hourglass:")
        return
    found = question_run(question.query)
    if found is None:
        st.error("This question's sample cannot travel in a link: ask your teacher.")
        return
    sample, settings = found
    presenter_summary(st.container(), sample, settings, None)
    if question.revealed:
        answer(question, sample, settings)
    else:
        vote_box(code, question, name)


def joined_class() -> str | None:
    """The class this student's code opens, checked once per code typed (rate-limited)."""
    session = st.session_state
    text = session[state.CLASS]
    last = session.get(JOIN)
    if last is None or last[0] != text:
        limiter = session.setdefault(LIMITER, classcode.RateLimiter(*CODE_TRIES))
        code, message = None, ""
        if not limiter.allow():
            message = line(ValueError(limiter.message()))
        else:
            try:
                code = class_store().get_class(classcode.normalize(text)).code
            except ClassCodeError as error:
                message = line(error)
        last = session[JOIN] = (text, code, message)
    if last[1] is not None:
        if st.query_params.to_dict() != {state.CLASS: last[1]}:
            st.query_params.from_dict({state.CLASS: last[1]})  # the link to this class
        return last[1]
    st.error(last[2])
    session.setdefault(CODE_BOX, text)  # what the student typed (or the link said), kept
    st.text_input(
        "Class code",
        key=CODE_BOX,
        max_chars=state.MAX_CODE_TEXT,
        on_change=lambda: session.update({state.CLASS: session[CODE_BOX]}),
    )
    join, leave = st.columns(2)
    join.button(
        "Join the class",
        key="join_again",
        on_click=lambda: session.update({state.CLASS: session[CODE_BOX], JOIN: None}),
    )
    leave.button("Back to the page", key="leave_student", on_click=leave_student)
    return None


def leave_student() -> None:
    st.session_state[state.CLASS] = ""
    st.query_params.clear()


@st.fragment(run_every=WATCH_EVERY)
def watch(code: str, seen) -> None:
    """Every few seconds: a new question or a reveal reruns the page (nothing else does)."""
    try:
        question = class_store().current(code)
    except ClassCodeError:
        question = None
    now = (question.id, question.revealed) if question else None
    if now != seen:
        st.rerun()


def vote_box(code: str, question, name: str) -> None:
    """The four choices; a choice (or a name) not sent yet is sent.

    Sent from the script, not from a callback: a click that lands while the page's first
    run is still going has no callback yet, and its vote would be lost.
    """
    session = st.session_state
    voter = student_id()
    choice = st.radio(
        "What will p do?",
        lesson.OUTCOMES,
        index=None,
        format_func=lesson.LABELS.get,
        key=f"vote_{question.id}",
    )
    vote = (question.id, choice, name)
    if choice is not None and session.get(VOTED) != vote:
        try:
            class_store().vote(code, question.id, voter, choice, name)
        except (ClassCodeError, store.StoreError) as error:
            st.error(line(error))
            return
        session[VOTED] = vote
    if choice is not None and session.get(VOTED) == vote:
        st.success(
            f"Sent: {lesson.LABELS[choice]}. You can change it until your teacher reveals the run.",
            icon=":material/how_to_vote:",
        )


def answer(question, sample: samples.Sample, settings: Settings) -> None:
    """The run's outcome, against this student's vote."""
    traj = run_cached(run_key(sample, settings), sample.values)
    voted = st.session_state.get(VOTED)
    if voted and voted[0] == question.id:
        said = lesson.verdict(voted[1], traj)
        (st.success if said.right else st.warning)(
            f"You predicted: {lesson.LABELS[voted[1]]}. {said.sentence}"
        )
    else:
        outcome = lesson.outcome(traj)
        st.info(f"The run {lesson.LABELS[outcome]}.")
    st.link_button("Watch this run", "./?" + question.query, icon=":material/play_arrow:")
