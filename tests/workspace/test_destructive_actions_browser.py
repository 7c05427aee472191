"""Destructive actions in the workspace (Chromium, production CSP): upload asks before it
replaces the draft and declining keeps every file; delete and reset ask too; destructive buttons
look different from safe ones; the workspace is the one place to upload."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.support.chromium import browser, page  # noqa: F401 - fixtures used below
from tests.workspace.editor_page import editor_text, open_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DESTRUCTIVE = ["Delete current file", "Upload and replace", "Reset to starter"]
SAFE = ["Add file", "Rename current file", "Download zip"]


def archive(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("app.py", "print('uploaded')\n")
        zipped.writestr("lib/extra.py", "X = 1\n")
    path = tmp_path / "work.zip"
    path.write_bytes(buffer.getvalue())
    return path


def file_names(tab) -> list[str]:  # type: ignore[no-untyped-def]
    return tab.locator("#file-list button").all_inner_texts()


def test_upload_asks_before_replacing_and_declining_keeps_the_files(served: str, page,  # noqa: F811
                                                                    tmp_path: Path) -> None:
    open_lab(page, served, "toy-items")
    before = editor_text(page)
    page.get_by_label("Upload a .zip or .tar.gz").set_input_files(str(archive(tmp_path)))

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Upload and replace").click()
    assert asked and "Replace your 1 file with the files of work.zip" in asked[0]
    page.wait_for_timeout(500)  # a refused upload would have answered by now
    assert file_names(page) == ["app.py"] and editor_text(page) == before

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Upload and replace").click()
    page.locator("#save-status", has_text="Uploaded").wait_for()
    assert file_names(page) == ["app.py", "lib/extra.py"]
    assert editor_text(page) == "print('uploaded')\n"

    for name in ("Delete current file", "Reset to starter"):
        asked.clear()
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.get_by_role("button", name=name).click()
        assert asked, f"{name} acted without asking"
    assert file_names(page) == ["app.py", "lib/extra.py"], "declining still changed the files"
    assert page.problems == [], "\n".join(page.problems)


def test_destructive_buttons_look_different_from_safe_ones(served: str, page) -> None:  # noqa: F811
    open_lab(page, served, "toy-items")

    def colours(name: str) -> tuple[str, str]:
        control = page.get_by_role("link" if name == "Download zip" else "button", name=name)
        return tuple(control.evaluate("(e) => { const s = getComputedStyle(e); "
                                      "return [s.color, s.borderTopColor]; }"))

    destructive = {colours(name) for name in DESTRUCTIVE}
    safe = {colours(name) for name in SAFE}
    assert len(destructive) == 1, f"destructive buttons differ among themselves: {destructive}"
    assert not destructive & safe, "a destructive button looks like a safe one"


def test_the_history_page_has_no_second_upload_form(served: str, page) -> None:  # noqa: F811
    open_lab(page, served, "toy-items")
    page.goto(f"{served}/labs/toy-items/submissions")
    assert page.locator("input[type=file]").count() == 0
    page.get_by_role("link", name="Back to the workspace").click()
    page.wait_for_url(f"{served}/labs/toy-items")
