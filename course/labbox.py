"""The "What you will build" box: a ```lab block mapping a chapter's sections to its lab's checks.

The block is how a chapter proves it teaches everything its lab grades: each row names a
section of the chapter, what the learner builds from it, and the ids of the checks that grade
it. The course knows labs only as data (lab id -> {check id: check title}) handed in by the
caller, so course/ never imports labs/.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import markdown
import yaml

from course.fences import Segment
from course.links import LAB_URL
from course.problems import ContentProblem, SourceError, did_you_mean
from course.yamlsrc import YamlSource, parse_yaml

LAB_LANG = "lab"
LAB_BOX_ID = "what-you-will-build"
LAB_BOX_TITLE = "What you will build"
KEYS = ("section", "build", "checks")
LabChecks = Mapping[str, str]  # check id -> check title, in grading order
_SECTION_HEADING = re.compile(r"^##(?!#)\s")


@dataclass(frozen=True)
class LabRow:
    """One part of the lab: the section teaching it, what to build, the checks grading it."""

    section: str
    build: str
    checks: tuple[str, ...]
    line: int
    check_lines: tuple[int, ...]


@dataclass(frozen=True)
class LabBlock:
    line: int
    rows: tuple[LabRow, ...]
    lab_id: str | None = None  # the lab it maps: named on its fence, else the chapter's `lab:`
    index: int = 0  # its place among the chapter's lab fences (which marker it renders at)
    extra: bool = False  # it maps one of the chapter's `extra_labs`


@dataclass(frozen=True)
class LabBoxView:
    """What the rendered box shows; hashable so it can be part of a render cache key."""

    lab_id: str | None
    rows: tuple[LabRow, ...]
    check_titles: tuple[tuple[str, str], ...]
    index: int = 0
    extra: bool = False

    @property
    def anchor(self) -> str:
        return f"{LAB_BOX_ID}-{self.lab_id}" if self.extra else LAB_BOX_ID

    @property
    def title(self) -> str:
        return f"{LAB_BOX_TITLE} in the {self.lab_id} lab" if self.extra else LAB_BOX_TITLE


def lab_box_marker(index: int) -> str:
    """What the renderer puts where the chapter's `index`-th lab fence stood."""
    return f"<!-- archlab:lab-box:{index} -->"


def fenced_lab(segment: Segment, lab: str | None) -> str | None:
    """The lab a ```lab fence maps: the id after `lab` on its fence line, else the chapter's."""
    return segment.info or lab


def find_lab_blocks(
    segments: list[Segment], path: str, lab: str | None, extra_labs: tuple[str, ...] = ()
) -> tuple[list[LabBlock], list[ContentProblem]]:
    """Parse the chapter's lab blocks, each before the first `## ` section: ```lab for its
    `lab:`, and ```lab <id> for each of its `extra_labs` (at most one block per lab)."""
    first_section = first_section_line(segments)
    blocks: list[LabBlock] = []
    problems: list[ContentProblem] = []
    seen: dict[str | None, int] = {}
    fences = [segment for segment in segments if segment.lang == LAB_LANG]
    for index, segment in enumerate(fences):
        target = fenced_lab(segment, lab)
        if segment.info and segment.info not in (lab, *extra_labs):
            problems.append(ContentProblem(
                path, segment.first_line,
                f"lab block for {segment.info!r}: the chapter does not link that lab (add it "
                "to the front matter's extra_labs)"))
            continue
        if target in seen:
            what = f"lab {target!r}" if target else "the chapter's lab"
            problems.append(ContentProblem(
                path, segment.first_line,
                f"a chapter has at most one lab block per lab (line {seen[target]} maps {what})"))
            continue
        seen[target] = segment.first_line
        if first_section is not None and first_section < segment.first_line:
            problems.append(ContentProblem(
                path, segment.first_line,
                f"the lab block belongs right after the introduction, before the first "
                f"'## ' section (line {first_section})",
            ))
        block, parse_problems = _parse(segment, path)
        problems += parse_problems
        if block is not None:
            blocks.append(replace(block, lab_id=target, index=index,
                                  extra=target is not None and target != lab))
    return blocks, problems


def check_lab_block(
    block: LabBlock,
    path: str,
    lab_id: str | None,
    checks: LabChecks | None,
    sections: Mapping[str, str],
) -> list[ContentProblem]:
    """Sections must be headings of this chapter and the rows must name every check of the lab.

    `checks` None means the lab's checks are unknown (labs not supplied, or the lab does not
    exist, which the front matter check reports): check ids are then not verified.
    """
    if lab_id is None:
        return [ContentProblem(path, block.line, "a lab block needs the chapter's lab: "
                                                 "set its front matter 'lab' to the lab's id")]
    problems = [
        ContentProblem(path, row.line, f"lab block: no section {row.section!r} in this chapter"
                                       f"{did_you_mean(row.section, sections)}")
        for row in block.rows
        if row.section not in sections
    ]
    if checks is None:
        return problems
    for row in block.rows:
        for check_id, line in zip(row.checks, row.check_lines, strict=True):
            if check_id not in checks:
                problems.append(ContentProblem(
                    path, line, f"lab block: lab {lab_id!r} has no check {check_id!r}"
                                f"{did_you_mean(check_id, checks)}"))
    named = {check_id for row in block.rows for check_id in row.checks}
    untaught = [check_id for check_id in checks if check_id not in named]
    if untaught:
        problems.append(ContentProblem(
            path, block.line, f"lab block: checks of lab {lab_id!r} in no row: "
                              f"{', '.join(untaught)}"))
    return problems


