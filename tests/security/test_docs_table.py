"""docs/security.md's web app table is kept honest: every row names a test, and every test it
names exists (S/ stands for tests/security/; `::name` after a file names another test there)."""

from __future__ import annotations

import re

from webapp.config import REPO_ROOT

DOC = REPO_ROOT / "docs" / "security.md"
SECTION = re.compile(r"^## The web app\n(.*?)(?=^## )", re.S | re.M)
REFERENCE = re.compile(r"`(?:((?:S|tests)/[\w/]+\.py))?(?:::(\w+))?`")


def table_rows() -> list[str]:
    section = SECTION.search(DOC.read_text())
    assert section, f"expected a '## The web app' section in {DOC}"
    return [line for line in section.group(1).splitlines()
            if line.startswith("| ") and not line.startswith("| threat")]


def test_every_row_names_a_test_that_exists() -> None:
    rows = table_rows()
    assert len(rows) > 20, f"expected the web app's threats in the table, found {len(rows)}"
    for row in rows:
        test_cell = row.rstrip(" |").rsplit(" | ", 1)[1]
        current, named = None, []
        for path, name in REFERENCE.findall(test_cell):
            current = REPO_ROOT / path.replace("S/", "tests/security/", 1) if path else current
            assert current is not None and current.is_file(), f"no such test file in: {row}"
            named.append((current, name))
        assert named, f"expected a test named in the row: {row}"
        for path, name in named:
            if name:
                assert f"def {name}(" in path.read_text(), f"{path} has no test {name}"
