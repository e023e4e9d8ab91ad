"""The preview while dragging: the run's learning rate and start p0, previewed in the browser.

A Streamlit component (``st.components.v2``; its code is ``ui/static/scrub*.js`` and
``scrub.css``) draws two sliders, recomputes the run at every ``input`` event with the
engine's own arithmetic and draws it over the figure; on release it sends the value once.
`on_pick` then sets the learning rate and p0 (the sidebar's widgets show the same value),
the page reruns with torch, and the next draw says whether torch did what the preview showed
(`bernoulli.teach.agreement`).
"""

from __future__ import annotations

import math

import streamlit as st

from bernoulli.engine import likelihood as lk
from bernoulli.engine.optimize import Settings, Trajectory
from bernoulli.engine.problem import Problem
from bernoulli.settings import FIELDS
from bernoulli.teach import agreement
from ui import state
from ui.assets import source

KEY = "scrub"  # the component's key: its trigger value "pick" is the released (lr, p0)
CLAIM = "scrub_claim"  # the session value: the last pick and the settings it asked for
CHECKED = "scrub_checked"  # the session value: (pick token, the torch run's agreement)
HTML = """
<div class="scrub">
  <div class="row">
    <label class="ctl lr"><span class="name">Learning rate</span>
      <span class="track"><input type="range" class="lr-input" min="0" step="1"
        aria-label="Learning rate"><span class="marks" aria-hidden="true"></span></span>
      <output class="lr-value"></output></label>
    <label class="ctl p0"><span class="name">Start p0</span>
      <span class="track"><input type="range" class="p0-input" min="0" step="1"
        aria-label="Start p0"></span>
      <output class="p0-value"></output></label>
    <button type="button" class="near" hidden>Start near p̂</button>
    <button type="button" class="pin" aria-pressed="false"
      title="Keep the preview open over the figure: drag the start point along the curve"
      >Preview</button>
  </div>
  <p class="words" aria-live="polite"></p>
  <p class="sgd" hidden>Minibatch SGD draws its batches on the server: this previews the
    full-batch run (its mean step); torch's run below is the real minibatch one.</p>
  <p class="hint" hidden></p>
  <p class="confirm" hidden></p>
  <div class="picture" hidden><svg role="img" aria-label="Preview of the run"></svg></div>
</div>
"""


# One ES module from these files, in this order: glibc's tables and functions, the update map,
# the picture, the control (its default export).
SCRIPTS = (
    "scrub_libm_tables.js",
    "scrub_libm.js",
    "scrub_engine.js",
    "scrub_draw.js",
    "scrub.js",
)


@st.cache_resource(show_spinner=False)
def _component():
    """The component, registered once per server process."""
    return st.components.v2.component(
        "bernoulli_scrub",
        html=HTML,
        css=source("scrub.css"),
        js="".join(source(name) for name in SCRIPTS),
    )


def marks(n: int, k: int, s: Settings) -> list[dict]:
    """The learning rates the track marks for this optimizer: where the run changes character."""
    th = Problem.of(n, k, s).thresholds()
    if s.optimizer == "newton":
        found = [(1.0, "lr = 1"), (2.0, "lr = 2")]
    elif s.optimizer == "adam" or th.note:
        found = []
    elif s.optimizer == "momentum":
        found = [
            ((1 - math.sqrt(s.beta)) ** 2 / th.curvature, "(1−√β)²/H"),
            (2 * (1 + s.beta) / th.curvature, "2(1+β)/H"),
        ]
    else:
        found = [(th.monotone, "1/H"), (th.stable, "2/H")]
    low, high = (10**d for d in decades(n, k, s))
    return [{"lr": lr, "label": label} for lr, label in found if low <= lr <= high]


def decades(n: int, k: int, s: Settings) -> tuple[int, int]:
    """The lr track's span as powers of ten: three decades below 2/H and one above, where
    gradient descent changes character (the whole slider's 1e-7 … 10 without a limit)."""
    th = Problem.of(n, k, s).thresholds()
    if s.optimizer in ("adam", "newton") or th.note or not math.isfinite(th.stable):
        return -7, 1
    top = math.ceil(math.log10(th.stable) + 1)
    return max(top - 4, -12), min(top, 6)


