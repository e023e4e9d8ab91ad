"""Predict, then observe: a prediction before the run, challenges, the class's votes live.

- `predicted_run`: the run view with its outcome kept back (the banner, the sidebar's
  forecast, everything below the figure) until the student predicts it or skips; then the
  verdict (`bernoulli.lesson`) in the banner's place. "Just show me" turns predictions off for
  the session and the link (``predict=0``); the bar's "Predict first" turns them on again.
- `challenges_view`: the cards of `bernoulli.challenges`, each checked on the run shown;
  the open card and the solved ones travel in the link (``card=4``, ``solved=1,3``).
- `teacher_view`: a class (`bernoulli.store`): its code large with the students' link, a
  question about the run on screen, the live tally and the reveal.
- `student_page`: ``?class=CODE``: the question's run in words, the four choices, a name if
  the student types one; the answer once the teacher reveals it.

Stored text (names) is shown with ``st.text`` only: never as markdown or HTML.
"""

from __future__ import annotations

import html
import os
import secrets
import urllib.parse

import plotly.graph_objects as go
import streamlit as st

from bernoulli import advice, challenges, classcode, data, lesson, share, store
from bernoulli.classcode import ClassCodeError
from bernoulli.optimize import Settings
from bernoulli.settings import MAX_STEPS
from ui import state
from ui.presenter import presenter_summary
from ui.run_view import banner, run_cached, run_key, run_view, why
from ui.sidebar import generated_sample, notebook_sample

TALLY_EVERY = 1.5  # seconds between the tally's reruns on the teacher's page
WATCH_EVERY = 2.0  # seconds between a student page's looks at the class's question
CODE_TRIES = (5, 60.0)  # class codes a session may try, per so many seconds
GUESS_ABOUT, GUESS_STEP, GUESS_P = "guess_about", "guess_step", "guess_p"  # a number's keys
GUESSES = {"escape_step": "the step p escapes at", "p_at_10": f"p after {lesson.P_AT} steps"}
CHECKED = "checked"  # the session value: (card, run id, challenges.Check) of the last check
START_NOTES = "start_notes"  # the session value: what a card's start could not load
JOIN = "join"  # the session value: (code text, code or None, message) of the last join
LIMITER = "code_limiter"  # the session value: the session's RateLimiter of code attempts
VOTER = "voter"  # the session value: this student's random voter id
VOTED = "voted"  # the session value: (question id, choice) of the last vote sent
CLASS_NOTE = "class_note"  # the session value: one line about the last class action
VOTE_NOTE = "vote_note"  # the session value: one line about the last vote
NAME = "student_name"  # the widget key of a student's name
CODE_BOX = "class_input"  # the widget key of a student's typed class code


# --- the store -------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _store(url: str) -> store.Store:
    return store.open_store(url or None)


def class_store() -> store.Store:
    """The classes' store that $BERNOULLI_STORE names (SQLite in a file by default)."""
    return _store(os.environ.get(store.ENV_URL, ""))


def line(error: Exception) -> str:
    """An error's one line, as a sentence."""
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# --- predict, then observe -------------------------------------------------------------------


def predicted_run(sample: data.Sample, settings: Settings, option_box, presenting: bool):
    """The run, its outcome kept back until it is predicted; returns the run once shown."""
    rid = state.run_id(sample, settings)
    if state.outcome_hidden(sample, settings):
        run_view(sample, settings, option_box, presenting, headline=lambda _: ask_prediction(rid))
        return None
    return run_view(sample, settings, option_box, presenting, headline=lambda t: verdict(t, rid))


