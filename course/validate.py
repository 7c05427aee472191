"""The front matter schema: which keys a chapter has, their types, and the lab they name."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from course.problems import ContentProblem, did_you_mean
from course.yamlsrc import YamlSource

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ChapterMeta:
    """Validated front matter of one chapter."""

    title: str
    order: int
    slug: str
    lab: str | None
    minutes: int
    summary: str
    objectives: list[str]
    extra_labs: tuple[str, ...] = ()  # further labs of the chapter, after `lab`


def _non_empty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _slug(value: Any) -> bool:
    return isinstance(value, str) and bool(SLUG.match(value))


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(map(_non_empty_str, value))


def _lab_list(value: Any) -> bool:
    return _string_list(value) and len(set(value)) == len(value)


@dataclass(frozen=True)
class Field:
    required: bool
    valid: Callable[[Any], bool]
    expected: str


FIELDS: dict[str, Field] = {
    "title": Field(True, _non_empty_str, "a non-empty string"),
    "order": Field(True, _positive_int, "a positive integer"),
    "slug": Field(False, _slug, "a slug of lowercase letters, digits and hyphens"),
    "lab": Field(False, _non_empty_str, "a lab id (a non-empty string)"),
    "extra_labs": Field(False, _lab_list, "a list of distinct lab ids, e.g. [rate-limiter]"),
    "minutes": Field(True, _positive_int, "a positive integer"),
    "summary": Field(True, _non_empty_str, "a non-empty string"),
    "objectives": Field(True, _string_list, "a non-empty list of non-empty strings"),
}


def validate_front_matter(
    meta: YamlSource, path: str, default_slug: str, lab_ids: set[str] | None
) -> tuple[ChapterMeta | None, list[ContentProblem]]:
    """Check the schema; the ChapterMeta is None when a required field is missing or invalid.

    Unknown keys and unknown lab ids are reported but do not hide the chapter: it can still
    be shown while the author fixes them.
    """
    data: dict[Any, Any] = meta.data
    lines = meta.key_lines()
    problems: list[ContentProblem] = []
    fatal = False
    for key in data:
        if str(key) not in FIELDS:
            message = f"unknown key {key!r}{did_you_mean(str(key), FIELDS)}"
            problems.append(ContentProblem(path, lines.get(str(key), 1), message))
    for name, field in FIELDS.items():
        if name not in data:
            if field.required:
                problems.append(ContentProblem(path, 1, f"missing required key {name!r}"))
                fatal = True
        elif not field.valid(data[name]):
            got = f"{data[name]!r} ({type(data[name]).__name__})"
            problems.append(
                ContentProblem(path, lines[name], f"{name}: expected {field.expected}, got {got}")
            )
            fatal = True
    lab = data.get("lab")
    extra = data.get("extra_labs") if _lab_list(data.get("extra_labs")) else []
    if extra and not _non_empty_str(lab):
        problems.append(ContentProblem(path, lines["extra_labs"], "extra_labs needs a `lab:` "
                                       "first: the chapter's main lab, which its box maps"))
    named = [("lab", lab)] if _non_empty_str(lab) else []
    for key, lab_id in [*named, *(("extra_labs", each) for each in extra)]:
        if lab_ids is not None and lab_id not in lab_ids:
            known = ", ".join(sorted(lab_ids)) or "none"
            hint = did_you_mean(lab_id, lab_ids)
            message = f"lab {lab_id!r} does not exist{hint} (labs: {known})"
            problems.append(ContentProblem(path, lines[key], message))
    if fatal:
        return None, problems
    return ChapterMeta(
        title=data["title"].strip(),
        order=data["order"],
        slug=data.get("slug", default_slug),
        lab=lab,
        minutes=data["minutes"],
        summary=data["summary"].strip(),
        objectives=[o.strip() for o in data["objectives"]],
        extra_labs=tuple(each for each in extra if each != lab),
    ), problems
