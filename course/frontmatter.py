"""Split a chapter file into its YAML front matter and Markdown body."""

from __future__ import annotations

from dataclasses import dataclass

from course.problems import SourceError
from course.yamlsrc import YamlSource, parse_yaml

DELIMITER = "---"


@dataclass(frozen=True)
class SplitFile:
    """Parsed front matter and the body; `body_line` is the file line the body starts on."""

    meta: YamlSource
    body: str
    body_line: int


def split_front_matter(text: str) -> SplitFile:
    """Separate `---` delimited YAML from the body, raising SourceError with a file line."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != DELIMITER:
        raise SourceError(1, "missing front matter: the file must start with a '---' line")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == DELIMITER), None)
    if end is None:
        raise SourceError(1, "front matter is not closed by a '---' line")
    try:
        meta = parse_yaml("\n".join(lines[1:end]), first_line=2)
    except SourceError as exc:
        raise SourceError(exc.line, f"front matter: {exc.message}") from exc
    if not isinstance(meta.data, dict):
        raise SourceError(2, "front matter must be a YAML mapping of keys to values")
    return SplitFile(meta, "\n".join(lines[end + 1 :]), body_line=end + 2)
