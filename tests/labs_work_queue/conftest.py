"""Fixtures that run the work-queue lab's solution or starter with a fresh Redis and mailer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from queue_lab import QUEUE, QueueSession

from tests.support.lab_processes import opened
from tests.support.runtime_image import runtime_image  # noqa: F401 - a fixture of this suite


@pytest.fixture
def solution(tmp_path: Path) -> Iterator[QueueSession]:
    with opened(QueueSession(QUEUE.path / "solution", tmp_path)) as session:
        yield session


@pytest.fixture
def starter(tmp_path: Path) -> Iterator[QueueSession]:
    with opened(QueueSession(QUEUE.path / "starter", tmp_path)) as session:
        yield session
