"""The workspace editor in Chromium under the production CSP: Tab indents a selection instead
of eating it, Shift+Tab dedents, Esc then Tab leaves the editor (as its hint says), search,
bracket matching, wrapped lines that hang at their indent, autosave across a reload, and room to
work: Grade in view on a 1366x768 window."""

from __future__ import annotations

import pytest

from tests.support.chromium import browser, page  # noqa: F401 - fixtures used below
from tests.workspace.editor_page import (
    editor_text,
    focus_in_editor,
    open_lab,
    put_cursor,
    select_lines,
    selected_text,
    wait_saved,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LAB = "rest-api"


def indented(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def test_tab_indents_selected_lines_and_shift_tab_dedents_them(served: str, page) -> None:  # noqa: F811
    open_lab(page, served, LAB)
    before = editor_text(page).split("\n")
    select_lines(page, 10, 14)

    page.keyboard.press("Tab")
    after_tab = editor_text(page).split("\n")
    assert len(after_tab) == len(before), "Tab changed the number of lines"
    assert after_tab[9:14] == indented(before[9:14])
    assert after_tab[:9] == before[:9] and after_tab[14:] == before[14:]
    wait_saved(page)

    page.reload()
    page.locator("#file-list button.current").wait_for()
    assert editor_text(page).split("\n") == after_tab, "the indented lines were not autosaved"
    select_lines(page, 10, 14)
    page.keyboard.press("Shift+Tab")
    assert editor_text(page).split("\n") == before
    assert page.problems == [], "\n".join(page.problems)


def test_tab_without_a_selection_inserts_spaces_to_the_next_stop(served: str, page) -> None:  # noqa: F811
    open_lab(page, served, LAB)
    text = editor_text(page)
    put_cursor(page, 0)
    page.keyboard.type("x")
    page.keyboard.press("Tab")
    assert editor_text(page) == "x   " + text


def test_esc_then_tab_leaves_the_editor_and_the_hint_says_so(served: str, page) -> None:  # noqa: F811
    open_lab(page, served, LAB)
    hint = page.locator("#editor-keys")
    assert "Esc" in hint.inner_text() and "Tab" in hint.inner_text() and hint.is_visible()
    assert page.get_by_role("textbox", name="Code editor: app.py").get_attribute(
        "aria-describedby") == "editor-keys"

    put_cursor(page, 0)
    page.keyboard.press("Tab")
    assert focus_in_editor(page), "a plain Tab must stay in the editor (it indents)"
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not focus_in_editor(page), "Esc then Tab should move focus out of the editor"

    put_cursor(page, 0)
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Tab")
    assert not focus_in_editor(page), "Esc then Shift+Tab should move focus back out"
    assert page.problems == [], "\n".join(page.problems)


def test_esc_then_tab_leaves_the_editor_with_lines_selected_and_changes_nothing(
        served: str, page) -> None:  # noqa: F811
    """The first Esc of a selection collapses it (CodeMirror's binding took the key, and tab
    focus mode was not armed): the Tab after it indented the line instead of leaving."""
    open_lab(page, served, LAB)
    select_lines(page, 10, 14)
    page.keyboard.press("Tab")  # indent the selection, as a learner does before leaving
    indented_text = editor_text(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not focus_in_editor(page), "Esc then Tab should leave the editor"
    assert editor_text(page) == indented_text, "the Tab that leaves must not indent"

    put_cursor(page, 0)
    page.keyboard.press("Control+f")
    page.get_by_role("textbox", name="Find").wait_for()
    page.keyboard.press("Escape")  # closes the search panel, back in the editor
    assert focus_in_editor(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not focus_in_editor(page) and editor_text(page) == indented_text
    assert page.problems == [], "\n".join(page.problems)


def test_search_finds_text_and_brackets_are_matched(served: str, page) -> None:  # noqa: F811
    open_lab(page, served, LAB)
    put_cursor(page, 0)
    page.keyboard.press("Control+f")
    search = page.get_by_role("textbox", name="Find")
    search.wait_for()
    search.press_sequentially("jsonify")
    search.press("Enter")
    assert selected_text(page) == "jsonify"
    page.keyboard.press("Escape")
    assert page.locator(".cm-search").count() == 0

    put_cursor(page, editor_text(page).index("(") + 1)
    assert page.locator(".cm-matchingBracket").count() == 2
    assert page.problems == [], "\n".join(page.problems)


def test_wrapped_lines_hang_at_their_indent(served: str, page) -> None:  # noqa: F811
    open_lab(page, served, LAB)
    long_line = "        total = " + " + ".join(f"value_{n}" for n in range(60))
    put_cursor(page, 0)
    page.keyboard.insert_text(long_line + "\n")
    first_left, continuation_left, rows = page.evaluate("""() => {
        const view = ArchlabEditor.viewOf(document.getElementById('editor'));
        const line = view.state.doc.line(1);
        const start = line.from + line.text.search(/\\S/);
        const top = view.coordsAtPos(start).top;
        let pos = start, rows = 1, continuation = null;
        for (; pos <= line.to; pos++) {
            const box = view.coordsAtPos(pos, 1);
            if (box.top > top + 2 && continuation === null) { continuation = box.left; }
            if (box.top > top + 2) { rows = 2; }
        }
        return [view.coordsAtPos(start).left, continuation, rows];
    }""")
    assert rows == 2, "the long line did not wrap"
    assert abs(continuation_left - first_left) < 2, (
        f"wrapped part starts at x={continuation_left}, the line's text at x={first_left}")


def test_grade_is_in_view_and_the_editor_is_tall_on_a_laptop_window(served: str,
                                                                     browser) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    laptop = context.new_page()
    open_lab(laptop, served, LAB)
    grade = laptop.get_by_role("button", name="Grade", exact=True).bounding_box()
    editor = laptop.locator("#editor").bounding_box()
    assert laptop.evaluate("window.scrollY") == 0
    assert grade["y"] + grade["height"] <= 768, f"Grade is below the fold: {grade}"
    assert editor["height"] >= 400, f"the editor is only {editor['height']} px tall"
    context.close()
