"""Fixtures that run the schema-design lab's solution or starter on a fresh PostgreSQL
database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from schema_lab import SCHEMA, schema_session

from tests.support.lab_processes import LocalSession, opened
from tests.support.runtime_image import runtime_image  # noqa: F401 - a fixture of this suite


@pytest.fixture
def solution(postgres_url: str, tmp_path: Path) -> Iterator[LocalSession]:
    with opened(schema_session(SCHEMA.path / "solution", postgres_url, tmp_path)) as session:
        yield session


@pytest.fixture
def starter(postgres_url: str, tmp_path: Path) -> Iterator[LocalSession]:
    with opened(schema_session(SCHEMA.path / "starter", postgres_url, tmp_path)) as session:
        yield session
