"""Grading keeps the learner in the workspace (Chromium, production CSP): Grade shows the checks
and the score beside the editor, the result page and the history page both lead back, and the
workspace shows the last grade again on the next visit (folded away)."""

from __future__ import annotations

import re

import pytest

from tests.grading.grading_helpers import TOY_LAB
from tests.support.chromium import browser, page  # noqa: F401 - fixtures used below
from tests.workspace.editor_page import editor_text, open_lab, replace_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_grade_shows_its_result_beside_the_editor_and_every_page_leads_back(served: str,
                                                                            page) -> None:  # noqa: F811
    open_lab(page, served, "toy-items")
    solution = (TOY_LAB / "solution" / "app.py").read_text()
    replace_text(page, solution)
    page.get_by_role("button", name="Grade", exact=True).click()
    page.wait_for_url(re.compile(rf"{served}/labs/toy-items\?graded=\d+#last-grade$"))

    panel = page.locator("#last-grade")
    assert panel.get_attribute("open") is not None
    panel.locator("#score").wait_for(timeout=30_000)
    assert panel.locator("#score").inner_text() == "6 / 6"
    assert panel.locator("#check-rows .check-passed").count() == 3
    assert page.locator("#editor").is_visible() and editor_text(page) == solution
    editor_box, panel_box = page.locator("#editor").bounding_box(), panel.bounding_box()
    assert panel_box["x"] + panel_box["width"] <= editor_box["x"], "the result is not beside it"

    panel.get_by_role("link", name="Open the result page").click()
    page.wait_for_url(re.compile(rf"{served}/submissions/\d+$"))
    page.get_by_role("link", name="All your submissions for this lab").click()
    page.wait_for_url(f"{served}/labs/toy-items/submissions")
    page.get_by_role("link", name="Back to the workspace").click()
    page.wait_for_url(f"{served}/labs/toy-items")
    page.locator("#file-list button.current").wait_for()
    assert page.locator("#last-grade").get_attribute("open") is None, "an old result stays folded"
    summary = page.locator("#last-grade > summary").inner_text()
    assert re.fullmatch(r"Your last grade: submission #\d+, 6 / 6", summary), summary

    page.locator("#last-grade > summary").click()
    page.locator("#last-grade").get_by_role("link", name="Open the result page").click()
    page.get_by_role("link", name="Back to the workspace").click()
    page.wait_for_url(f"{served}/labs/toy-items")
    assert page.problems == [], "\n".join(page.problems)
