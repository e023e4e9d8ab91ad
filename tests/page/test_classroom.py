"""The lesson on the page (AppTest): predict then observe, a challenge solved into the link,
and a class whose sessions see each other's votes (and no other class's)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from bernoulli.data import samples
from bernoulli.engine import optimize
from bernoulli.io import share
from bernoulli.teach import challenges, lesson, words
from tests.helpers import opened, ran

# A link per outcome (the notebook's sample): each checked below with lesson.outcome.
RUNS = {
    "converges": {"lr": "0.0002", "p0": "0.6", "dtype": "float64"},
    "zigzags": {"lr": "0.0015", "p0": "0.6", "dtype": "float64"},
    "cycles": {"param": "logit", "lr": "0.08", "p0": "0.6", "dtype": "float64"},
    "escapes": {"lr": "0.003"},
}


def the_run(params: dict[str, str]) -> optimize.Trajectory:
    """The link's run, computed here without the page."""
    decoded = share.decode(params)
    sample = samples.notebook_sample()
    return optimize.run(sample.n, sample.k, decoded.settings)


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def tabs(at: AppTest) -> list[str]:
    """The tabs' labels: under the figure, the results and the rest of the run."""
    return [t.label for t in at.tabs]


@pytest.mark.parametrize("kind", list(RUNS))
def test_predict_then_reveal(kind):
    params = RUNS[kind]
    traj = the_run(params)
    assert lesson.outcome(traj) == kind
    at = opened({**params, "predict": "1"})
    # Before the prediction: no banner, no forecast, no results; the four outcomes offered.
    assert not at.success and not at.error and not at.warning
    assert "what it does shows once you predict it" in texts(at.sidebar.caption)[0]
    assert "Results" not in tabs(at)
    choice = at.segmented_control(key="prediction_choice")
    assert list(choice.options) == [lesson.LABELS[o] for o in lesson.OUTCOMES]
    assert choice.value is None
    # A wrong guess for the escaping run (with its step), the right one for the others.
    if kind == "escapes":
        guess = lesson.Prediction("converges", 2.0, "escape_step")
        ran(at.number_input(key="guess_step").set_value(2))
    else:
        guess = lesson.Prediction(kind, 0.7, "p_at_10")
        ran(at.radio(key="guess_about").set_value("p_at_10"))
        ran(at.number_input(key="guess_p").set_value(0.7))
    ran(at.segmented_control(key="prediction_choice").set_value(guess.outcome))
    said = lesson.verdict(guess, traj)
    assert said.right == (kind != "escapes") and said.outcome == kind
    (verdict,) = at.success if said.right else at.warning
    assert verdict.value == said.sentence
    if kind == "escapes":
        assert "it escaped at step 1 (1 off" in verdict.value
    else:
        assert f"it was {words.number(float(traj.p[10]), 4)} (" in verdict.value
    assert "Results" in tabs(at)  # the rest of the run is shown now
    assert at.query_params["predict"] == "1"


def test_just_show_me_is_remembered_in_the_link():
    at = opened({**RUNS["zigzags"], "predict": "1"})
    ran(at.button(key="skip_prediction").click())
    assert at.success[0].value.startswith("p overshoots")  # the banner, straight away
    assert "predict" not in at.query_params  # off: the default, left out of the link
    ran(at.number_input(key="lr").set_value(0.0016))
    assert at.success[0].value.startswith("p overshoots")  # a new run: still no question
    ran(at.toggle(key="predict").set_value(True))
    assert not at.success and at.query_params["predict"] == "1"


def test_bad_predict_in_a_link_is_noted():
    at = opened({"predict": "yes"})
    assert any('Ignored predict="yes"' in w.value for w in at.warning)
    assert at.get("segmented_control")[0].key == "view"  # no prediction asked


def test_a_challenge_solved_is_recorded_in_the_link():
    card = challenges.challenge(1)  # zig-zag, but arrive: 1/H < lr < 2/H
    at = opened({"card": "1"})
    assert at.segmented_control(key="view").value == "challenges"
    assert at.query_params["card"] == "1" and "solved" not in at.query_params
    assert any(card.goal in m.value for m in at.markdown)
    ran(at.button(key="card_start").click())
    assert share.decode(dict(at.query_params)).settings == share.decode(card.start).settings
    ran(at.button(key="card_check").click())
    start = check_here(at)
    assert not start.solved
    assert [w.value for w in at.warning] == [start.verdict]
    ran(at.number_input(key="lr").set_value(0.0015))
    assert not at.warning  # the check was of another run: not shown against this one
    ran(at.button(key="card_check").click())
    solved = check_here(at)
    assert solved.solved and solved.verdict in texts(at.success)
    assert at.query_params["solved"] == "1" and at.query_params["card"] == "1"
    assert any(card.explanation in i.value for i in at.info)
    assert at.segmented_control(key="card").options[0] == "1 ✓"
    # The link keeps the progress: a new session opened with it shows card 1 solved.
    again = opened(dict(at.query_params))
    assert again.segmented_control(key="card").options[0] == "1 ✓"


