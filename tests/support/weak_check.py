"""A lab whose grader is weak, for the verify and preview tests: the toy lab's read-back check
no longer asserts the name, and a mutant renames items on read, which nothing then catches."""

from __future__ import annotations

from pathlib import Path

RENAMES_ON_READ = '''description = "reading an item back answers another name"
caught_by = "item_can_be_read_back"
[[replace]]
file = "app.py"
old = 'return reply(start_response, "200 OK", item)'
new = 'return reply(start_response, "200 OK", {**item, "name": "renamed"})'
'''
UNCAUGHT = ("mutant renames_on_read was not caught — no check failed; the closest check was "
            "item_can_be_read_back")


def weaken(lab_folder: Path) -> None:
    """Drop the read-back check's name assertion and add the mutant it lets through."""
    checks = lab_folder / "checks.py"
    text = checks.read_text()
    start = text.index("    name = ctx.expect_json(response)")
    end = text.index("evidence=response)\n", start) + len("evidence=response)\n")
    checks.write_text(text[:start] + text[end:])
    (lab_folder / "mutants" / "renames_on_read.toml").write_text(RENAMES_ON_READ)