def ask_prediction(rid: tuple) -> bool:
    """The banner's place before the run is predicted: the four outcomes, a number, a skip."""
    words, number, skip = st.columns([5, 2, 2], vertical_alignment="center")
    words.markdown("**Predict first:** what will p do in this run? Then press ▶ Play.")
    with number.popover(guess_label(), width="stretch"):
        about = st.radio(
            "Your number is",
            lesson.NUMBERS,
            format_func=GUESSES.get,
            key=GUESS_ABOUT,
            help="Optional: say it before you choose what p does.",
        )
        if about == "escape_step":
            st.number_input("Step", 1, MAX_STEPS, value=None, step=1, key=GUESS_STEP)
        else:
            st.number_input(
                f"p after {lesson.P_AT} steps", value=None, step=0.01, format="%.3f", key=GUESS_P
            )
    skip.button(
        "Just show me",
        key="skip_prediction",
        on_click=lambda: st.session_state.update({state.PREDICT: False}),
        help="Show what every run does straight away (the bar's Predict first turns this back on).",
        width="stretch",
    )
    st.segmented_control(
        "Your prediction",
        lesson.OUTCOMES,
        format_func=lesson.LABELS.get,
        key="prediction_choice",
        on_change=commit_prediction,
        args=(rid,),
        label_visibility="collapsed",
    )
    return False


def guessed() -> tuple[float | None, str]:
    """The number the student gave (or None), and what it is about."""
    about = st.session_state.get(GUESS_ABOUT) or lesson.NUMBERS[0]
    value = st.session_state.get(GUESS_STEP if about == "escape_step" else GUESS_P)
    return value, about


def guess_label() -> str:
    value, about = guessed()
    if value is None:
        return "Add a number"
    if about == "escape_step":
        return f"escapes at step {value}"
    return f"p after {lesson.P_AT} = {value:.3g}"


def commit_prediction(rid: tuple) -> None:
    session = st.session_state
    choice = session.get("prediction_choice")
    if choice is not None:
        value, about = guessed()
        number = None if value is None else float(value)
        session[state.PREDICTION] = (rid, lesson.Prediction(choice, number, about))


def verdict(traj, rid: tuple) -> None:
    """Right or wrong and why (`lesson.verdict`: the banner's words), then its numbers."""
    made = st.session_state.get(state.PREDICTION)
    if made is None or made[0] != rid or not st.session_state[state.PREDICT]:
        banner(traj)
        return
    prediction = made[1]
    said = lesson.verdict(prediction, traj.n, traj.k, traj.settings, traj.p)
    box = st.success if said.right else st.warning
    box(said.sentence, icon=":material/psychology:")
    why(traj, advice.advise(traj.n, traj.k, traj.settings, traj.p))


# --- challenges ------------------------------------------------------------------------------


def challenges_view(sample: data.Sample, settings: Settings, option_box, presenting: bool):
    """The open challenge's card above the run; returns the run."""
    cards = {card.number: card for card in challenges.CHALLENGES}
    solved = set(st.session_state[state.SOLVED])
    pick, progress = st.columns([5, 2], vertical_alignment="center")
    pick.segmented_control(
        "Challenge",
        list(cards),
        key=state.CARD,
        required=True,
        format_func=lambda n: f"{n} ✓" if n in solved else str(n),
        label_visibility="collapsed",
        persist_state="page",
    )
    progress.caption(f"{len(solved)} of {len(cards)} solved")
    card_box(cards[st.session_state[state.CARD]], sample, settings)
    return run_view(sample, settings, option_box, presenting)


def card_box(card: challenges.Challenge, sample: data.Sample, settings: Settings) -> None:
    """One card: the goal, its start, a check on the run shown, a hint, the explanation."""
    solved = card.number in st.session_state[state.SOLVED]
    with st.container(border=True):
        st.markdown(f"**{card.number}. {card.title}.** {card.goal}")
        load, check, hint = st.columns([2, 2, 3], vertical_alignment="center")
        load.button(
            "Load the start",
            key="card_start",
            on_click=load_start,
            args=(card,),
            help="Set the sidebar to where this card starts.",
            width="stretch",
        )
        check.button(
            "Check",
            key="card_check",
            on_click=check_card,
            args=(card.number,),
            type="primary",
            help="Check the run shown against the goal.",
            width="stretch",
        )
        with hint.popover("Hint", icon=":material/lightbulb:", width="stretch"):
            st.markdown(card.hint)
        notes = st.session_state.pop(START_NOTES, ())
        if notes:
            st.warning("Parts of the start were not loaded: " + " ".join(notes))
        last = st.session_state.get(CHECKED)
        if last and last[0] == card.number and last[1] == state.run_id(sample, settings):
            (st.success if last[2].solved else st.warning)(last[2].verdict)
        if solved:
            st.info(f"**Solved.** {card.explanation}", icon=":material/school:")


