"""Fixtures that start the lab's solution or starter against a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rest_app import LAB, RunningApp, run_app


@pytest.fixture
def solution(postgres_url: str, tmp_path: Path) -> Iterator[RunningApp]:
    """The reference solution, running against a fresh database."""
    yield from run_app(LAB / "solution", postgres_url, tmp_path)


@pytest.fixture
def starter(postgres_url: str, tmp_path: Path) -> Iterator[RunningApp]:
    """The starter code, running against a fresh database."""
    yield from run_app(LAB / "starter", postgres_url, tmp_path)


@pytest.fixture
def api(solution: RunningApp) -> httpx.Client:
    return solution.client
