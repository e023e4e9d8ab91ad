"""Challenges that check themselves: the cards of `bernoulli.teach.challenges` above the run.

Each card: the goal, a hint on request, "Load the start" (its settings, by link key, through
`state.load_link`), "Check" (`challenges.check` on the run shown) and the explanation once
solved. The open card and the solved ones travel in the link (``card=4``, ``solved=1,3``).
"""

from __future__ import annotations

import streamlit as st

from bernoulli.data import samples
from bernoulli.engine.optimize import Settings
from bernoulli.teach import challenges
from ui import state
from ui.run_view import run_view

CHECKED = state.CHECKED
START_NOTES = "start_notes"  # the session value: what a card's start could not load


def challenges_view(sample: samples.Sample, settings: Settings, option_box, presenting: bool):
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
    if state.kept_back_until(sample, settings):  # the run's outcome shows once it is checked
        run_view(sample, settings, option_box, presenting, headline=lambda _: unchecked())
        return None
    return run_view(sample, settings, option_box, presenting)


def unchecked() -> bool:
    """The banner's place before the check: one line (the figure stays on the first screen)."""
    st.caption(
        ":material/lightbulb: Predict what this run does, then press **Check**: the run plays "
        "once it is checked."
    )
    return False


def card_box(card: challenges.Challenge, sample: samples.Sample, settings: Settings) -> None:
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
