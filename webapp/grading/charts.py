"""Charts a lab reports (`ctx.chart(name, kind, data)`) in the one shape grading-charts.js draws.

Accepted data:
- kind "bar": {"label": number, ...} or {"labels": [...], "values": [...]}
- kind "line" or "timeline": [[x, y], ...] or {"labels": [...], "values": [...]}
Anything else is shown as a table of its JSON instead of a chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KINDS = {"bar": "bar", "line": "line", "timeline": "line"}


@dataclass(frozen=True)
class Chart:
    name: str
    kind: str  # chart.js type: "bar" | "line"
    labels: list[str]
    values: list[float]
    check: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "labels": self.labels,
                "values": self.values}


def _series(data: Any) -> tuple[list[str], list[float]] | None:
    if isinstance(data, dict) and isinstance(data.get("labels"), list) and isinstance(
            data.get("values"), list):
        labels, values = data["labels"], data["values"]
    elif isinstance(data, dict):
        labels, values = list(data), list(data.values())
    elif isinstance(data, list) and all(isinstance(p, list | tuple) and len(p) == 2
                                        for p in data):
        labels, values = [p[0] for p in data], [p[1] for p in data]
    else:
        return None
    if len(labels) != len(values) or not all(isinstance(v, int | float) for v in values):
        return None
    return [str(label) for label in labels], [float(v) for v in values]


def drawable(raw: list[dict[str, Any]]) -> tuple[list[Chart], list[dict[str, Any]]]:
    """(charts to draw, raw entries that are not in a drawable shape)."""
    charts, others = [], []
    for entry in raw:
        kind = KINDS.get(str(entry.get("kind")))
        series = _series(entry.get("data"))
        if kind is None or series is None:
            others.append(entry)
        else:
            charts.append(Chart(str(entry.get("name")), kind, *series, entry.get("check")))
    return charts, others
