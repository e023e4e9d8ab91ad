"""Maximum likelihood for a Bernoulli p, with PyTorch: watch what the learning rate does.

Run it with ``streamlit run app.py``. `main` is the page, top to bottom: the title, the
link's notes, the sidebar (presets, samples, optimizer, share link), one bar (the view, the
figure's option, presenter mode), then either the animated run (`ui.run_view`) or the
divergence explorer (`ui.explorer.view`), the challenges (`ui.challenge_view`) or a class
(`ui.classroom`, which also draws a student's page for ``class=CODE``); with predictions on,
the run asks for one before it says what it does (`ui.predict`). The widgets' state and the
link live in `ui.state`. Presenter mode (``present=1``) hides the sidebar behind the bar and
draws everything larger for a projector (`ui.presenter`).
"""

from __future__ import annotations

import streamlit as st

from ui import challenge_view, classroom, heap, predict, state
from ui.assets import asset
from ui.explorer import view as explorer
from ui.presenter import presenter_lr, presenter_style, presenter_summary
from ui.sidebar import share_section, sidebar


def main() -> None:
    """The page, top to bottom."""
    st.set_page_config(
        page_title="Bernoulli MLE: what the learning rate does", page_icon="🎯", layout="wide"
    )
    state.start_session()
    if classroom.student():  # ?class=CODE: a student's page, nothing else
        classroom.student_page()
        state.run_done()
        heap.after_run()
        return
    presenting = st.session_state.present
    title(presenting)
    state.link_notes()
    sample, settings = sidebar()
    view, option_box, summary_box = view_bar(presenting)
    share_section(sample.origin, state.sync_link(sample.origin, settings, view))
    traj = None  # (None while the run's outcome is kept back for a prediction)
    if view == "run":
        traj = predict.predicted_run(sample, settings, option_box, presenting)
    elif view == "challenges":
        traj = challenge_view.challenges_view(sample, settings, option_box, presenting)
    elif view == "class":
        traj = classroom.teacher_view(sample, settings, option_box, presenting)
    else:
        explorer.render(sample.n, sample.k, sample.values, settings)
    if presenting:
        presenter_summary(summary_box, sample, settings, traj)
    keyboard_access()
    state.run_done()  # (a run cut short leaves it undone: see state.start_session)
    heap.after_run()  # freeze the first run's heap; collect now and then: see ui/heap.py


# The first screen holds the banner, Play and the whole curve panel at 1280×720: a compact
# title beside its one-line intro, close under the (transparent) header.
TITLE_STYLE = (
    "<style>[data-testid='stMainBlockContainer']{padding-top:0.75rem}"
    "[data-testid='stMainBlockContainer']>[data-testid='stVerticalBlock']{gap:0.55rem}"
    ".st-key-title h1{font-size:1.6rem;padding:0;line-height:1.2}"
    ".st-key-title p{font-size:0.9rem;line-height:1.45}</style>"
)


def title(presenting: bool) -> None:
    """The title and what the page is about; presenting, the style that hides them."""
    if presenting:
        presenter_style()
        return
    st.html(TITLE_STYLE)
    name, about = st.container(key="title").columns([4, 5], vertical_alignment="center")
    name.title("Bernoulli MLE, step by step", anchor=False)
    about.markdown(
        "Real PyTorch steps on the NLL of 0/1 samples: see **when the learning rate makes p "
        "oscillate, or throws it out of (0, 1)**."
    )


def view_bar(presenting: bool):
    """One bar: the view, the figure's option and presenter mode (presenting, also the lr).

    Returns the view, the box for the figure's option, and (presenting) the box for the
    one-line summary below the bar.
    """
    summary_box = None
    if presenting:
        view_box, lr_box, option_box, present_box = st.columns(
            [7, 3, 4, 4],
            vertical_alignment="center",  # ("all 1,000 steps" whole at 1280 px)
        )
        presenter_lr(lr_box)
        summary_box = st.container()
    else:
        view_box, option_box, present_box = st.columns([7, 4, 4], vertical_alignment="center")
    view = view_box.segmented_control(
        "View",
        list(state.VIEWS),
        key="view",
        format_func=state.VIEWS.get,
        required=True,
        label_visibility="collapsed",
        wrap=True,  # the views in two rows, beside the options' two rows
    )
    present_box.toggle(
        "Presenter mode",
        key="present",
        help="For a projector: the sidebar folds into this bar, text and lines grow.",
    )
    if view == "run":
        present_box.toggle(
            "Predict first",
            key=state.PREDICT,
            help="Predict what each run does before the page tells you.",
            persist_state="page",
        )
    return view, option_box, summary_box


def keyboard_access() -> None:
    """Keyboard access to the figure's Plotly controls (see ui/static/keyboard.js).

    Last, as a script's element takes a line of the page (style-only ones take none).
    """
    st.html(asset("keyboard.css"))
    st.html(asset("keyboard.js"), unsafe_allow_javascript=True)


if __name__ == "__main__":
    main()