def box_view(block: LabBlock, checks: LabChecks | None) -> LabBoxView:
    return LabBoxView(block.lab_id, block.rows, tuple((checks or {}).items()), block.index,
                      block.extra)


def render_box(view: LabBoxView, headings: Mapping[str, str]) -> str:
    """The box's HTML; `headings` maps this chapter's anchors to their heading text."""
    titles = dict(view.check_titles)
    lab_url = LAB_URL.format(lab_id=view.lab_id) if view.lab_id else None
    rows = "".join(_row_html(row, titles, headings) for row in view.rows)
    which = f"the {view.lab_id} lab" if view.extra else "this chapter's lab"
    intro = f'In <a href="{html.escape(lab_url)}">{which}</a>' if lab_url else f"In {which}"
    button = f'<p><a class="button" href="{html.escape(lab_url)}">Open the lab</a></p>' \
        if lab_url else ""
    return (
        f'<aside class="lab-box" aria-labelledby="{view.anchor}">'
        f'<h2 id="{view.anchor}">{html.escape(view.title)}</h2>'
        f"<p>{intro} you build a working service, one part per section below; "
        "the grader's checks named beside each part test it.</p>"
        '<table><thead><tr><th scope="col">Section</th><th scope="col">You build</th>'
        f'<th scope="col">Graded by</th></tr></thead><tbody>{rows}</tbody></table>'
        f"{button}</aside>"
    )


def _row_html(row: LabRow, titles: Mapping[str, str], headings: Mapping[str, str]) -> str:
    section = html.escape(headings.get(row.section, row.section))
    checks = "".join(
        f"<li>{html.escape(titles[c])}</li>" if c in titles else f"<li><code>{html.escape(c)}"
        "</code></li>"
        for c in row.checks
    )
    return (
        f'<tr><td><a href="#{html.escape(row.section)}">{section}</a></td>'
        f"<td>{_inline_markdown(row.build)}</td><td><ul>{checks}</ul></td></tr>"
    )


def _inline_markdown(text: str) -> str:
    """`code`, *emphasis* and links in a build description, without a wrapping paragraph."""
    rendered = markdown.markdown(text)
    return rendered.removeprefix("<p>").removesuffix("</p>")


def first_section_line(segments: list[Segment]) -> int | None:
    for segment in segments:
        if segment.is_fence:
            continue
        for offset, line in enumerate(segment.lines):
            if _SECTION_HEADING.match(line):
                return segment.first_line + offset
    return None


def _parse(block: Segment, path: str) -> tuple[LabBlock | None, list[ContentProblem]]:
    try:
        source = parse_yaml(block.inner, first_line=block.first_line + 1)
    except SourceError as exc:
        return None, [ContentProblem(path, exc.line, f"lab block: {exc.message}")]
    if not isinstance(source.data, list) or not source.data:
        message = "lab block: expected a list of rows with section, build and checks"
        return None, [ContentProblem(path, block.first_line, message)]
    rows: list[LabRow] = []
    problems: list[ContentProblem] = []
    nodes = source.item_nodes()
    for number, (item, node) in enumerate(zip(source.data, nodes, strict=True), start=1):
        row, errors = _row(item, node, source)
        line = source.line_of(node)
        problems += [ContentProblem(path, line, f"lab block row {number}: {e}") for e in errors]
        if row is not None:
            rows.append(row)
    return (None if problems else LabBlock(block.first_line, tuple(rows))), problems


def _row(item: Any, node: yaml.Node, source: YamlSource) -> tuple[LabRow | None, list[str]]:
    if not isinstance(item, dict):
        return None, ["expected a mapping with section, build and checks"]
    errors = [f"unknown key {k!r}{did_you_mean(str(k), KEYS)}" for k in item if k not in KEYS]
    errors += [f"missing {key!r}" for key in KEYS if key not in item]
    section, build, checks = (item.get(key) for key in KEYS)
    if "section" in item and not _text(section):
        errors.append("section must be the anchor of a heading in this chapter")
    if "build" in item and not _text(build):
        errors.append("build must say in a sentence what the learner builds")
    if "checks" in item and not (
        isinstance(checks, list) and checks and all(_text(c) for c in checks)
    ):
        errors.append("checks must be a non-empty list of check ids, e.g. [create_returns_201]")
    if errors:
        return None, errors
    check_nodes = next(v for k, v in node.value if k.value == "checks").value
    return LabRow(
        section=section.strip(),
        build=build.strip(),
        checks=tuple(c.strip() for c in checks),
        line=source.line_of(node),
        check_lines=tuple(source.line_of(n) for n in check_nodes),
    ), []


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
