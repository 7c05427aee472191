"""GradeResult survives a JSON round trip unchanged."""

from __future__ import annotations

from labs.results import (
    CheckResult,
    GradeResult,
    GradeTimings,
    OutlineEntry,
    Status,
    Verdict,
    outline,
)


def sample_result() -> GradeResult:
    return GradeResult(
        lab_id="toy", submission_id="sub-1", seed=7, gradable=True, verdict=Verdict.GRADED,
        score=3, max_score=5,
        checks=[CheckResult("a", "A works", Status.PASSED, 3, 3, duration_s=0.1),
                CheckResult("b", "B works", Status.FAILED, 0, 2, "expected 201, got 200",
                            "> POST /b\n< 200 OK", "Return 201.", 0.2)],
        started_at="2026-01-01T00:00:00+00:00", duration_s=1.5, log_tail="ready",
        metrics=[{"name": "p99", "value": 12.5, "unit": "ms", "check": "a"}],
        charts=[{"name": "latency", "kind": "line", "data": [1, 2], "check": "a"}],
        timings=GradeTimings(sandbox_start_s=0.4, service_ready_s=0.3, checks_s=0.6,
                             teardown_s=0.2),
    )


def test_json_round_trip_preserves_everything() -> None:
    result = sample_result()
    again = GradeResult.from_json(result.to_json())
    assert again == result
    assert again.checks[1].status is Status.FAILED
    assert again.verdict is Verdict.GRADED


def test_a_result_stored_before_timings_existed_loads_with_zero_timings() -> None:
    old = {k: v for k, v in sample_result().to_dict().items() if k != "timings"}
    assert GradeResult.from_dict(old).timings == GradeTimings()
    assert sample_result().to_dict()["timings"]["checks_s"] == 0.6


def test_to_dict_is_plain_json_data() -> None:
    data = sample_result().to_dict()
    assert data["verdict"] == "graded"
    assert data["checks"][0]["status"] == "passed"
    assert type(data["verdict"]) is str and type(data["checks"][0]["status"]) is str


def test_full_marks_needs_every_point_and_a_gradable_result() -> None:
    result = sample_result()
    assert not result.full_marks
    result.score = 5
    assert result.full_marks
    result.gradable = False
    assert not result.full_marks


def test_a_blocked_check_round_trips_and_old_rows_without_blocked_by_still_load() -> None:
    blocked = CheckResult("c", "C works", Status.BLOCKED, 0, 1, 'not run: needs "B works", '
                          "which did not pass", blocked_by="b")
    assert CheckResult.from_dict(blocked.to_dict()) == blocked
    old_row = {k: v for k, v in blocked.to_dict().items() if k != "blocked_by"}
    assert CheckResult.from_dict({**old_row, "status": "failed"}).blocked_by is None


def test_outline_puts_blocked_checks_under_their_root_and_the_stopped_ones_last() -> None:
    def check(check_id: str, status: Status, blocked_by: str | None = None) -> CheckResult:
        return CheckResult(check_id, check_id.upper(), status, 0, 1, blocked_by=blocked_by)

    checks = [check("a", Status.FAILED), check("b", Status.PASSED),
              check("c", Status.BLOCKED, "a"), check("d", Status.BLOCKED, "a"),
              check("e", Status.FAILED), check("f", Status.BLOCKED, None),
              check("g", Status.BLOCKED, None)]
    entries = [(e.check.id if e.check else None, [c.id for c in e.not_run])
               for e in outline(checks)]
    assert entries == [("a", ["c", "d"]), ("b", []), ("e", []), (None, ["f", "g"])]
    assert outline(checks[:2]) == [OutlineEntry(checks[0]), OutlineEntry(checks[1])]
