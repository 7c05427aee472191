"""Charts a lab reports (`ctx.chart(name, kind, data)`) in the one shape grading-charts.js draws.

Accepted data:
- kind "bar" or "line": {"label": number, ...}, {"labels": [...], "values": [...]},
  {"labels": [...], "series": [{"name": ..., "values": [...]}, ...]} or [[x, y], ...]
- kind "timeline": {"rows": [{"label", "start", "end", "status"}, ...]} (start and end in ms;
  drawn as one horizontal bar per row, coloured by status), or [[x, y], ...] drawn as a line
Anything else is shown as a table of its JSON instead of a chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# What each lab-facing kind becomes when its data is a plain series.
SERIES_KINDS = {"bar": "bar", "line": "line", "timeline": "line"}


@dataclass(frozen=True)
class Series:
    name: str
    values: list[Any]  # numbers, or [start, end] pairs on a timeline (None where a row has none)


@dataclass(frozen=True)
class Chart:
    name: str
    kind: str  # what grading-charts.js draws: "bar" | "line" | "timeline"
    labels: list[str]
    series: list[Series]
    check: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "labels": self.labels,
                "series": [{"name": s.name, "values": s.values} for s in self.series]}


def _numbers(values: Any, count: int) -> list[float] | None:
    if not isinstance(values, list) or len(values) != count:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return None
    return [float(v) for v in values]


def _plain(name: str, data: Any) -> tuple[list[str], list[Series]] | None:
    """Labels and series of a bar or line chart, or None when the data has no such shape."""
    if isinstance(data, dict) and isinstance(data.get("labels"), list):
        labels = data["labels"]
        raw = data.get("series")
        if raw is None:
            raw = [{"name": name, "values": data.get("values")}]
        if not isinstance(raw, list) or not raw:
            return None
        series = []
        for entry in raw:
            values = _numbers(entry.get("values") if isinstance(entry, dict) else None,
                              len(labels))
            if values is None:
                return None
            series.append(Series(str(entry.get("name", name)), values))
        return [str(label) for label in labels], series
    if isinstance(data, dict):
        values = _numbers(list(data.values()), len(data))
        return None if values is None else ([str(k) for k in data], [Series(name, values)])
    if isinstance(data, list) and all(isinstance(p, list | tuple) and len(p) == 2 for p in data):
        values = _numbers([p[1] for p in data], len(data))
        return None if values is None else ([str(p[0]) for p in data], [Series(name, values)])
    return None


def _timeline(data: Any) -> tuple[list[str], list[Series]] | None:
    """One row per step or saga: a [start, end] bar in the series named by its status."""
    rows = data.get("rows") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        return None
    statuses: list[str] = []
    for row in rows:
        if not (isinstance(row, dict) and _numbers([row.get("start"), row.get("end")], 2)):
            return None
        status = str(row.get("status", ""))
        if status not in statuses:
            statuses.append(status)
    series = [Series(status or "step", [[float(row["start"]), float(row["end"])]
                                        if str(row.get("status", "")) == status else None
                                        for row in rows])
              for status in statuses]
    return [str(row.get("label", n + 1)) for n, row in enumerate(rows)], series


def drawable(raw: list[dict[str, Any]]) -> tuple[list[Chart], list[dict[str, Any]]]:
    """(charts to draw, raw entries that are not in a drawable shape)."""
    charts, others = [], []
    for entry in raw:
        name, kind, data = str(entry.get("name")), str(entry.get("kind")), entry.get("data")
        shape = None
        if kind == "timeline" and isinstance(data, dict):
            shape, kind = _timeline(data), "timeline"
        elif kind in SERIES_KINDS:
            shape, kind = _plain(name, data), SERIES_KINDS[kind]
        if shape is None:
            others.append(entry)
        else:
            charts.append(Chart(name, kind, *shape, entry.get("check")))
    return charts, others
