"""Values in failure messages are written as the learner sees them on the wire: JSON."""

from __future__ import annotations

from labs.evidence import json_text


def test_values_read_as_json_not_as_python() -> None:
    assert json_text({"ok": True, "gone": None, "name": "Zoë"}) == (
        '{"ok": true, "gone": null, "name": "Zoë"}')
    assert json_text("PENDING") == '"PENDING"'
    assert json_text([1, 2]) == "[1, 2]"


def test_long_values_are_cut_saying_how_much_is_left_out() -> None:
    text = json_text("x" * 500, limit=20)
    assert text.startswith('"xxxxxxxxxxxxxxxxxxx...')
    assert text.endswith("(482 more characters)")
