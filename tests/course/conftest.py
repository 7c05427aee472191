"""Fixture content for the course tests: chapter files written into a fresh tmp content dir."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from course import load_course

WriteChapter = Callable[..., Path]


def front_matter(**fields: Any) -> dict[str, Any]:
    """Valid front matter, with `fields` overriding or (given None) removing keys."""
    meta: dict[str, Any] = {
        "title": "A Chapter",
        "order": 1,
        "minutes": 30,
        "summary": "One sentence.",
        "objectives": ["Explain one thing"],
    }
    meta.update(fields)
    return {k: v for k, v in meta.items() if v is not None}


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    path = tmp_path / "content"
    path.mkdir()
    return path


@pytest.fixture
def problem_lines(content_dir: Path) -> Callable[..., list[str]]:
    """problem_lines(labs=None) -> the `path:line: message` of every problem found."""

    def lines(labs: dict[str, dict[str, str]] | None = None) -> list[str]:
        return [str(p) for p in load_course(content_dir, labs).problems]

    return lines


@pytest.fixture
def write_chapter(content_dir: Path) -> WriteChapter:
    """write_chapter("01-intro.md", body, **front_matter_fields) -> the written file."""

    def write(name: str, body: str = "## Start\n\nSome words.\n", **fields: Any) -> Path:
        order = int(name[:2])
        meta = yaml.safe_dump(front_matter(**{"order": order, **fields}), sort_keys=False)
        path = content_dir / name
        path.write_text(f"---\n{meta}---\n{body}", encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_file(content_dir: Path) -> Callable[[str, str], Path]:
    """Write raw text (for malformed files the helper above cannot produce)."""

    def write(name: str, text: str) -> Path:
        path = content_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
