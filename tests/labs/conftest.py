"""Fixtures of the labs engine tests: the toy lab and a fake sandbox serving submissions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fakes import TOY_LAB, FakeBackend, submission_apps

from labs.spec import Lab, load_lab


@pytest.fixture
def toy_lab() -> Lab:
    return load_lab(TOY_LAB)


@pytest.fixture
def toy_lab_copy(tmp_path: Path) -> Lab:
    """A writable copy of the toy lab, for tests that add checks or mutants."""
    shutil.copytree(TOY_LAB, tmp_path / "toy_lab")
    return load_lab(tmp_path / "toy_lab")


@pytest.fixture
def fake_backend() -> FakeBackend:
    return FakeBackend(submission_apps)
