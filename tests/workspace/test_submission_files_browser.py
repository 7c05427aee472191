"""Every submission keeps its files (Chromium, production CSP): the files page shows them and
what changed since the learner's previous submission, and "restore this version" puts them back
into the draft, after a confirmation that can be declined. Instructors see the files but have
nothing to restore."""

from __future__ import annotations

import re

import pytest

from tests.grading.grading_helpers import PASSWORD, TOY_LAB
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from tests.workspace.editor_page import editor_text, grade, open_lab, replace_text, wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STARTER = (TOY_LAB / "starter" / "app.py").read_text()
SOLUTION = (TOY_LAB / "solution" / "app.py").read_text()


def test_files_diff_and_restore_of_a_past_submission(served: str, page) -> None:  # noqa: F811
    open_lab(page, served, "toy-items")
    grade(page)  # submission 1: the starter
    replace_text(page, SOLUTION)
    page.get_by_label("File path").fill("notes.md")
    page.get_by_role("button", name="Add file").click()
    page.locator("#current-file", has_text="notes.md").wait_for()
    page.keyboard.type("why it works")
    wait_saved(page)
    grade(page)  # submission 2: the solution and notes.md

    page.get_by_role("link", name="Your submissions").click()
    page.get_by_role("link", name=re.compile("files and changes of submission #2")).click()
    page.wait_for_url(f"{served}/submissions/2/files")
    changes = page.get_by_role("region", name="Changes to app.py")
    removed = changes.locator(".diff-del").all_inner_texts()
    added = changes.locator(".diff-add").all_inner_texts()
    old, new = set(STARTER.splitlines()), set(SOLUTION.splitlines())
    assert old - new <= {line[1:] for line in removed} <= old, "removed lines of the starter"
    assert new - old <= {line[1:] for line in added} <= new, "added lines of the solution"
    notes = page.get_by_role("region", name="Changes to notes.md")
    assert notes.locator(".diff-change").inner_text().lower() == "added"
    assert notes.locator(".diff-add").all_inner_texts() == ["+why it works"]
    shown = page.get_by_role("region", name="app.py", exact=True).locator("pre").inner_text()
    assert shown.strip() == SOLUTION.strip()

    page.get_by_role("link", name="submission #1").click()
    page.wait_for_url(f"{served}/submissions/1/files")
    assert page.get_by_text("This is the first submission of this lab").is_visible()

    restore = page.get_by_role("button", name="Restore this version into my draft")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    restore.click()
    assert "submission #1" in asked[0]
    assert page.url == f"{served}/submissions/1/files", "declining still restored"

    page.once("dialog", lambda dialog: dialog.accept())
    restore.click()
    page.wait_for_url(f"{served}/labs/toy-items")
    assert page.get_by_role("status").filter(has_text="files of submission #1").is_visible()
    page.wait_for_function("() => document.querySelectorAll('#file-list button').length == 1")
    assert editor_text(page) == STARTER
    assert page.problems == [], "\n".join(page.problems)


def test_instructors_see_the_files_with_nothing_to_restore(served: str, page) -> None:  # noqa: F811
    open_lab(page, served, "toy-items")
    grade(page)
    page.context.clear_cookies()
    log_in(page, served, "ina@example.org", PASSWORD)
    page.goto(f"{served}/submissions/1/files")
    assert page.get_by_role("region", name="app.py").locator("pre").inner_text().strip() == (
        STARTER.strip())
    assert page.get_by_role("button", name="Restore this version into my draft").count() == 0
    assert page.problems == [], "\n".join(page.problems)