def near_start(n: int, k: int) -> float:
    """A start near p̂, on the side with more room, from which gradient descent's local
    picture (1/H, 2/H) shows."""
    p_hat = lk.mle(n, k)
    side = -1 if p_hat > 0.3 else 1
    return round(p_hat + side * 0.25 * min(p_hat, 1 - p_hat), 3)


def offered(field, value) -> bool:
    """Whether `value` is a number the page's widgets offer for this setting."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and math.isfinite(value) and field.low <= value <= field.high


def on_pick() -> None:
    """The released (lr, p0): set them (a callback, before the widgets are drawn)."""
    session = st.session_state
    pick = session[KEY]["pick"]
    if not isinstance(pick, dict):
        return
    lr, p0 = pick.get("lr"), pick.get("p0")
    if not (offered(FIELDS["lr"], lr) and offered(FIELDS["p0"], p0)):
        return  # (the tracks only offer such values: a message that is not is not theirs)
    state.set_lr(float(lr))
    session.p0, session.p0_mode = float(p0), "fixed"
    session[CLAIM] = (pick, state.settings_from_state(session))


def confirmation(traj: Trajectory) -> tuple[str | None, dict | None]:
    """The last pick's token and, when this run is the one it asked for, its agreement."""
    claim = st.session_state.get(CLAIM)
    if claim is None:
        return None, None
    pick, asked = claim
    if asked != traj.settings or (pick.get("n"), pick.get("k")) != (traj.n, traj.k):
        return pick["token"], None
    checked = st.session_state.get(CHECKED)
    if checked is None or checked[0] != pick["token"]:
        checked = (pick["token"], agreement.agreement(pick, traj))
        st.session_state[CHECKED] = checked
    return pick["token"], {"ok": checked[1].ok, "text": checked[1].text}


def run_data(n: int, k: int, s: Settings, p0: float) -> dict:
    """What the preview needs of a run: the problem, the settings and the track's marks."""
    return {
        "n": n,
        "k": k,
        "param": s.param,
        "loss": s.loss,
        "dtype": s.dtype,
        "steps": s.steps,
        "optimizer": s.optimizer,
        "beta": s.beta,
        "tol": s.tol,
        "lr": s.lr,
        "p0": p0,
        "p_hat": lk.mle(n, k),
        "interior": not lk.on_boundary(n, k),
        "near_p0": near_start(n, k),
        "marks": marks(n, k, s),
        "lr_decades": decades(n, k, s),
    }


def preview(traj: Trajectory, *, hidden: bool, height: int) -> None:
    """The sliders and the preview above the figure (`hidden`: keep the outcome back)."""
    applied, confirm = confirmation(traj)
    data = run_data(traj.n, traj.k, traj.settings, traj.p0) | {
        "height": height,
        "hidden": hidden,
        "hidden_text": "Predict first: the preview shows what the run does once you have.",
        "confirm": confirm,
        "applied": applied,
    }
    _component()(key=KEY, data=data, on_pick_change=on_pick, width="stretch")


OWN_KEY = "own_scrub"  # a student's own run: the same component under its own key
OWN_APPLIED = "own_scrub_applied"  # the session value: the last release a student's page took


def own_preview(n: int, k: int, s: Settings, keys: tuple[str, str], p0_step: float) -> None:
    """A student's own run previewed as it is dragged; a release sets the page's two values
    (`keys`: the lr's and p0's), p0 on its grid of `p0_step`. Torch runs it on *Send*."""

    def on_own_pick() -> None:
        pick = st.session_state[OWN_KEY]["pick"]
        if not isinstance(pick, dict):
            return
        lr, p0 = pick.get("lr"), pick.get("p0")
        if offered(FIELDS["lr"], lr) and offered(FIELDS["p0"], p0) and 0 < p0 < 1:
            st.session_state[keys[0]] = float(lr)
            st.session_state[keys[1]] = round(round(p0 / p0_step) * p0_step, 6)
            st.session_state[OWN_APPLIED] = pick.get("token")

    data = run_data(n, k, s, s.p0) | {
        "height": 340,
        "hidden": False,
        "confirm": None,
        "applied": st.session_state.get(OWN_APPLIED),
        "p0_stops": round(1 / p0_step),
    }
    _component()(key=OWN_KEY, data=data, on_pick_change=on_own_pick, width="stretch")