def load_start(card: challenges.Challenge) -> None:
    """Set the widgets to the card's start (a callback: before the widgets are drawn)."""
    start = {key: str(value) for key, value in card.start.items()}
    st.session_state[START_NOTES] = state.load_link(start, "challenges")


def check_card(number: int) -> None:
    """Check the run in the widgets against card `number`; a solved card joins the link."""
    session = st.session_state
    sample, settings = session[state.IN_USE], state.settings_from_state(session)
    result = challenges.check(number, sample, settings)
    session[CHECKED] = (number, state.run_id(sample, settings), result)
    if result.solved:
        session[state.SOLVED] = tuple(sorted({*session[state.SOLVED], number}))


# --- a question's run ------------------------------------------------------------------------


def query_of(sample: data.Sample, settings: Settings) -> str:
    """The run's link query (what a question carries)."""
    return urllib.parse.urlencode(share.encode(sample.origin, settings))


@st.cache_resource(show_spinner=False, max_entries=32)
def question_run(query: str) -> tuple[data.Sample, Settings] | None:
    """The sample and settings of a question's query; None if its sample cannot travel."""
    decoded = share.decode(urllib.parse.parse_qs(query, keep_blank_values=True))
    source = decoded.source
    if source.kind == "notebook":
        sample = notebook_sample()
    elif source.kind == "generate":
        sample = generated_sample(source.n, source.true_p, source.seed)
    elif source.kind == "text" and source.text is not None:
        sample = data.from_text(source.text, one=source.one)
    else:
        return None
    if source.resample is not None:
        sample = data.resample(sample, source.resample, source.resample_seed)
    return sample, decoded.settings


def outcome_of(query: str):
    """The question's run, its outcome (`lesson.outcome`); None if it cannot be run."""
    found = question_run(query)
    if found is None:
        return None
    sample, settings = found
    traj = run_cached(run_key(sample, settings), sample.values)
    return traj, lesson.outcome(traj.n, traj.k, settings, traj.p)


# --- the teacher's class ----------------------------------------------------------------------


def teacher_view(sample: data.Sample, settings: Settings, option_box, presenting: bool):
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
    st.session_state[state.KEPT_BACK] = asked_rid if waiting else None
    class_panel(code, question, query_of(sample, settings))
    if waiting and asked_rid == rid:
        run_view(sample, settings, option_box, presenting, headline=lambda _: kept_back())
        return None
    if question is not None and question.revealed and asked_rid == rid:
        return run_view(
            sample, settings, option_box, presenting, headline=lambda t: reveal(code, question, t)
        )
    return run_view(sample, settings, option_box, presenting)


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
    left, right = st.columns([2, 3])
    shown = html.escape(classcode.display(code))
    left.html(f"<div style='font:700 3.2rem/1.1 monospace;letter-spacing:.06em'>{shown}</div>")
    base = st.context.url or "./"
    left.code(share.link(base, {state.CLASS: code}), language=None, wrap_lines=True)
    ask_box, reveal_box, end_box = left.columns(3)
    ask_box.button(
        "Ask about this run",
        key="ask",
        on_click=ask,
        args=(code, query),
        help="Students see this run and predict what p does.",
    )
    reveal_box.button(
        "Reveal",
        key="reveal",
        on_click=do_reveal,
        args=(code, question.id if question else ""),
        disabled=question is None or question.revealed,
        type="primary",
    )
    end_box.button(
        "Leave",
        key="leave_class",
        on_click=leave_class,
        help="This page leaves the class; its code works for 12 hours.",
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


def do_reveal(code: str, question_id: str) -> None:
    try:
        class_store().reveal(code, question_id)
    except (ClassCodeError, store.StoreError) as error:
        st.session_state[CLASS_NOTE] = line(error)


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
    st.plotly_chart(
        tally_figure(counts),
        width="stretch",
        theme=None,
        config={"displayModeBar": False, "staticPlot": True},
        key="tally_chart",
    )
    if names:
        st.text("Names: " + ", ".join(names))  # as typed: never markdown or HTML


def tally_figure(counts: dict[str, int]) -> go.Figure:
    labels = [lesson.LABELS[c] for c in lesson.OUTCOMES]
    values = [counts[c] for c in lesson.OUTCOMES]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            text=values,
            textposition="outside",
            marker_color="#1f77b4",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        height=200,
        margin={"l": 10, "r": 30, "t": 10, "b": 10},
        yaxis={"autorange": "reversed"},
        xaxis={"rangemode": "tozero", "dtick": 1, "range": [0, max(4, *values) * 1.1]},
        font={"size": 15},
    )
    return fig


