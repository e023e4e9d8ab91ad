"""The preview while dragging, in Chromium: the words follow the learning rate through 1/H and
2/H as the mouse drags, nothing reaches the server until release, then exactly one message,
and torch's run on the page says what the preview said; the arrow keys step one stop each;
a finger gets a 44 px track it can tap. No console or page errors on the way."""

from __future__ import annotations

import math
import re

from bernoulli.engine.optimize import Settings
from tests.helpers import DRAWN
from ui.scrub import decades

from .conftest import open_app, shot, wait_for_script

LR = ".lr-input"
WORDS = ".words"
BANNER = '.st-key-banner [data-testid="stAlertContainer"]'
# The .words line after each `input` event on the lr track, in order (this listener, added
# after the component's own, runs once the preview is redrawn).
RECORD_WORDS = """(input) => {
    const words = input.getRootNode().querySelector('.words');
    window.wordsSeen = [];
    input.addEventListener('input', () => window.wordsSeen.push(words.textContent));
}"""
KINDS = {  # the words' beginning -> what the run does
    "Preview: p walks straight": "walks",
    "Preview: p zig-zags in": "zigzags",
    "Preview: p leaves (0, 1)": "leaves",
}


def errors_of(page) -> list[str]:
    """The page's console errors and uncaught exceptions, as they come."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    return errors


def frames_sent(page) -> list[str]:
    """The websocket messages the page sends to the server, as they go."""
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    return sent


# The notebook's sample with gradient descent: the track spans 1e-5 … 0.1 around 2/H.
LOW, HIGH = decades(200, 145, Settings())
STOPS = (HIGH - LOW) * 100


def lr_of_stop(stop: int) -> float:
    """The track's learning rate at a stop: 10^(LOW + stop/100), three significant digits."""
    return float(f"{10 ** (LOW + stop / 100):.3g}")


def shown_lr(page) -> float:
    return float(page.locator("output.lr-value").inner_text())


def figure_of(lr: float) -> str:
    """The figure drawn for this learning rate (its alt text names it)."""
    return f'[aria-label*="learning rate {lr:.4g} "] .scatterlayer .trace'


def settle(page, lr: float) -> None:
    """Wait for torch's rerun at this learning rate: the script done and its figure drawn."""
    wait_for_script(page)
    page.wait_for_selector(figure_of(lr), timeout=60_000)
    wait_for_script(page)


def kind(text: str) -> str:
    return next((k for start, k in KINDS.items() if text.startswith(start)), text)


def in_order(kinds: list[str]) -> list[str]:
    """The kinds with repeats in a row collapsed."""
    return [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]]


def test_drag_across_two_over_h_previews_then_torch_confirms(page, app_url):
    errors, sent = errors_of(page), frames_sent(page)
    open_app(page, app_url)
    near = page.locator(".near")
    near.wait_for(state="visible")  # the notebook's p0 hides the zig-zag between 1/H and 2/H
    near.click()
    wait_for_script(page)
    page.wait_for_selector(DRAWN)
    page.locator(".hint").wait_for(state="hidden")
    marks = page.locator(".lr .mark")
    assert marks.all_inner_texts() == ["1/H", "2/H"]
    one, two = marks.nth(0).bounding_box(), marks.nth(1).bounding_box()
    # The first mark's tick is at its right edge, the second's at its left edge.
    one_x, two_x = one["x"] + one["width"], two["x"]
    assert one_x < two_x
    track = page.locator(LR).bounding_box()
    y = track["y"] + track["height"] / 2
    start, end = one_x - 14, two_x + 14
    assert track["x"] < start and end < track["x"] + track["width"]
    page.locator(LR).evaluate(RECORD_WORDS)

    before = len(sent)
    page.mouse.move(start, y)
    page.mouse.down()
    moves = 40
    for i in range(1, moves + 1):  # ~2 s: 40 moves 50 ms apart
        page.mouse.move(start + (end - start) * i / moves, y)
        page.wait_for_timeout(50)
    during = len(sent) - before
    last_words = page.locator(WORDS).inner_text()
    page.mouse.up()
    page.wait_for_timeout(1000)
    after = len(sent) - before
    assert during == 0, f"{during} websocket messages sent while dragging"
    assert after == 1, f"{after} websocket messages sent in the second after release"

    seen = page.evaluate("window.wordsSeen")
    assert len(seen) >= 30, seen  # one redraw per small move
    assert in_order([kind(t) for t in seen]) == ["walks", "zigzags", "leaves"], seen
    assert kind(last_words) == "leaves", last_words
    step = int(re.search(r"at step ([\d,]+)", last_words).group(1).replace(",", ""))

    lr = shown_lr(page)
    settle(page, lr)
    confirm = page.locator(".confirm")
    confirm.wait_for(state="visible")
    text = confirm.inner_text()
    assert text.startswith("✓ torch confirms"), text
    assert f"escapes (0, 1) at step {step}" in text, (text, last_words)
    banner = page.locator(BANNER)
    assert banner.locator('[data-testid="stAlertContentError"]').count() == 1
    said = banner.inner_text()
    where = "The very first step throws p out of (0, 1)" if step == 1 else f"at step {step}"
    assert "out of (0, 1)" in said and where in said, (said, last_words)
    shot(page, "scrub-drag-confirmed")
    assert errors == []


