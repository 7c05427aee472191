"""Fixtures that run the url-shortener's solution or starter against a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from shortener_lab import SHORTENER, shortener_session

from tests.support.lab_processes import LocalSession, opened
from tests.support.runtime_image import runtime_image  # noqa: F401 - a fixture of this suite


@pytest.fixture
def solution(postgres_url: str, tmp_path: Path) -> Iterator[LocalSession]:
    with opened(shortener_session(SHORTENER.path / "solution", postgres_url, tmp_path)) as s:
        yield s


@pytest.fixture
def starter(postgres_url: str, tmp_path: Path) -> Iterator[LocalSession]:
    with opened(shortener_session(SHORTENER.path / "starter", postgres_url, tmp_path)) as s:
        yield s
