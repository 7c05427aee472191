"""Drafts: a learner starts from starter/, edits are saved per learner, reset and download work,
and the lab page shows the instructions beside the editor."""

from __future__ import annotations

from flask import Flask

from tests.grading.grading_helpers import TOY_LAB, logged_in
from tests.workspace.workspace_helpers import Workspace

STARTER = (TOY_LAB / "starter" / "app.py").read_text()


def test_lab_page_shows_instructions_editor_and_no_inline_script(learner, labs_root) -> None:
    page = learner.get("/labs/rest-api").get_data(as_text=True)
    assert "Users and orders: a REST API" in page
    readme_heading = (labs_root / "rest_api" / "README.md").read_text().splitlines()[0]
    assert readme_heading.lstrip("# ").strip() in page
    assert 'id="editor"' in page and 'id="console-form"' in page
    assert "<script>" not in page and "<script " not in page.replace('<script src="', "")
    assert '/static/vendor/codemirror6/editor.min.js' in page


def test_lab_page_needs_login_and_a_real_lab(app: Flask, learner) -> None:
    assert app.test_client().get("/labs/toy-items").status_code == 302
    assert learner.get("/labs/no-such-lab").status_code == 404


def test_a_new_draft_is_the_starter(toy: Workspace) -> None:
    assert toy.files() == {"app.py": STARTER}


def test_saved_edits_come_back_and_belong_to_their_learner(app: Flask, toy: Workspace) -> None:
    assert toy.save("app.py", "print('mine')\n").status_code == 200
    assert toy.save("lib/util.py", "X = 1\n").status_code == 200
    assert toy.files() == {"app.py": "print('mine')\n", "lib/util.py": "X = 1\n"}
    other = Workspace(logged_in(app, "bob@example.org"), "toy-items")
    assert other.files() == {"app.py": STARTER}


def test_a_save_naming_an_older_version_than_the_drafts_is_refused(toy: Workspace) -> None:
    """The editor sends the version of the file it changed: when another tab or window saved
    the file since, the save is refused (409) and the other's text stays; a save without a
    version (an API client) or with the current one is taken."""
    seen = toy.client.get(toy.base + "/draft").get_json()["versions"]
    other_tab = toy.post("/draft/file", {"path": "app.py", "content": "# other tab\n",
                                         "base": seen["app.py"]})
    assert other_tab.status_code == 200
    stale = toy.post("/draft/file", {"path": "app.py", "content": "# this tab\n",
                                     "base": seen["app.py"]})
    assert stale.status_code == 409
    body = stale.get_json()
    assert "app.py was changed in another tab or window" in body["error"]
    assert body["files"]["app.py"] == "# other tab\n" == toy.files()["app.py"]
    current = toy.post("/draft/file", {"path": "app.py", "content": "# this tab\n",
                                       "base": body["versions"]["app.py"]})
    assert current.status_code == 200 and toy.files()["app.py"] == "# this tab\n"
    new_file = toy.post("/draft/file", {"path": "new.py", "content": "x = 1\n",
                                        "base": seen["app.py"]})
    assert new_file.status_code == 409, "a file the editor never saw is not a new one"
    assert toy.save("app.py", "# an API client\n").status_code == 200


def test_rename_delete_and_reset(toy: Workspace) -> None:
    toy.save("extra.py", "pass\n")
    assert toy.post("/draft/rename", {"path": "extra.py", "to": "more/extra.py"}).status_code == 200
    assert set(toy.files()) == {"app.py", "more/extra.py"}
    assert toy.post("/draft/delete", {"path": "more/extra.py"}).status_code == 200
    toy.save("app.py", "broken")
    reset = toy.post("/draft/reset")
    assert reset.get_json()["files"] == {"app.py": STARTER}
    assert toy.files() == {"app.py": STARTER}


def test_bad_paths_and_binary_content_are_refused_with_the_reason(toy: Workspace) -> None:
    for path in ("../escape.py", "/etc/passwd", "a/../../b.py", ""):
        response = toy.save(path, "x")
        assert response.status_code == 400, f"expected 400 for {path!r}, got {response.status_code}"
        assert response.get_json()["error"]
    rename = toy.post("/draft/rename", {"path": "app.py", "to": "../../app.py"})
    assert rename.status_code == 400
    assert toy.post("/draft/delete", {"path": "nope.py"}).get_json()["error"] == \
        "there is no file 'nope.py'"
    assert toy.files() == {"app.py": STARTER}


def test_oversized_file_is_refused(toy: Workspace) -> None:
    response = toy.save("big.txt", "x" * (1024 * 1024 + 1))
    assert response.status_code == 400
    assert "big.txt is larger than 1024 KiB" in response.get_json()["error"]


def test_download_is_a_zip_of_the_draft(toy: Workspace) -> None:
    toy.save("notes/todo.md", "- items\n")
    assert toy.download() == {"app.py": STARTER.encode(), "notes/todo.md": b"- items\n"}


def test_changes_need_the_csrf_token(toy: Workspace) -> None:
    response = toy.client.post("/labs/toy-items/draft/file", json={"path": "a.py", "content": ""})
    assert response.status_code == 400
    assert "a.py" not in toy.files()
