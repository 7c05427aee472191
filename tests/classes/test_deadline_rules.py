"""The deadline rules: on time, late with a penalty, too late, extensions, which submission
counts (best or last), and time zones (stored in UTC, read and shown on the class's clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webapp.classes.deadlines import (
    Deadline,
    Graded,
    Standing,
    as_utc,
    counted,
    from_local,
    in_zone,
)
from webapp.models import COUNTS_BEST, COUNTS_LAST

DUE = datetime(2026, 12, 4, 22, 59, tzinfo=UTC)
HOUR = timedelta(hours=1)
PENALISED = Deadline(DUE, late_until=DUE + 48 * HOUR, penalty_percent=20)
REFUSING = Deadline(DUE)


def graded(submission_id: int, at: datetime, score: int) -> Graded:
    return Graded(submission_id, at, score, 10)


def test_a_submission_is_on_time_up_to_and_at_the_due_instant() -> None:
    assert PENALISED.standing(DUE) is Standing.ON_TIME
    assert PENALISED.standing(DUE + timedelta(seconds=1)) is Standing.LATE
    assert PENALISED.standing(DUE + 48 * HOUR) is Standing.LATE
    assert PENALISED.standing(DUE + 48 * HOUR + timedelta(seconds=1)) is Standing.TOO_LATE
    assert REFUSING.standing(DUE + timedelta(seconds=1)) is Standing.TOO_LATE


def test_late_work_loses_the_penalty_and_too_late_work_counts_for_nothing() -> None:
    assert PENALISED.score(10, DUE) == 10.0
    assert PENALISED.score(10, DUE + HOUR) == 8.0
    assert PENALISED.score(7, DUE + HOUR) == 5.6
    assert PENALISED.score(10, DUE + 49 * HOUR) is None
    assert REFUSING.score(10, DUE + HOUR) is None


def test_best_counts_the_highest_score_after_the_penalty() -> None:
    on_time_7, late_9, too_late_10 = (graded(1, DUE - HOUR, 7), graded(2, DUE + HOUR, 9),
                                      graded(3, DUE + 50 * HOUR, 10))
    best = counted([too_late_10, late_9, on_time_7], PENALISED, COUNTS_BEST)
    assert (best.submission_id, best.score, best.standing) == (2, 7.2, Standing.LATE)
    late_8 = graded(4, DUE + HOUR, 8)  # 6.4 after the penalty: the on-time 7 wins
    assert counted([on_time_7, late_8], PENALISED, COUNTS_BEST).submission_id == 1


def test_best_takes_the_earliest_of_equal_scores() -> None:
    plan = [graded(5, DUE - 2 * HOUR, 10), graded(6, DUE - HOUR, 10)]
    assert counted(plan, PENALISED, COUNTS_BEST).submission_id == 5


def test_last_counts_the_last_accepted_submission_even_if_worse() -> None:
    plan = [graded(1, DUE - 2 * HOUR, 10), graded(2, DUE - HOUR, 4),
            graded(3, DUE + 50 * HOUR, 10)]
    last = counted(plan, PENALISED, COUNTS_LAST)
    assert (last.submission_id, last.score) == (2, 4.0), "the too-late 10 is not accepted"
    assert counted(plan, REFUSING, COUNTS_LAST).submission_id == 2


def test_nothing_counts_when_every_submission_is_too_late() -> None:
    assert counted([graded(1, DUE + HOUR, 10)], REFUSING, COUNTS_BEST) is None
    assert counted([], PENALISED, COUNTS_LAST) is None


def test_without_a_due_date_every_submission_is_on_time() -> None:
    plan = [graded(1, DUE + 1000 * HOUR, 3), graded(2, DUE + 2000 * HOUR, 9)]
    best = counted(plan, None, COUNTS_BEST)
    assert (best.submission_id, best.score, best.standing) == (2, 9.0, Standing.ON_TIME)
    assert best.percent == 90


def test_an_extension_moves_the_due_date_and_keeps_the_late_window() -> None:
    extended = PENALISED.extended_to(DUE + 24 * HOUR)
    assert extended.due_at == DUE + 24 * HOUR
    assert extended.late_until == DUE + 72 * HOUR
    assert extended.standing(DUE + 20 * HOUR) is Standing.ON_TIME
    assert extended.score(10, DUE + 60 * HOUR) == 8.0
    assert REFUSING.extended_to(DUE + HOUR).late_until is None


def test_a_deadline_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="cannot end before the due date"):
        Deadline(DUE, late_until=DUE - HOUR)
    with pytest.raises(ValueError, match="percent from 0 to 100"):
        Deadline(DUE, late_until=DUE + HOUR, penalty_percent=120)


def test_naive_times_from_sqlite_are_utc() -> None:
    naive = datetime(2026, 12, 4, 22, 59)
    assert as_utc(naive) == DUE
    assert Deadline(naive).standing(DUE) is Standing.ON_TIME


def test_a_wall_clock_time_is_read_in_the_class_timezone_and_stored_in_utc() -> None:
    paris_midnight = from_local(datetime(2026, 12, 5, 0, 0), "Europe/Paris")  # UTC+1 in winter
    assert paris_midnight == datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
    summer = from_local(datetime(2026, 7, 1, 0, 0), "Europe/Paris")  # UTC+2 in summer
    assert summer == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    new_york = in_zone(DUE, "America/New_York")
    assert (new_york.hour, new_york.minute, new_york.tzname()) == (17, 59, "EST")


def test_the_same_instant_is_on_time_whatever_clock_shows_it() -> None:
    deadline = Deadline(from_local(datetime(2026, 12, 4, 23, 59), "Asia/Tokyo"))
    assert deadline.due_at == datetime(2026, 12, 4, 14, 59, tzinfo=UTC)
    assert deadline.standing(datetime(2026, 12, 4, 15, 0, tzinfo=UTC)) is Standing.TOO_LATE
    assert deadline.standing(in_zone(deadline.due_at, "America/Los_Angeles")) is Standing.ON_TIME


def test_an_unknown_timezone_is_named() -> None:
    with pytest.raises(ValueError, match="unknown timezone 'Mars/Olympus'"):
        from_local(datetime(2026, 12, 4), "Mars/Olympus")
