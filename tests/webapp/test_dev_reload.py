"""Development mode (CONTENT_RELOAD, on with `archlab serve --dev`): an author's edit of a
lab's checks.py, README or starter shows on the next page load or grade, without a restart."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from labs.catalog import get_lab, load_checks
from tests.webapp.conftest import AuthActions

TESTS = Path(__file__).resolve().parents[1]
TOYS = ("---\ntitle: Toys\norder: 3\nlab: toy-items\nminutes: 5\nsummary: Toys.\n"
        "objectives: [Store items]\n---\nItems over HTTP.\n\n```lab\n"
        "- section: items\n  build: A health check and an item store\n"
        "  checks: [health_answers, create_item_returns_201, item_can_be_read_back]\n"
        "```\n\n## Items\n\nPOST and GET.\n")
OLD_TITLE = "Creating an item answers 201 with its id"
NEW_TITLE = "Creating an item answers 201 with its ID"  # same length: a same-size edit


@pytest.fixture
def lab_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable toy lab that the site and the catalog look up."""
    root = tmp_path / "labs"
    folder = Path(shutil.copytree(TESTS / "labs" / "toy_lab", root / "toy_items"))
    monkeypatch.setenv("ARCHLAB_LABS_ROOT", str(root))
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_renamed_check_shows_in_its_chapters_lab_box_on_the_next_load(
        make_app, content_dir: Path, lab_folder: Path) -> None:
    (content_dir / "03-toys.md").write_text(TOYS)
    client = make_app().test_client()
    assert f"<li>{OLD_TITLE}</li>" in client.get("/chapters/toys").get_data(as_text=True)
    edit(lab_folder / "checks.py", OLD_TITLE, NEW_TITLE)
    page = client.get("/chapters/toys").get_data(as_text=True)
    assert f"<li>{NEW_TITLE}</li>" in page


def test_without_dev_mode_the_lab_box_stays_as_loaded(make_app, content_dir: Path,
                                                      lab_folder: Path) -> None:
    (content_dir / "03-toys.md").write_text(TOYS)
    client = make_app(CONTENT_RELOAD=False).test_client()
    client.get("/chapters/toys")
    edit(lab_folder / "checks.py", OLD_TITLE, NEW_TITLE)
    assert f"<li>{OLD_TITLE}</li>" in client.get("/chapters/toys").get_data(as_text=True)


def test_checks_edited_within_the_same_second_load_as_edited(
        lab_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.dont_write_bytecode", False)  # as an author's shell would
    lab = get_lab("toy-items")
    assert OLD_TITLE in [check.name for check in load_checks(lab)]
    path = lab_folder / "checks.py"
    before = path.stat()
    edit(path, OLD_TITLE, NEW_TITLE)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # saved within that second
    assert NEW_TITLE in [check.name for check in load_checks(lab)]


def test_an_edited_readme_and_starter_show_on_the_lab_page(make_app, lab_folder: Path) -> None:
    client = make_app(LABS_ROOT=lab_folder.parent).test_client()
    AuthActions(client).register()
    (lab_folder / "README.md").write_text("# Toy items\n\nThe first words.\n")
    assert "The first words." in client.get("/labs/toy-items").get_data(as_text=True)
    (lab_folder / "README.md").write_text("# Toy items\n\nThe second words.\n")
    edit(lab_folder / "starter" / "app.py", '"""', '"""Edited starter. ')
    page = client.get("/labs/toy-items").get_data(as_text=True)
    assert "The second words." in page and "The first words." not in page
    draft = client.get("/labs/toy-items/draft").get_data(as_text=True)
    assert "Edited starter." in draft
