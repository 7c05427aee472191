"""load_course: read every chapter file, validate it, render it, and collect all problems."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from course.fences import Segment, split_fences
from course.frontmatter import SplitFile, split_front_matter
from course.labbox import (
    LAB_LANG,
    LabBlock,
    LabChecks,
    box_view,
    check_lab_block,
    fenced_lab,
    find_lab_blocks,
)
from course.links import CHAPTER_FILE_NAME, LinkTargets, check_links
from course.model import Chapter, Course
from course.problems import ContentProblem, SourceError, display_path
from course.quiz import find_quiz
from course.render import RenderCache, Rendered, render_markdown
from course.shown import find_shown
from course.snippets import find_snippets
from course.validate import ChapterMeta, validate_front_matter

_FILE_NAME = re.compile(rf"^{CHAPTER_FILE_NAME}$")
LAB_FENCE = f"```{LAB_LANG}"
_WORD = re.compile(r"[^\W_][\w'\u2019-]*")


@dataclass(frozen=True)
class _Source:
    """A chapter file whose front matter is valid, before rendering."""

    path: Path
    display: str
    stat: tuple[int, int]
    split: SplitFile
    meta: ChapterMeta
    segments: list[Segment]
    lab_blocks: tuple[LabBlock, ...]


def chapter_files(content_dir: Path) -> list[Path]:
    """The files that are chapters: content/NN-slug.md, by name."""
    return sorted(p for p in content_dir.glob("*.md") if _FILE_NAME.match(p.name))


def load_course(
    content_dir: Path,
    labs: Mapping[str, LabChecks] | None = None,
    *,
    cache: RenderCache | None = None,
) -> Course:
    """Load every chapter; never raises for bad content, every problem lands in course.problems.

    `labs` maps each lab id to its checks ({check id: title}, in grading order): chapters'
    `lab:` and lab blocks are checked against it, and lab boxes name checks by title.
    `labs=None` skips those checks. Pass a RenderCache to reuse rendered HTML of files whose
    (path, mtime, size) did not change.
    """
    content_dir = Path(content_dir)
    problems: list[ContentProblem] = []
    if not content_dir.is_dir():
        problems.append(ContentProblem(content_dir.as_posix(), 1, "content directory not found"))
        return Course([], problems)
    sources = []
    lab_ids = set(labs) if labs is not None else None
    for path in chapter_files(content_dir):
        source = _read(path, content_dir, lab_ids, problems)
        if source is not None:
            sources.append(source)
    sources = _unique(sources, problems)
    slugs = {s.path.name: s.meta.slug for s in sources}
    cache = cache if cache is not None else RenderCache()
    labs = labs or {}
    rendered = {s.path.name: _render(s, slugs, labs, cache) for s in sources}
    targets = LinkTargets(slugs, {n: set(r.anchors) for n, r in rendered.items()}, content_dir)
    chapters = [_chapter(s, rendered[s.path.name], targets, labs, problems) for s in sources]
    chapters.sort(key=lambda c: c.order)
    problems.sort(key=lambda p: (p.path, p.line))
    return Course(chapters, problems)


def _read(
    path: Path, content_dir: Path, lab_ids: set[str] | None, problems: list[ContentProblem]
) -> _Source | None:
    display = display_path(path, content_dir)
    try:
        stat = path.stat()
        split = split_front_matter(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(ContentProblem(display, 1, f"not valid UTF-8: {exc.reason}"))
        return None
    except SourceError as exc:
        problems.append(ContentProblem(display, exc.line, exc.message))
        return None
    except OSError as exc:  # e.g. deleted between listing and reading while an author works
        problems.append(ContentProblem(display, 1, f"cannot read: {exc.strerror}"))
        return None
    default_slug = path.stem.split("-", 1)[1]
    meta, meta_problems = validate_front_matter(split.meta, display, default_slug, lab_ids)
    problems += meta_problems
    if meta is None:
        return None
    segments = split_fences(split.body, split.body_line)
    lab_blocks, lab_problems = find_lab_blocks(segments, display, meta.lab, meta.extra_labs)
    problems += lab_problems
    return _Source(path, display, (stat.st_mtime_ns, stat.st_size), split, meta, segments,
                   tuple(lab_blocks))


def _unique(sources: list[_Source], problems: list[ContentProblem]) -> list[_Source]:
    """Keep the first chapter (by file name) for each slug and order; report the others."""
    kept: list[_Source] = []
    by_slug: dict[str, _Source] = {}
    by_order: dict[int, _Source] = {}
    for source in sources:
        lines = source.split.meta.key_lines()
        first = by_slug.get(source.meta.slug)
        if first is not None:
            line = lines.get("slug", 1)
            message = f"duplicate slug {source.meta.slug!r} (also {first.display})"
            problems.append(ContentProblem(source.display, line, message))
            continue
        first = by_order.get(source.meta.order)
        if first is not None:
            message = f"duplicate order {source.meta.order} (also {first.display})"
            problems.append(ContentProblem(source.display, lines["order"], message))
            continue
        by_slug[source.meta.slug] = by_order[source.meta.order] = source
        kept.append(source)
    return kept


def _render(
    source: _Source, slugs: dict[str, str], labs: Mapping[str, LabChecks], cache: RenderCache
) -> Rendered:
    views = tuple(box_view(block, labs.get(block.lab_id) if block.lab_id else None)
                  for block in source.lab_blocks)
    key = (source.path.resolve(), *source.stat, tuple(sorted(slugs.items())), views)
    return cache.get(key, lambda: render_markdown(source.split.body, slugs, views))


def _chapter(
    source: _Source,
    rendered: Rendered,
    targets: LinkTargets,
    labs: Mapping[str, LabChecks],
    problems: list[ContentProblem],
) -> Chapter:
    segments = source.segments
    quiz, quiz_problems = find_quiz(segments, source.display)
    problems += quiz_problems
    problems += check_links(segments, source.path.name, targets, source.display)
    snippets, snippet_problems = find_snippets(segments, source.display)
    problems += snippet_problems
    shown, shown_problems = find_shown(segments, source.display)
    problems += shown_problems
    meta = source.meta
    sections = {entry.anchor: entry.title for entry in rendered.toc}
    for block in source.lab_blocks:
        checks = labs.get(block.lab_id) if block.lab_id else None
        problems += check_lab_block(block, source.display, block.lab_id, checks, sections)
    fenced = {fenced_lab(s, meta.lab) for s in segments if s.lang == LAB_LANG}
    key_lines = source.split.meta.key_lines()
    for key, lab_id in ([("lab", meta.lab)] if meta.lab else []) + [
            ("extra_labs", extra) for extra in meta.extra_labs]:
        if labs.get(lab_id) and lab_id not in fenced:
            fence = LAB_FENCE if key == "lab" else f"{LAB_FENCE} {lab_id}"
            problems.append(ContentProblem(
                source.display, key_lines.get(key, 1),
                f"chapter links lab {lab_id!r} but has no {fence} block (the \"What you "
                "will build\" box mapping this chapter's sections to the lab's checks)"))
    return Chapter(
        slug=meta.slug,
        title=meta.title,
        order=meta.order,
        lab=meta.lab,
        minutes=meta.minutes,
        summary=meta.summary,
        objectives=meta.objectives,
        path=source.path,
        html=rendered.html,
        toc=rendered.toc,
        quiz=quiz,
        word_count=word_count(segments),
        snippets=snippets,
        extra_labs=meta.extra_labs,
        shown=tuple(shown),
    )


def word_count(segments: list[Segment]) -> int:
    """Words of prose, leaving out code, diagrams and the quiz."""
    return sum(len(_WORD.findall(s.text)) for s in segments if not s.is_fence)
