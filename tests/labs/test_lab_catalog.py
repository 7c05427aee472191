"""The catalog finds labs by id or folder name and imports their checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fakes import TOY_LAB

from labs.catalog import UnknownLab, get_lab, lab_ids, load_checks, resolve_lab
from labs.spec import Lab, LabSpecError


def test_labs_are_found_by_id_or_folder_name() -> None:
    root = TOY_LAB.parent
    assert lab_ids(root) == ["toy-items"]
    assert get_lab("toy-items", root).root == TOY_LAB
    assert get_lab("toy_lab", root).id == "toy-items"
    with pytest.raises(UnknownLab, match="no lab named 'nope' \\(labs: toy-items\\)"):
        get_lab("nope", root)


def test_a_folder_named_like_an_id_does_not_shadow_the_lab_with_that_id(tmp_path: Path) -> None:
    shutil.copytree(TOY_LAB, tmp_path / "toy_lab")
    impostor = shutil.copytree(TOY_LAB, tmp_path / "toy_items")
    spec = impostor / "lab.toml"
    spec.write_text(spec.read_text().replace('id = "toy-items"', 'id = "other"'))
    assert get_lab("toy-items", tmp_path).root == tmp_path / "toy_lab"
    assert get_lab("toy_items", tmp_path).id == "other"


def test_a_lab_folder_path_resolves_too() -> None:
    assert resolve_lab(str(TOY_LAB)).id == "toy-items"


def test_checks_are_imported_from_the_lab_folder(toy_lab: Lab) -> None:
    assert load_checks(toy_lab).ids() == ["health_answers", "create_item_returns_201",
                                          "item_can_be_read_back"]


def test_a_broken_checks_file_is_reported_with_its_line(toy_lab_copy: Lab) -> None:
    path: Path = toy_lab_copy.root / "checks.py"
    path.write_text("from labs.checks import Checks\nchecks = Checks()\nraise KeyError('x')\n")
    with pytest.raises(LabSpecError, match=r"checks.py:3: cannot import: KeyError"):
        load_checks(toy_lab_copy)
    path.write_text("registry = 1\n")
    with pytest.raises(LabSpecError, match="defines no `checks = Checks\\(\\)`"):
        load_checks(toy_lab_copy)
