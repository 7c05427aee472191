"""In Chromium: grading-charts.js draws every chart shape webapp/grading/charts.py produces
(multi-series bars, lines, status-coloured timelines) with the vendored Chart.js."""

from __future__ import annotations

import json

import pytest
from markupsafe import escape

from tests.support.chromium import browser, page  # noqa: F401 - fixtures used below
from webapp.config import REPO_ROOT
from webapp.grading.charts import drawable

pytestmark = [pytest.mark.browser]

STATIC = REPO_ROOT / "webapp" / "static"
REPORTED = [
    {"name": "per shard", "kind": "bar",
     "data": {"labels": ["shard0", "shard1", "shard2"],
              "series": [{"name": "before", "values": [333, 340, 327]},
                         {"name": "after", "values": [250, 251, 249]}]}},
    {"name": "latency", "kind": "line", "data": [[0, 12], [1, 15], [2, 11]]},
    {"name": "saga steps", "kind": "timeline",
     "data": {"rows": [{"label": "reserve", "start": 0, "end": 80, "status": "ok"},
                       {"label": "charge", "start": 80, "end": 700, "status": "failed"},
                       {"label": "release", "start": 700, "end": 760, "status": "ok"}]}},
]


def test_every_chart_shape_is_drawn(page) -> None:  # noqa: F811
    charts, others = drawable(REPORTED)
    assert others == []
    canvases = "".join(f'<canvas data-chart="{escape(json.dumps(c.to_dict()))}"></canvas>'
                       for c in charts)
    page.set_content(f"<!doctype html><body>{canvases}</body>")
    page.add_script_tag(path=str(STATIC / "vendor" / "chart.umd.min.js"))
    page.add_script_tag(path=str(STATIC / "js" / "grading-charts.js"))
    page.evaluate("() => document.dispatchEvent(new Event('htmx:afterSettle'))")

    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('canvas')).map(c => {
        const chart = Chart.getChart(c);
        return chart && {type: chart.config.type, axis: chart.options.indexAxis,
                         datasets: chart.data.datasets.map(d => [d.label, d.data.length]),
                         legend: chart.options.plugins.legend.display};
    })""")
    assert drawn == [
        {"type": "bar", "axis": "x", "datasets": [["before", 3], ["after", 3]], "legend": True},
        {"type": "line", "axis": "x", "datasets": [["latency", 3]], "legend": False},
        {"type": "bar", "axis": "y", "datasets": [["ok", 3], ["failed", 3]], "legend": True},
    ]
    assert page.problems == []
