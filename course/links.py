"""Internal links: chapter files and images as authors write them, checked and given site URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from course.fences import Segment
from course.problems import ContentProblem

CHAPTER_FILE_NAME = r"\d{2}-[a-z0-9][a-z0-9-]*\.md"
CHAPTER_FILE = re.compile(rf"^(?P<file>{CHAPTER_FILE_NAME})(?:#(?P<anchor>.*))?$")
IMAGE_PREFIX = "images/"
CHAPTER_URL = "/chapters/{slug}"
LAB_URL = "/labs/{lab_id}"
ASSET_URL = "/content-assets/"

_INLINE = re.compile(
    r"(?P<image>!?)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?(?P<target>[^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)"
)
_REFERENCE = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:\s*<?(?P<target>[^\s>]+)>?")  # not [^1]: notes
_CODE_SPAN = re.compile(r"(`+).+?\1")
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|/)")


@dataclass(frozen=True)
class Link:
    target: str
    line: int
    is_image: bool


@dataclass(frozen=True)
class LinkTargets:
    """What links may point at: chapter files (file name -> slug, anchors) and content images."""

    slugs: dict[str, str]
    anchors: dict[str, set[str]]
    content_dir: Path


def find_links(segments: list[Segment]) -> Iterator[Link]:
    """Markdown links and images in prose, skipping fenced blocks and inline code."""
    for segment in segments:
        if segment.is_fence:
            continue
        for offset, raw in enumerate(segment.lines):
            line = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), raw)
            number = segment.first_line + offset
            for match in _INLINE.finditer(line):
                yield Link(match["target"], number, bool(match["image"]))
            reference = _REFERENCE.match(line)
            if reference:
                yield Link(reference["target"], number, False)


def check_links(
    segments: list[Segment], file_name: str, targets: LinkTargets, path: str
) -> list[ContentProblem]:
    """Every internal link must resolve, anchors included; external links are not fetched."""
    return [
        ContentProblem(path, link.line, error)
        for link in find_links(segments)
        if (error := _link_error(link, file_name, targets))
    ]


def _link_error(link: Link, file_name: str, targets: LinkTargets) -> str | None:
    target = link.target
    if not target or _EXTERNAL.match(target):
        return None
    if target.startswith("#"):
        anchor = unquote(target[1:])
        if anchor not in targets.anchors.get(file_name, set()):
            return f"broken link {target!r}: no heading or element with id {anchor!r} here"
        return None
    if target.startswith(IMAGE_PREFIX):
        if not _asset_exists(targets.content_dir, unquote(target.split("#")[0])):
            return f"missing image {target!r}: no such file under {targets.content_dir.name}/"
        return None
    chapter = CHAPTER_FILE.match(target)
    if chapter is None:
        kind = "image" if link.is_image else "link"
        return (
            f"unsupported {kind} {target!r}: link chapters as NN-slug.md[#anchor] "
            f"and images as {IMAGE_PREFIX}name"
        )
    if chapter["file"] not in targets.slugs:
        return f"broken link {target!r}: no chapter file {chapter['file']!r}"
    anchor = chapter["anchor"]
    if anchor is not None and unquote(anchor) not in targets.anchors.get(chapter["file"], set()):
        return f"broken link {target!r}: {chapter['file']} has no heading with id {anchor!r}"
    return None


def _asset_exists(content_dir: Path, relative: str) -> bool:
    root = content_dir.resolve()
    candidate = (root / relative).resolve()
    return candidate.is_relative_to(root) and candidate.is_file()


def site_url(target: str, slugs: dict[str, str]) -> str | None:
    """The URL the site serves an internal target at, or None to leave the target alone."""
    if target.startswith(IMAGE_PREFIX):
        return ASSET_URL + target
    chapter = CHAPTER_FILE.match(target)
    if chapter is None or chapter["file"] not in slugs:
        return None
    url = CHAPTER_URL.format(slug=slugs[chapter["file"]])
    return url if chapter["anchor"] is None else f"{url}#{chapter['anchor']}"
