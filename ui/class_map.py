"""The class map: each student's own run, as a live point on the teacher's projector.

- `own_run` (the student's page): the run's lr and p0 (`run_controls`: the one function that
  draws them) and *Send my run*: a real torch run (``bernoulli.engine.optimize.run``, through the
  page's cache) on the class's sample and settings (the question's once it is revealed, so
  that no run tells its answer first; the page's defaults before the first question); the
  point keeps what that run did (`outcome_of`).
- `teacher_map` (under the class panel): every student's point of the runs on the question's
  sample, live (a fragment), over 1/H and 2/H and, on request, the explorer's computed map;
  a click on a point loads its run on the projector; one click clears the map.

Names are plain text: escaped into the figure's hover (``bernoulli.plots.class_map``).
"""

from __future__ import annotations

import functools
import math
import urllib.parse
from dataclasses import dataclass

import streamlit as st

from bernoulli import settings
from bernoulli.classroom.classcode import ClassCodeError
from bernoulli.classroom.store import StoreError
from bernoulli.classroom.store_points import Point
from bernoulli.data import samples
from bernoulli.engine.optimize import OPTIMIZER_NAMES, Settings, Trajectory
from bernoulli.engine.problem import Problem
from bernoulli.plots.class_map import SPAN, class_map_figure
from bernoulli.plots.marks import threshold_marks
from bernoulli.teach import lesson
from ui import scrub, state
from ui.charts import chart
from ui.class_common import CLASS_NOTE, class_store, line, query_of, question_run, student_id
from ui.explorer.cache import lr_p0_cached, options_of
from ui.explorer.common import batched
from ui.run_view import run_cached, run_key
from ui.sidebar import notebook_sample

MAP_EVERY = 2.0  # seconds between the teacher's map's reruns
OWN_LR, OWN_P0 = "own_lr", "own_p0"  # the widget keys of a student's own run
SENT = "own_sent"  # the session value: the Point this student last sent
P0_CHOICES = tuple(round(i / 100, 2) for i in range(1, 100))
BACKGROUND = "class_map_background"  # the widget key: the explorer's map behind the points
CHART = "class_map_chart"  # the widget key of the map (its selection: the point clicked)
LOADING = "class_map_loading"  # the session value: a clicked point's run is being loaded
SHOWN = "class_map_shown"  # the session value: the Point whose run the projector shows


def outcome_of(traj: Trajectory) -> str:
    """What a run did, as one of the page's outcome words (``lesson.OUTCOMES``)."""
    return lesson.outcome(traj)


@dataclass(frozen=True)
class ClassRun:
    """What the students' runs start from: a sample and settings, from a question (its id)
    or, before the first one, the notebook's sample with the page's defaults (base "")."""

    sample: samples.Sample
    settings: Settings
    base: str


def class_run(question) -> ClassRun:
    """The question's run (the defaults when there is none, or its sample cannot travel)."""
    found = question_run(question.query) if question is not None else None
    if found is None:
        return ClassRun(notebook_sample(), Settings(), "")
    return ClassRun(found[0], found[1], question.id)


# --- a student's own run ---------------------------------------------------------------------


def run_controls(start_run: ClassRun) -> tuple[float, float]:
    """The run's own learning rate and start, beginning at the class's run's: dragged with
    the preview (`ui.scrub`), or typed and chosen exactly below it."""
    session = st.session_state
    run, sample = start_run.settings, start_run.sample
    lr_field = settings.FIELDS["lr"]
    session.setdefault(OWN_LR, run.lr)
    start = run.p0 if run.p0 is not None else settings.NOTEBOOK_P0
    session.setdefault(OWN_P0, min(P0_CHOICES, key=lambda p: abs(p - start)))
    own = run.replace(lr=float(session[OWN_LR]), p0=float(session[OWN_P0]))
    scrub.own_preview(sample.n, sample.k, own, (OWN_LR, OWN_P0), P0_CHOICES[0])
    lr = st.number_input(
        "Exact learning rate",
        min_value=lr_field.low,
        max_value=lr_field.high,
        step=10.0 ** math.floor(math.log10(run.lr)),
        format="%g",
        key=OWN_LR,
    )
    p0 = st.select_slider("Starting p₀", P0_CHOICES, key=OWN_P0)
    return float(lr), float(p0)


