"""The workspace never loses what was typed: an edit still waiting for its autosave when the
learner follows a link is saved on the way out, a change the server did not take makes the
browser ask before the page is left, and a tab left open on an old version of a file does not
save over what another tab saved since (it says so, and saves over it only when asked)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.support.chromium import browser, page  # noqa: F401 - fixtures used below
from tests.workspace.editor_page import editor_text, open_lab, put_cursor, wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LAB = "rest-api"
TOY = "toy-items"  # graded in seconds
MARK = "# typed just before leaving\n"


def reopen(page, served: str) -> str:  # noqa: F811
    page.goto(f"{served}/labs/{LAB}")
    page.locator("#file-list button.current").wait_for()
    return editor_text(page)


def type_with_saves_refused(page) -> None:  # noqa: F811
    """Type "# never saved" at the top of the open file while the server cannot be reached."""
    page.route("**/draft/file", lambda route: route.abort())
    put_cursor(page, 0)
    page.keyboard.type("# never saved\n")
    page.locator("#save-status", has_text="Not saved").wait_for(timeout=10_000)


def test_an_edit_typed_just_before_following_a_link_is_kept(served: str, page) -> None:  # noqa: F811
    page.clock.install()
    open_lab(page, served, LAB)
    # the page's clock stands still from here: the autosave's timer never fires, so only
    # leaving the page can save the edit (as when a learner clicks within its 600 ms)
    page.clock.pause_at(datetime.now() + timedelta(seconds=1))
    put_cursor(page, 0)
    page.keyboard.insert_text(MARK)
    page.get_by_role("link", name="Your submissions").click()
    page.wait_for_url(f"{served}/labs/{LAB}/submissions")
    page.clock.resume()
    assert reopen(page, served).startswith(MARK), "the edit typed before leaving was lost"
    assert page.problems == [], "\n".join(page.problems)


def test_leaving_with_a_change_the_server_did_not_take_asks_first(served: str, page) -> None:  # noqa: F811
    open_lab(page, served, LAB)
    type_with_saves_refused(page)

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Your submissions").click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"], "leaving with an unsaved change did not ask"
    assert page.url == f"{served}/labs/{LAB}", "declining must keep the page and its text"
    assert editor_text(page).startswith("# never saved\n")

    page.unroute("**/draft/file")
    put_cursor(page, len("# never saved\n"))  # the click left the focus on the link
    page.keyboard.type("# saved after all\n")
    wait_saved(page)
    assert reopen(page, served).startswith("# never saved\n# saved after all\n")


def test_a_second_tab_never_saves_over_what_the_first_saved(served: str, page) -> None:  # noqa: F811
    open_lab(page, served, LAB)
    first = page.context.new_page()
    first.goto(f"{served}/labs/{LAB}")
    first.locator("#file-list button.current").wait_for()
    put_cursor(first, 0)
    first.keyboard.type("# the first tab's work\n")
    wait_saved(first)

    put_cursor(page, 0)  # this tab still shows the file as it was before
    page.keyboard.type("# an old tab\n")
    page.locator("#save-status", has_text=re.compile("^Not saved$")).wait_for(timeout=10_000)
    assert "changed in another tab or window" in page.locator("#draft-error").inner_text()
    first.reload()
    first.locator("#file-list button.current").wait_for()
    assert editor_text(first).startswith("# the first tab's work\n"), "the old tab saved over it"

    page.get_by_role("button", name="Save this page's version over it").click()
    wait_saved(page)
    assert page.locator("#draft-error").inner_text() == ""
    assert reopen(first, served).startswith("# an old tab\n")
    refused = "the server responded with a status of 409"  # Chromium logs the refused save
    assert [p for p in page.problems if refused not in p] == [], "\n".join(page.problems)


def test_a_save_the_browser_refuses_as_keepalive_goes_as_an_ordinary_request(
        served: str, page) -> None:  # noqa: F811
    """Keepalive requests share 64 KiB in flight; past that Chromium refuses one at once
    (a TypeError, as for a network failure), here for every keepalive request."""
    open_lab(page, served, LAB)
    page.evaluate("""() => { const fetchOf = window.fetch.bind(window);
        window.fetch = (url, options) => options && options.keepalive
            ? Promise.reject(new TypeError('keepalive quota')) : fetchOf(url, options); }""")
    put_cursor(page, 0)
    page.keyboard.type("# kept without keepalive\n")
    wait_saved(page)
    assert reopen(page, served).startswith("# kept without keepalive\n")


def test_run_and_grade_refuse_while_the_page_shows_text_the_draft_does_not_hold(
        served: str, page) -> None:  # noqa: F811
    """Run and Grade take the saved draft: with this page's change refused they would run and
    grade another text than the one on screen (and Grade's page change asked 'Leave site?')."""
    open_lab(page, served, TOY)
    type_with_saves_refused(page)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))

    page.get_by_role("button", name="Grade", exact=True).click()
    page.locator("#draft-error", has_text="Not graded").wait_for(timeout=10_000)
    assert "your changes to app.py are not saved" in page.locator("#draft-error").inner_text()
    page.get_by_role("button", name="Run", exact=True).click()
    page.locator("#run-error", has_text="Not started").wait_for(timeout=10_000)
    assert "your changes to app.py are not saved" in page.locator("#run-error").inner_text()
    assert dialogs == [] and page.url == f"{served}/labs/{TOY}"

    page.unroute("**/draft/file")
    put_cursor(page, 0)
    page.keyboard.type("# saved now\n")
    wait_saved(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Grade", exact=True).click()
    assert dialogs == [], "a saved draft is graded without asking"
    assert re.search(r"\?graded=\d+", page.url), page.url
