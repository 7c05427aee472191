"""Fixtures that run the cache-aside lab's solution or starter with a fresh Redis and origin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cache_lab import CACHE, CacheSession

from labs.context import GradeState
from tests.support.direct_checks import run_checks
from tests.support.lab_processes import opened
from tests.support.runtime_image import runtime_image  # noqa: F401 - a fixture of this suite


@pytest.fixture(scope="module")
def solution(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CacheSession]:
    log_dir = tmp_path_factory.mktemp("solution")
    with opened(CacheSession(CACHE.path / "solution", log_dir)) as session:
        yield session


@pytest.fixture(scope="module")
def solution_run(solution: CacheSession) -> tuple[dict[str, str], GradeState]:
    """Every check against the solution, once, for all the module's assertions."""
    return run_checks(CACHE, solution, seed=2024)


@pytest.fixture
def starter(tmp_path: Path) -> Iterator[CacheSession]:
    with opened(CacheSession(CACHE.path / "starter", tmp_path)) as session:
        yield session
