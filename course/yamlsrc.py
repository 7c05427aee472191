"""YAML parsed together with source lines, so errors can point at the author's real line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from course.problems import SourceError


@dataclass(frozen=True)
class YamlSource:
    """Parsed data plus the node tree it came from; `first_line` is the file line of row 0."""

    data: Any
    node: yaml.Node | None
    first_line: int

    def line_of(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def key_lines(self, node: yaml.Node | None = None) -> dict[str, int]:
        """File line of each key of a mapping node (the document root by default)."""
        node = self.node if node is None else node
        if not isinstance(node, yaml.MappingNode):
            return {}
        return {str(key.value): self.line_of(key) for key, _ in node.value}

    def item_nodes(self) -> list[yaml.Node]:
        """The item nodes of a top-level sequence (empty when the root is not a list)."""
        return list(self.node.value) if isinstance(self.node, yaml.SequenceNode) else []


# libyaml when PyYAML was built with it: quizzes are most of the YAML and this is 10x faster
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, first_line: int) -> YamlSource:
    """Parse `text`, whose first row sits on `first_line` of its file; raise SourceError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or exc.context or "malformed YAML"
        raise SourceError(line, f"malformed YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise SourceError(first_line, f"malformed YAML: {exc}") from exc
    finally:
        loader.dispose()
    return YamlSource(data, node, first_line)
