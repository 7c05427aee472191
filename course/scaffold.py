"""A new chapter file with valid front matter and the sections every chapter has."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from course.loader import chapter_files

MAX_ORDER = 99  # file names carry the order in two digits

BODY = """
Open with the problem this chapter solves and why a backend engineer meets it.

## Core ideas

Explain the main concepts, with a diagram or a worked example.

## In practice

Show the pattern in code and the numbers that decide between the options.

## Common mistakes

1. **A mistake readers make.** What goes wrong, and the fix.

## Self-check

```quiz
- question: Replace this with a question about the chapter.
  choices:
    - A plausible wrong answer
    - The right answer
  answer: 2
  explanation: Say why the right answer is right and the other is not.
```
"""


class ScaffoldError(ValueError):
    """The chapter cannot be created as asked (name taken, bad order, empty title)."""


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def next_order(content_dir: Path) -> int:
    return max((int(p.name[:2]) for p in chapter_files(content_dir)), default=0) + 1


def new_chapter(
    content_dir: Path, title: str, order: int | None = None, lab: str | None = None
) -> Path:
    """Write content/NN-slug.md for `title`; never overwrites an existing chapter."""
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"cannot make a file name from the title {title!r}")
    order = next_order(content_dir) if order is None else order
    if not 1 <= order <= MAX_ORDER:
        raise ScaffoldError(f"order must be between 1 and {MAX_ORDER}, got {order}")
    taken = [p.name for p in chapter_files(content_dir) if int(p.name[:2]) == order]
    if taken:
        raise ScaffoldError(f"order {order} is taken by {taken[0]}")
    same_slug = [p.name for p in chapter_files(content_dir) if p.name[3:] == f"{slug}.md"]
    if same_slug:
        raise ScaffoldError(f"slug {slug!r} is taken by {same_slug[0]}")
    path = content_dir / f"{order:02d}-{slug}.md"
    meta = {
        "title": title.strip(),
        "order": order,
        **({"lab": lab} if lab else {}),
        "minutes": 30,
        "summary": f"What {title.strip()} is and when to use it.",
        "objectives": ["State the first thing a reader will be able to do"],
    }
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    content_dir.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:
        out.write(f"---\n{front}---\n{BODY}")
    return path
