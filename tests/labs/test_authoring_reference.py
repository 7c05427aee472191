"""docs/authoring.md cannot drift from the code: its reference sections are what
labs/reference.py generates from the schema, the check context and the result classes, and
every excerpt of the worked example is verbatim in the file it names."""

from __future__ import annotations

import re

import pytest

from labs import reference
from labs.spec import SCHEMA, TableKeys

ROOT = reference.DOC.parent.parent
EXCERPT = re.compile(r"<!-- excerpt: (?P<path>\S+) -->\n```\w+\n(?P<code>.*?)```", re.S)


def test_the_generated_sections_match_the_code() -> None:
    text = reference.DOC.read_text(encoding="utf-8")
    assert reference.rewrite(text) == text, "run: python -m labs.reference --write"
    assert reference.main([]) == 0
    assert "| `[*.limits]` | `memory_mb` |  | memory, MB |" in text
    assert '| `ctx.client(service: str = "app", timeout: float \\| None = None) -> ' \
        "GraderClient` |" in text
    assert "| `blocked_by` | `str \\| None` |" in text


def test_a_changed_docstring_makes_the_doc_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    text = reference.DOC.read_text(encoding="utf-8")
    monkeypatch.setattr(reference.CheckContext.logs, "__doc__", "Something else.")
    assert reference.rewrite(text) != text


def test_a_lab_toml_key_without_words_stops_the_generator(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SCHEMA, "grading", TableKeys(("time_limit", "check_timeout", "retries")))
    with pytest.raises(ValueError, match=r"'retries' has no words in labs/reference\.py"):
        reference.lab_toml_section()


def test_every_excerpt_of_the_worked_example_is_in_its_file() -> None:
    excerpts = list(EXCERPT.finditer(reference.DOC.read_text(encoding="utf-8")))
    assert len(excerpts) >= 6
    for excerpt in excerpts:
        source = (ROOT / excerpt["path"]).read_text(encoding="utf-8")
        assert excerpt["code"] in source, f"not in {excerpt['path']}:\n{excerpt['code']}"
