"""Every JSON and YAML block a chapter shows parses as its language: a reader who copies a
log line, a request body or a manifest gets data, not a syntax error. (Blocks that also
run are proven by test_runnable_snippets; chapter 8's Deployment passes the ship-it lab's
manifest rules in tests/labs_ship_it.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from course.fences import Segment, split_fences

CONTENT = Path(__file__).resolve().parents[2] / "content"
DATA_LANGS = ("json", "yaml")
BLOCKS = [(chapter.name, block) for chapter in sorted(CONTENT.glob("*.md"))
          for block in split_fences(chapter.read_text(encoding="utf-8"))
          if block.lang in DATA_LANGS]


def test_the_chapters_show_json_and_yaml() -> None:
    assert {block.lang for _, block in BLOCKS} == set(DATA_LANGS)


@pytest.mark.parametrize(("chapter", "block"), BLOCKS,
                         ids=[f"{name}:{block.first_line}" for name, block in BLOCKS])
def test_a_data_block_parses_as_its_language(chapter: str, block: Segment) -> None:
    where = f"content/{chapter}:{block.first_line}"
    try:
        documents = ([json.loads(block.inner)] if block.lang == "json"
                     else list(yaml.safe_load_all(block.inner)))
    except (ValueError, yaml.YAMLError) as exc:
        raise AssertionError(f"{where}: the {block.lang} block does not parse: {exc}") from None
    assert documents and all(doc is not None for doc in documents), f"{where}: empty block"
