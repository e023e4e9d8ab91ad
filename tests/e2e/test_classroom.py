"""A class in Chromium: a teacher's page and five students' pages; the students vote, and the
teacher's tally (a fragment that reruns by itself) shows the five votes, untouched."""

from __future__ import annotations

import re
import urllib.parse

from .conftest import SHOTS

VOTES = ["zig-zags in", "zig-zags in", "zig-zags in", "escapes (0, 1)", "converges smoothly"]


def test_five_students_vote_and_the_teacher_sees_the_tally_live(browser, class_url):
    """Six tabs of one browser context: six Streamlit sessions (a session is a tab's websocket,
    so each student has a voter id of its own), sharing the browser's cache, so that a 2-core
    machine does not download and compile six copies of the frontend at once."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.set_default_timeout(60_000)
    try:
        teacher = context.new_page()
        teacher.goto(class_url + "/?view=class&lr=0.0015&p0=0.6&dtype=float64&steps=50")
        teacher.get_by_role("button", name="Start a class").click()
        expect(teacher).to_have_url(re.compile(r"teach=\w{10}"), timeout=60_000)
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(teacher.url).query)["teach"][0]
        teacher.get_by_role("button", name="Ask about this run").click()
        votes = teacher.get_by_text(re.compile(r"^\d+ votes? ·"))
        expect(votes).to_contain_text("0 votes", timeout=60_000)

        students = [context.new_page() for _ in VOTES]
        for page in students:  # (all five load at once)
            page.set_viewport_size({"width": 390, "height": 800})
            page.goto(f"{class_url}/?class={code}", wait_until="commit")
        for page, choice in zip(students, VOTES, strict=True):
            page.get_by_text(choice, exact=True).click(timeout=120_000)
        for page, choice in zip(students, VOTES, strict=True):
            expect(page.get_by_text(f"Sent: {choice}.")).to_be_visible(timeout=60_000)

        # The teacher's page is not touched: its tally fragment reruns every 1.5 s by itself.
        expect(votes).to_contain_text("5 votes", timeout=20_000)
        expect(votes).to_contain_text("zig-zags in: 3")
        expect(votes).to_contain_text("escapes (0, 1): 1")
        expect(votes).to_contain_text("converges smoothly: 1")
        SHOTS.mkdir(parents=True, exist_ok=True)
        teacher.screenshot(path=str(SHOTS / "class-teacher-five-votes.png"))
        students[0].screenshot(path=str(SHOTS / "class-student-voted.png"))
    finally:
        context.close()
