"""The shapes labs report charts in (see labs/*/checks.py) become what grading-charts.js draws."""

from __future__ import annotations

from webapp.grading.charts import drawable


def one(kind: str, data: object) -> dict:
    charts, others = drawable([{"name": "c", "kind": kind, "data": data, "check": "k"}])
    assert others == [], f"expected {data!r} to be drawable as {kind}"
    return charts[0].to_dict()


def test_a_mapping_of_numbers_is_one_bar_series() -> None:
    assert one("bar", {"p50": 12.5, "p99": 40}) == {
        "name": "c", "kind": "bar", "labels": ["p50", "p99"],
        "series": [{"name": "c", "values": [12.5, 40.0]}]}


def test_named_series_are_kept_side_by_side() -> None:
    chart = one("bar", {"labels": ["shard0", "shard1"],
                        "series": [{"name": "before", "values": [10, 12]},
                                   {"name": "after", "values": [7, 8]}]})
    assert chart["labels"] == ["shard0", "shard1"]
    assert chart["series"] == [{"name": "before", "values": [10.0, 12.0]},
                               {"name": "after", "values": [7.0, 8.0]}]


def test_pairs_on_a_timeline_are_a_line() -> None:
    chart = one("timeline", [[0, 1], [1, 4]])
    assert chart["kind"] == "line" and chart["labels"] == ["0", "1"]


def test_timeline_rows_become_one_floating_bar_each_coloured_by_status() -> None:
    chart = one("timeline", {"rows": [
        {"label": "reserve", "start": 0, "end": 120, "status": "ok"},
        {"label": "charge", "start": 120, "end": 900, "status": "failed"},
        {"label": "release", "start": 900, "end": 950, "status": "ok"}]})
    assert chart["kind"] == "timeline"
    assert chart["labels"] == ["reserve", "charge", "release"]
    assert chart["series"] == [
        {"name": "ok", "values": [[0.0, 120.0], None, [900.0, 950.0]]},
        {"name": "failed", "values": [None, [120.0, 900.0], None]}]


def test_shapes_that_cannot_be_drawn_are_shown_as_data() -> None:
    bad = [{"name": "a", "kind": "pie", "data": {"x": 1}},
           {"name": "b", "kind": "bar", "data": {"labels": ["x", "y"], "values": [1]}},
           {"name": "c", "kind": "bar", "data": {"x": "not a number"}},
           {"name": "d", "kind": "timeline", "data": {"rows": [{"label": "x", "start": 0}]}},
           {"name": "e", "kind": "bar", "data": {"labels": ["x"], "series": [{"name": "s"}]}},
           {"name": "f", "kind": "bar", "data": {"x": True}}]
    charts, others = drawable(bad)
    assert charts == [] and others == bad
