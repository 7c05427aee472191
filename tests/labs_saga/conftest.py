"""Fixtures that run the saga lab's stubs with its solution or starter on a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from saga_lab import SAGA, saga_session

from tests.support.lab_processes import LocalSession, opened
from tests.support.runtime_image import runtime_image  # noqa: F401 - a fixture of this suite


@pytest.fixture
def solution(postgres_url: str, tmp_path: Path) -> Iterator[LocalSession]:
    with opened(saga_session(SAGA.path / "solution", postgres_url, tmp_path)) as session:
        yield session


@pytest.fixture
def starter(postgres_url: str, tmp_path: Path) -> Iterator[LocalSession]:
    with opened(saga_session(SAGA.path / "starter", postgres_url, tmp_path)) as session:
        yield session
