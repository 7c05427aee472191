"""The workspace page in Chromium as the browser tests drive it: open a lab, read and select
text in its CodeMirror editor (through the bundle's ArchlabEditor.viewOf), wait for autosave."""

from __future__ import annotations

import re
from typing import Any

from tests.grading.grading_helpers import PASSWORD
from tests.support.chromium import log_in

VIEW = "ArchlabEditor.viewOf(document.getElementById('editor'))"


def open_lab(page: Any, site: str, lab_id: str, email: str = "ada@example.org") -> None:
    """Log in and open `lab_id`'s workspace, its draft loaded into the editor."""
    log_in(page, site, email, PASSWORD)
    page.goto(f"{site}/labs/{lab_id}")
    page.locator("#file-list button.current").wait_for()


def editor_text(page: Any) -> str:
    return page.evaluate(f"() => {VIEW}.state.doc.toString()")


def select_lines(page: Any, first: int, last: int) -> None:
    """Focus the editor and select lines `first`..`last` (1-based, whole lines)."""
    page.evaluate(f"""([first, last]) => {{
        const view = {VIEW};
        const doc = view.state.doc;
        view.focus();
        view.dispatch({{selection: {{anchor: doc.line(first).from, head: doc.line(last).to}}}});
    }}""", [first, last])


def put_cursor(page: Any, offset: int) -> None:
    page.evaluate(f"(offset) => {{ const view = {VIEW}; view.focus(); "
                  "view.dispatch({selection: {anchor: offset}}); }", offset)


def selected_text(page: Any) -> str:
    return page.evaluate(f"() => {{ const s = {VIEW}.state; const r = s.selection.main; "
                         "return s.sliceDoc(r.from, r.to); }")


def focus_in_editor(page: Any) -> bool:
    return page.evaluate("() => !!document.activeElement.closest('.cm-editor')")


def wait_saved(page: Any) -> None:
    # a string would match "Not saved" too (has_text is a case-insensitive substring)
    page.locator("#save-status", has_text=re.compile(r"^Saved$")).wait_for(timeout=10_000)


def replace_text(page: Any, text: str) -> None:
    """Replace the open file's text, as pasting over all of it would, and wait for autosave."""
    page.evaluate(f"""(text) => {{ const view = {VIEW};
        view.dispatch({{changes: {{from: 0, to: view.state.doc.length, insert: text}}}}); }}""",
                  text)
    wait_saved(page)


def grade(page: Any) -> None:
    """Grade the draft from the workspace and wait for the score beside the editor."""
    page.get_by_role("button", name="Grade", exact=True).click()
    page.wait_for_url(re.compile(r".*\?graded=\d+#last-grade$"))
    page.locator("#last-grade #score").wait_for(timeout=30_000)
