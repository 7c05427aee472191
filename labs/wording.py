"""Values in check messages, written the way the learner's service sent them: as JSON.

A learner reads "expected "success": true, got null", never Python's `True` / `None` /
`'x'`. Every message that quotes a value, a member name or a piece of text goes through here.
"""

from __future__ import annotations

import json
from typing import Any

from labs.evidence import excerpt

VALUE_CHARS = 200
# Python's name of a parsed JSON value's type -> what JSON calls it.
JSON_KINDS = {"NoneType": "null", "bool": "true or false", "int": "a number",
              "float": "a number", "str": "a string", "list": "an array", "dict": "an object",
              "string": "a string"}  # "string indices must be integers"


def json_value(value: Any, limit: int = VALUE_CHARS) -> str:
    """`value` as JSON text (null, true, 3, "x", {"a": 1}), cut to `limit` characters;
    something JSON cannot hold is shown as a string of its text."""
    return excerpt(json.dumps(value, ensure_ascii=False, default=str), limit)


def quoted(text: str) -> str:
    """A name or a piece of text in double quotes, as JSON writes a string: "code"."""
    return json.dumps(str(text), ensure_ascii=False)


def json_kind(value: Any) -> str:
    """What sort of JSON value `value` is: "null", "an array", "an object"..."""
    return JSON_KINDS.get(type(value).__name__, "a value")


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values: like ==, but true is not 1 and false is not 0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same_json, a, b))
    return bool(a == b)