def check_here(at: AppTest) -> challenges.Check:
    """Card 1's check, computed here on the run the link describes."""
    settings = share.decode(dict(at.query_params)).settings
    return challenges.check(1, samples.notebook_sample(), settings)


def votes_line(at: AppTest) -> str:
    (found,) = [m.value for m in at.markdown if " vote" in m.value and "·" in m.value]
    return found


def teacher(class_store) -> tuple[AppTest, str, str]:
    """A teacher's page with a class open and a question asked about the zig-zag run."""
    at = opened({**RUNS["zigzags"], "view": "class"})
    ran(at.button(key="start_class").click())
    code = at.session_state["teach"]
    assert at.query_params["teach"] == code
    ran(at.button(key="ask").click())
    question = class_store.current(code)
    assert question is not None and not question.revealed
    return at, code, question.id


def student(code: str, question_id: str, choice: str, name: str = "") -> AppTest:
    at = opened({"class": code})
    assert at.title[0].value == "Predict with your class"
    if name:
        at.text_input(key="student_name").set_value(name)
    ran(at.radio(key=f"vote_{question_id}").set_value(choice))
    assert any(s.value.startswith(f"Sent: {lesson.LABELS[choice]}") for s in at.success)
    return at


def test_two_students_in_a_class_see_each_others_votes_and_no_other_class(class_store):
    at, code, qid = teacher(class_store)
    assert votes_line(at).startswith("**0 votes**")
    forecast = "**This run:** what it does shows once you reveal it to the class."
    assert forecast in texts(at.sidebar.caption)  # nothing on the projector gives it away
    assert not at.success and "Results" not in tabs(at)
    student(code, qid, "zigzags", name="<b>Ann</b> *x*")
    bob = student(code, qid, "escapes")
    ran(bob.radio(key=f"vote_{qid}").set_value("zigzags"))  # a change of mind replaces it
    other, other_code, other_qid = teacher(class_store)
    assert other_code != code
    student(other_code, other_qid, "cycles")
    ran(at)
    assert votes_line(at).startswith("**2 votes**")
    assert "zig-zags in: 2" in votes_line(
        at
    ) and "settles into a cycle (or chaos): 0" in votes_line(at)
    assert "Names: <b>Ann</b> *x*" in texts(at.text)  # plain text, as typed
    ran(other)
    assert votes_line(other).startswith(
        "**1 vote**"
    ) and "settles into a cycle (or chaos): 1" in votes_line(other)
    # The reveal: the run's real outcome, and how many predicted it.
    ran(at.button(key="reveal").click())
    assert class_store.current(code).revealed
    assert "The run zig-zags in: 2 of 2 predicted it." in texts(at.success)
    assert forecast not in texts(at.sidebar.caption) and "Results" in tabs(at)
    ann = opened({"class": code})
    assert any("Waiting" in i.value for i in ann.info) is False
    assert any(i.value.startswith("The run zig-zags in") for i in ann.info)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("ABCDE-FGHJ0", "which codes never use"),
        ("ABCDE-FGHJK", "No class has the code ABCDE-FGHJK"),
        ("ABC", "only 3 characters"),
    ],
)
def test_a_bad_class_code_says_so_and_keeps_the_text(text, words):
    at = opened({"class": text})
    (error,) = at.error
    assert words in error.value and "\n" not in error.value
    assert at.text_input(key="class_input").value == text  # nothing typed is lost


pytestmark = pytest.mark.usefixtures("class_store")  # its own SQLite file


def test_class_codes_are_rate_limited():
    at = opened({"class": "ABCDE-FGHJK"})
    for i in range(6):
        ran(at.text_input(key="class_input").set_value(f"ABCDE-FGHJ{'KMNPQR'[i]}"))
    assert at.error[0].value.startswith("Too many tries")


def test_bad_lesson_keys_in_a_link_are_noted_and_the_rest_kept():
    at = opened({"card": "99", "solved": "2,x"})
    (warning,) = [w.value for w in at.warning if w.value.startswith("Parts of this link")]
    assert 'Ignored card="99": must be a card from 1 to 8.' in warning
    assert 'Ignored solved="x": must be a card from 1 to 8.' in warning
    assert at.query_params["solved"] == "2" and "card" not in at.query_params


def test_presenting_a_prediction_keeps_the_outcome_out_of_the_summary():
    at = opened({**RUNS["escapes"], "present": "1", "predict": "1"})
    assert at.segmented_control(key="prediction_choice").value is None
    (summary,) = [c.value for c in at.caption if "lr = 0.003" in c.value]
    assert "diverged" not in summary  # the one-line summary tells no outcome yet
    ran(at.segmented_control(key="prediction_choice").set_value("escapes"))
    (summary,) = [c.value for c in at.caption if "lr = 0.003" in c.value]
    assert "escapes (0, 1) at step 1" in summary
    assert at.success[0].value.startswith("Right: it escapes (0, 1).")
