"""A learner in a real browser: register, read a chapter, take its quiz, see the progress."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course import load_course
from webapp.config import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HIGHLIGHTED = """() => Array.from(document.querySelectorAll('.highlight pre span')).some(
    span => getComputedStyle(span).color !== getComputedStyle(span.closest('pre')).color)"""


def quiz_chapter_with_diagram():  # type: ignore[no-untyped-def]
    """The first real chapter with a quiz, a highlighted code block and a mermaid diagram."""
    for chapter in load_course(REPO_ROOT / "content").chapters:
        html = chapter.html
        if chapter.quiz and 'class="mermaid"' in html and 'class="highlight"' in html:
            return chapter
    pytest.fail("expected a chapter in content/ with a quiz, code and a mermaid diagram")


def test_register_read_quiz_progress(live_server: str, page, tmp_path: Path):
    chapter = quiz_chapter_with_diagram()

    page.goto(f"{live_server}/register")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Display name").fill("Ada")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_label("Repeat password").fill("correct horse battery")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{live_server}/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_text("Course progress: 0 of").is_visible()

    page.get_by_role("link", name=chapter.title).click()
    page.wait_for_url(f"{live_server}/chapters/{chapter.slug}")
    toc = page.get_by_role("complementary")
    assert toc.get_by_role("link", name=chapter.toc[0].title).first.is_visible()
    assert page.evaluate(HIGHLIGHTED), "no code token is coloured: highlight.css did not apply"
    page.locator("pre.mermaid svg").first.wait_for(state="visible", timeout=20_000)
    page.screenshot(path=str(tmp_path / "chapter.png"))

    for index in range(len(chapter.quiz.questions)):
        page.locator(f'input[name="q{index}"]').nth(0).check()
    url_before = page.url
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("button", name="Check my answers").click()
    score = page.locator("#quiz-result .score")
    score.wait_for(state="visible")
    assert re.search(r"Score: \d+ / \d+", score.inner_text())
    assert page.evaluate("window.__notReloaded") is True, "the quiz reloaded the page"
    assert page.url == url_before

    page.goto(f"{live_server}/progress")
    row = page.get_by_role("row").filter(has_text=chapter.title)
    assert re.search(rf"\d+ / {len(chapter.quiz.questions)} \(\d+%\)", row.inner_text())
    assert page.problems == [], "console errors or CSP violations:\n" + "\n".join(page.problems)
