"""Markdown to HTML for chapters: Python-Markdown with the course's extensions, cached per file."""

from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from pygments.formatters import HtmlFormatter

from course.fences import split_fences
from course.labbox import LAB_LANG, LabBoxView, lab_box_marker, render_box
from course.links import site_url
from course.quiz import QUIZ_LANG
from course.shown import caption_html, reason_of
from course.snippets import is_marker

QUIZ_MARKER = "<!-- archlab:quiz -->"
LAB_BOX_MARKERS = re.compile(r"<!-- archlab:lab-box:\d+ -->")  # what lab_box_marker() makes
MERMAID_LANG = "mermaid"
CSS_CLASS = "highlight"
_ID = re.compile(r"""\sid=["']([^"']+)["']""")

EXTENSIONS = ["extra", "codehilite", "admonition", "toc", "sane_lists"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "codehilite": {"css_class": CSS_CLASS, "guess_lang": False},
    "toc": {"permalink": True, "toc_depth": "2-3"},
}
UNLISTED_HEADINGS = {"h1", "h4", "h5", "h6"}


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class Rendered:
    """A chapter body as HTML, its table of contents and every id a link may target."""

    html: str
    toc: list[TocEntry]
    anchors: frozenset[str]


class _SpecialBlocks(Preprocessor):
    """Swap ```quiz for QUIZ_MARKER, each ```lab for its lab box marker (numbered in order)
    and ```mermaid for <pre class="mermaid">, before highlighting; drop run and output
    markers, and put a shown marker's caption in its place."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        lab_fences = 0
        for segment in split_fences("\n".join(lines)):
            if segment.lang == QUIZ_LANG:
                out += ["", self.md.htmlStash.store(QUIZ_MARKER), ""]
            elif segment.lang == LAB_LANG:
                out += ["", self.md.htmlStash.store(lab_box_marker(lab_fences)), ""]
                lab_fences += 1
            elif segment.lang == MERMAID_LANG:
                pre = f'<pre class="mermaid">{html.escape(segment.inner)}</pre>'
                out += ["", self.md.htmlStash.store(pre), ""]
            elif segment.is_fence:
                out += segment.lines
            else:
                out += self._prose(segment.lines)
        return out

    def _prose(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for line in lines:
            reason = reason_of(line)
            if reason is not None:
                out += ["", self.md.htmlStash.store(caption_html(reason)), ""]
            elif not is_marker(line):
                out.append(line)
        return out


class _InternalLinks(Treeprocessor):
    """Point chapter-file links and content images at the URLs the site serves them on."""

    def __init__(self, md: markdown.Markdown, slugs: dict[str, str]) -> None:
        super().__init__(md)
        self.slugs = slugs

    def run(self, root: etree.Element) -> None:
        for element, attribute in [(a, "href") for a in root.iter("a")] + [
            (img, "src") for img in root.iter("img")
        ]:
            url = site_url(element.get(attribute, ""), self.slugs)
            if url is not None:
                element.set(attribute, url)


class _PermalinksOnTocLevels(Treeprocessor):
    """Keep the toc extension's permalink only on the headings the table of contents lists."""

    def run(self, root: etree.Element) -> None:
        for heading in root.iter():
            if heading.tag in UNLISTED_HEADINGS:
                for link in heading.findall("a[@class='headerlink']"):
                    heading.remove(link)


class _CourseExtension(Extension):
    def __init__(self, slugs: dict[str, str]) -> None:
        super().__init__()
        self.slugs = slugs

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # Markdown's API name
        md.preprocessors.register(_SpecialBlocks(md), "archlab_blocks", 30)  # before fenced_code
        md.treeprocessors.register(_InternalLinks(md, self.slugs), "archlab_links", 5)
        md.treeprocessors.register(_PermalinksOnTocLevels(md), "archlab_permalinks", 4)  # after toc


def render_markdown(
    body: str, slugs: dict[str, str], lab_boxes: tuple[LabBoxView, ...] = ()
) -> Rendered:
    """Render a chapter body; `slugs` maps chapter file names to slugs for link rewriting.

    Each lab block becomes its box of `lab_boxes` (by `index`) rendered with the chapter's
    heading titles, or nothing when the block is invalid (no box for it).
    """
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, _CourseExtension(slugs)],
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    body_html = md.convert(body)
    toc = list(_flatten(md.toc_tokens))  # type: ignore[attr-defined]
    headings = {e.anchor: e.title for e in toc}
    boxes = [view for view in lab_boxes if lab_box_marker(view.index) in body_html]
    for view in boxes:
        body_html = body_html.replace(lab_box_marker(view.index), render_box(view, headings), 1)
    toc[:0] = [TocEntry(2, view.anchor, view.title) for view in boxes]  # they stand before any h2
    body_html = LAB_BOX_MARKERS.sub("", body_html)
    return Rendered(body_html, toc, frozenset(_ID.findall(body_html)))


def _flatten(tokens: list[dict[str, Any]]) -> list[TocEntry]:
    entries: list[TocEntry] = []
    for token in tokens:
        entries.append(TocEntry(token["level"], token["id"], html.unescape(token["name"])))
        entries += _flatten(token["children"])
    return entries


def pygments_css(style: str = "default") -> str:
    """The stylesheet for highlighted code (the HTML carries classes, never inline styles)."""
    return HtmlFormatter(style=style).get_style_defs(f".{CSS_CLASS}")


class RenderCache:
    """Rendered bodies keyed by (path, mtime, size, ...) so an unchanged file renders once."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, Rendered] = {}
        self._used: set[Hashable] = set()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, render: Callable[[], Rendered]) -> Rendered:
        with self._lock:
            self._used.add(key)
            if key in self._entries:
                self.hits += 1
                return self._entries[key]
        rendered = render()
        with self._lock:
            self.misses += 1
            self._entries[key] = rendered
        return rendered

    def sweep(self) -> None:
        """Forget entries not asked for since the last sweep (file versions no longer on disk)."""
        with self._lock:
            self._entries = {k: v for k, v in self._entries.items() if k in self._used}
            self._used = set()