def kept_back() -> bool:
    st.info(
        "Your class is predicting this run: reveal it when the votes are in.",
        icon=":material/how_to_vote:",
    )
    return False


def reveal(code: str, question, traj) -> None:
    """What the run did, against what the class said."""
    counts = class_store().tally(code, question.id)
    total = sum(counts.values())
    said = lesson.outcome(traj.n, traj.k, traj.settings, traj.p)
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
    """The question on screen: the run in words, the choices, a name; then the answer."""
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
        vote_box(code, question)


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


def vote_box(code: str, question) -> None:
    """The four choices and a name; choosing (again) sends the vote."""
    session = st.session_state
    session.setdefault(VOTER, secrets.token_hex(8))
    st.radio(
        "What will p do?",
        lesson.OUTCOMES,
        index=None,
        format_func=lesson.LABELS.get,
        key=f"vote_{question.id}",
        on_change=send_vote,
        args=(code, question.id),
    )
    st.text_input(
        "Your name (optional: shown to the class only if you type one)",
        key=NAME,
        max_chars=store.NAME_MAX,
        on_change=send_vote,
        args=(code, question.id),
    )
    note = session.pop(VOTE_NOTE, "")
    if note:
        st.error(note)
    voted = session.get(VOTED)
    if voted and voted[0] == question.id:
        st.success(
            f"Sent: {lesson.LABELS[voted[1]]}. You can change it until your teacher reveals "
            "the run.",
            icon=":material/how_to_vote:",
        )


def send_vote(code: str, question_id: str) -> None:
    session = st.session_state
    choice = session.get(f"vote_{question_id}")
    if choice is None:
        return
    try:
        class_store().vote(code, question_id, session[VOTER], choice, session.get(NAME, ""))
    except (ClassCodeError, store.StoreError) as error:
        session[VOTE_NOTE] = line(error)
        return
    session[VOTED] = (question_id, choice)


def answer(question, sample: data.Sample, settings: Settings) -> None:
    """The run's outcome, against this student's vote."""
    traj = run_cached(run_key(sample, settings), sample.values)
    voted = st.session_state.get(VOTED)
    if voted and voted[0] == question.id:
        said = lesson.verdict(voted[1], traj.n, traj.k, settings, traj.p)
        (st.success if said.right else st.warning)(
            f"You predicted: {lesson.LABELS[voted[1]]}. {said.sentence}"
        )
    else:
        outcome = lesson.outcome(traj.n, traj.k, settings, traj.p)
        st.info(f"The run {lesson.LABELS[outcome]}.")
    st.link_button("Watch this run", "./?" + question.query, icon=":material/play_arrow:")
