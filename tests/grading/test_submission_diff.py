"""The diff between two submissions: only files that differ, each marked added, removed or
changed, with its lines as unified-diff lines (a removed SQL comment is still a removed line)."""

from __future__ import annotations

from webapp.grading.diff import ADDED, CHANGED, REMOVED, file_diffs


def test_only_differing_files_each_with_its_change_and_lines() -> None:
    old = {"app.py": b"a\nb\nc\n", "same.py": b"x\n", "gone.sql": b"-- old\nSELECT 1;\n"}
    new = {"app.py": b"a\nB\nc\n", "same.py": b"x\n", "new.md": b"hello\n"}
    diffs = {diff.path: diff for diff in file_diffs(old, new)}
    assert list(diffs) == ["app.py", "gone.sql", "new.md"]
    assert [diffs[p].change for p in diffs] == [CHANGED, REMOVED, ADDED]
    assert [(line.kind, line.text) for line in diffs["app.py"].lines] == [
        ("hunk", "@@ -1,3 +1,3 @@"), ("same", " a"), ("del", "-b"), ("add", "+B"), ("same", " c")]
    assert [line.text for line in diffs["gone.sql"].lines if line.kind == "del"] == [
        "--- old", "-SELECT 1;"]
    assert [line.text for line in diffs["new.md"].lines if line.kind == "add"] == ["+hello"]


def test_undecodable_bytes_are_shown_not_fatal() -> None:
    (diff,) = file_diffs({"a.txt": b"ok\n"}, {"a.txt": b"\xff\n"})
    assert [line.text for line in diff.lines if line.kind == "add"] == ["+\ufffd"]
