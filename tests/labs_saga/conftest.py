"""Fixtures that run the saga lab's stubs with its solution or starter on a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from saga_lab import LAB, SagaSession


def open_session(app_dir: Path, postgres_url: str, tmp_path: Path) -> Iterator[SagaSession]:
    session = SagaSession(app_dir, postgres_url, tmp_path)
    try:
        yield session.open()
    finally:
        session.close()


@pytest.fixture
def solution(postgres_url: str, tmp_path: Path) -> Iterator[SagaSession]:
    yield from open_session(LAB / "solution", postgres_url, tmp_path)


@pytest.fixture
def starter(postgres_url: str, tmp_path: Path) -> Iterator[SagaSession]:
    yield from open_session(LAB / "starter", postgres_url, tmp_path)


@pytest.fixture(scope="session")
def runtime_image(docker_client) -> str:
    """The lab runtime image (Debian bookworm's Python libraries), built offline if missing."""
    from sandboxes.images.builder import build_runtime_image

    return build_runtime_image(docker_client, say=lambda _message: None)
