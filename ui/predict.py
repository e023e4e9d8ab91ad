"""Predict, then observe: a prediction of the run before the page says what it does.

With predictions on (the bar's "Predict first", ``predict=1`` in the link) the run's outcome is
kept back (the banner, the sidebar's forecast, everything below the figure) until the student
picks one of the four outcomes of `bernoulli.teach.lesson`, with a number if they like (the step p
escapes at, or p after 10 steps); the figure stays, at its start, with Play. Then the verdict
(`lesson.verdict`: right or not, in the banner's words, with the run's numbers) takes the
banner's place. "Just show me" turns predictions off for the session and the link.
"""

from __future__ import annotations

import streamlit as st

from bernoulli.data import samples
from bernoulli.engine.optimize import Settings
from bernoulli.settings import MAX_STEPS
from bernoulli.teach import lesson
from ui import state
from ui.run_view import banner, run_view, why

GUESS_ABOUT, GUESS_STEP, GUESS_P = "guess_about", "guess_step", "guess_p"  # a number's keys
GUESSES = {"escape_step": "the step p escapes at", "p_at_10": f"p after {lesson.P_AT} steps"}


def predicted_run(sample: samples.Sample, settings: Settings, option_box, presenting: bool):
    """The run, its outcome kept back until it is predicted; returns the run once shown."""
    rid = state.run_id(sample, settings)
    if state.kept_back_until(sample, settings):
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
    said = lesson.verdict(prediction, traj)
    box = st.success if said.right else st.warning
    box(said.sentence, icon=":material/psychology:")
    why(traj)
