"""Fixtures that start the lab's solution or starter against a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rest_app import REST_API, rest_session

from tests.support.lab_processes import LocalSession, opened


@pytest.fixture
def solution(postgres_url: str, tmp_path: Path) -> Iterator[LocalSession]:
    """The reference solution, running against a fresh database."""
    with opened(rest_session(REST_API.path / "solution", postgres_url, tmp_path)) as session:
        yield session


@pytest.fixture
def starter(postgres_url: str, tmp_path: Path) -> Iterator[LocalSession]:
    """The starter code, running against a fresh database."""
    with opened(rest_session(REST_API.path / "starter", postgres_url, tmp_path)) as session:
        yield session