def own_run(code: str, question, name: str) -> None:
    """The student's own lr and p0 and *Send my run*; once sent, what the run did."""
    start = class_run(question)
    with st.container(border=True, key="own_run"):
        st.subheader("Your own run", anchor=False)
        if question is not None and not question.revealed:  # no run tells the answer first
            st.caption(
                "Once your teacher reveals this run, try a learning rate and a start of your "
                "own and send your run to the class map."
            )
            return
        st.caption(
            "Pick a learning rate and a start, then send your run: it appears as a point on "
            "your teacher's class map, coloured by what it did."
        )
        lr, p0 = run_controls(start)
        if st.button("Send my run", key="send_run", type="primary", icon=":material/send:"):
            send(code, start, name, (lr, p0))
        sent = st.session_state.get(SENT)
        if sent is not None and sent.base == start.base:
            st.success(
                f"Sent: lr = {sent.lr:g}, p₀ = {sent.p0:g}. Your run "
                f"{lesson.LABELS.get(sent.outcome, sent.outcome)}.",
                icon=":material/scatter_plot:",
            )
            st.link_button("Watch your run", "./?" + sent.query, icon=":material/play_arrow:")


def send(code: str, start: ClassRun, name: str, at: tuple[float, float]) -> None:
    """Run the student's lr and p0 (real torch steps) and send the point with its outcome."""
    sample = start.sample
    try:
        mine = start.settings.replace(lr=at[0], p0=at[1])
    except ValueError as error:
        st.error(line(error))
        return
    traj = run_cached(run_key(sample, mine), sample.values)
    query = query_of(sample, mine)
    point = Point(student_id(), mine.lr, mine.p0, outcome_of(traj), query, start.base, name)
    try:
        st.session_state[SENT] = class_store().send_point(code, point)
    except (ClassCodeError, StoreError) as error:
        st.error(line(error))


# --- the teacher's map -----------------------------------------------------------------------


def teacher_map(code: str, question) -> None:
    """The map's heading, the background's toggle, *Clear the map*; the live map below."""
    start = class_run(question)
    sample, run = start.sample, start.settings
    head, behind, clear_box = st.columns([6, 3, 2], vertical_alignment="center")
    head.subheader("Class map: your students' own runs", anchor=False)
    background = behind.toggle(
        "Explorer's map",
        key=BACKGROUND,
        help="Faint, behind the points: the divergence explorer's outcome of every lr and p₀.",
    )
    clear_box.button("Clear the map", key="clear_map", on_click=clear, args=(code,))
    where = "the question's run" if start.base else "the notebook's sample and the page's defaults"
    st.caption(
        f"Each point is one student's run from {where} (n = {sample.n}, k = {sample.k}, "
        f"{OPTIMIZER_NAMES[run.optimizer]} in {run.param}, {run.steps:,} steps, {run.dtype}), "
        "at the student's own lr and p₀. Click a point to show its run below."
    )
    live_map(code, start, background)


def clear(code: str) -> None:
    try:
        class_store().clear_points(code)
    except (ClassCodeError, StoreError) as error:
        st.session_state[CLASS_NOTE] = line(error)


@st.fragment(run_every=MAP_EVERY)
def live_map(code: str, start: ClassRun, background: bool) -> None:
    """The points sent so far, redrawn every MAP_EVERY seconds (this fragment only)."""
    if st.session_state.pop(LOADING, False):
        st.rerun()  # the clicked point's run: the whole page, with its settings
    try:
        points = [p for p in class_store().points(code) if p.base == start.base]
    except (ClassCodeError, StoreError) as error:
        st.error(line(error))
        return
    fig = map_figure(points, start, background)
    chart(fig, CHART, on_select=functools.partial(load, code), selection_mode="points")
    shown = st.session_state.get(SHOWN)
    count = f"{len(points)} run{'' if len(points) == 1 else 's'} sent."
    if shown is not None:
        st.caption(f"{count} Below: the run at lr = {shown.lr:g}, p₀ = {shown.p0:g}.")
        if shown.name:
            st.text(f"Sent by {shown.name}")  # as typed: never markdown or HTML
    else:
        st.caption(count)


def map_figure(points: list[Point], start: ClassRun, background: bool):
    """The class map of these points, over the start's problem (and its explorer's map)."""
    run = start.settings
    problem = Problem(start.sample.n, start.sample.k, run.param, run.loss)
    marks = threshold_marks(problem, run.beta if run.optimizer == "momentum" else None)
    behind = None
    if background:
        behind = lr_p0_cached(problem, options_of(run, batched(run.optimizer)), *SPAN)
    return class_map_figure(points, problem, lesson.LABELS, marks, behind)


def load(code: str) -> None:
    """A point clicked: its run's sample and settings on the teacher's page (a callback)."""
    picked = st.session_state[CHART].selection.points
    student = picked[0].get("customdata") if picked else None
    try:
        found = [p for p in class_store().points(code) if p.student == student]
    except (ClassCodeError, StoreError):
        found = []
    if not found:
        return
    params = dict(urllib.parse.parse_qsl(found[0].query, keep_blank_values=True))
    state.load_link({"data": "notebook", **params}, "class")  # (its own data, if it names one)
    st.session_state[SHOWN] = found[0]
    st.session_state[LOADING] = True