# The track held (pointerdown) and moved to a stop by one `input` event, as a drag moves it.
HOLD = "(input) => input.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true}))"
MOVE = """(input, stop) => {
    input.value = String(stop);
    input.dispatchEvent(new Event('input', {bubbles: true}));
}"""
# What the preview's picture draws: the points of its trail and its two series, and which of
# its marks show (the end point, the escape's dot and its words, the escape step's lines).
PICTURE = """(input) => {
    const svg = input.getRootNode().querySelector('.picture svg');
    const points = (node) => (node.getAttribute('d') || '').split(/[ML]/).filter(Boolean).length;
    const shown = (node) => node.getAttribute('display') !== 'none';
    const escape = svg.querySelector('circle.escape');
    const said = Array.from(svg.querySelectorAll('text')).filter(
        (t) => shown(t) && t.textContent.startsWith('p = '));
    return {
        trail: points(svg.querySelector('path.path')),
        series: Array.from(svg.querySelectorAll('path.series'), points),
        end: shown(svg.querySelector('circle.end')),
        escape: shown(escape),
        said: said.map((t) => t.textContent),
        lines: Array.from(svg.querySelectorAll('line.escape-line')).filter(shown).length,
        words: input.getRootNode().querySelector('.words').textContent,
    };
}"""


def stop_of(lr: float) -> int:
    return round((math.log10(lr) - LOW) * 100)


def test_the_picture_follows_the_run_through_a_drag_and_back(page, app_url):
    """The picture keeps its frames through a drag and moves only the run's parts: after an
    escape and back, it draws the run it says, with nothing left of the escape."""
    errors = errors_of(page)
    open_app(page, app_url)
    page.locator(".near").click()  # a start near p̂: every regime on the track
    wait_for_script(page)
    page.locator(".hint").wait_for(state="hidden")
    track = page.locator(LR)
    track.evaluate(HOLD)
    steps = 1000
    for lr, what in ((5e-4, "walks"), (1.5e-3, "zigzags"), (3e-3, "leaves"), (5e-4, "walks")):
        track.evaluate(MOVE, stop_of(lr))
        drawn = track.evaluate(PICTURE)
        assert kind(drawn["words"]) == what, drawn["words"]
        if what == "leaves":
            step = int(re.search(r"at step ([\d,]+)", drawn["words"]).group(1).replace(",", ""))
            # p_0 … p_(step−1) inside (0, 1), on the curve and in panel (b); the gradient at each
            assert drawn["trail"] == drawn["series"][0] == step, drawn
            assert drawn["escape"] and not drawn["end"] and drawn["lines"] == 2, drawn
            (said,) = drawn["said"]
            assert said.endswith(f"at step {step}"), said
        else:
            assert drawn["trail"] == drawn["series"][0] == steps + 1, drawn
            assert drawn["end"] and not drawn["escape"], drawn
            assert drawn["said"] == [] and drawn["lines"] == 0, drawn
    assert errors == []


def test_arrow_keys_step_one_stop_and_torch_follows(page, app_url):
    errors = errors_of(page)
    open_app(page, app_url)
    lr_input = page.locator(LR)
    lr_input.focus()
    exact = page.get_by_role("spinbutton", name="Exact learning rate")
    for _ in range(3):
        stop = int(lr_input.input_value())
        page.keyboard.press("ArrowRight")  # a press is a release too: torch runs it
        assert int(lr_input.input_value()) == stop + 1
        lr = lr_of_stop(stop + 1)
        assert shown_lr(page) == float(f"{lr:.3g}")
        settle(page, lr)
        assert math.isclose(float(exact.input_value()), lr, rel_tol=1e-9), exact.input_value()
        assert int(lr_input.input_value()) == stop + 1  # the rerun keeps the slider there
        assert page.locator(".confirm").inner_text().startswith("✓ torch confirms")
    assert errors == []


def test_quick_arrow_presses_each_step_one_stop(page, app_url):
    """Presses faster than torch's reruns: a rerun for an earlier press never moves the
    track back, and the page ends at the last press's lr."""
    errors = errors_of(page)
    open_app(page, app_url)
    lr_input = page.locator(LR)
    lr_input.focus()
    start = int(lr_input.input_value())
    steps = []
    for _ in range(6):
        before = int(lr_input.input_value())
        page.keyboard.press("ArrowRight")
        steps.append((before, int(lr_input.input_value())))
        page.wait_for_timeout(100)
    assert steps == [(start + i, start + i + 1) for i in range(6)], steps
    lr = lr_of_stop(start + 6)
    settle(page, lr)
    exact = page.get_by_role("spinbutton", name="Exact learning rate")
    assert math.isclose(float(exact.input_value()), lr, rel_tol=1e-9), exact.input_value()
    assert int(lr_input.input_value()) == start + 6
    assert errors == []


def test_a_finger_gets_a_44_px_track_it_can_tap(browser, app_url):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        errors = errors_of(page)
        open_app(page, app_url)
        lr_input = page.locator(LR)
        lr_input.scroll_into_view_if_needed()
        box = lr_input.bounding_box()
        assert box["height"] >= 44, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box
        stop = int(lr_input.input_value())
        lr = shown_lr(page)
        # A tap a fifth of the track away from the thumb, on the side with more room.
        frac = stop / STOPS
        target = frac - 0.2 if frac > 0.5 else frac + 0.2
        page.touchscreen.tap(
            box["x"] + 8 + target * (box["width"] - 16), box["y"] + box["height"] / 2
        )
        tapped = int(lr_input.input_value())
        assert abs(tapped - target * STOPS) <= 4, (tapped, target * STOPS)
        assert shown_lr(page) == lr_of_stop(tapped) != lr
        settle(page, lr_of_stop(tapped))
        assert int(lr_input.input_value()) == tapped
        shot(page, "scrub-touch")
        assert errors == []
    finally:
        context.close()
