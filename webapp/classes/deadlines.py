"""The rules of a class's deadlines, without a database: when a submission is on time, late
or too late, what a late one scores, and which of a learner's submissions counts.

Every time here is an aware UTC datetime (SQLite hands back naive ones: `as_utc` fixes
them); a class's timezone only changes how its pages show and read times (`in_zone`,
`from_local`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webapp.models import COUNTS_LAST


class Standing(StrEnum):
    ON_TIME = "on time"
    LATE = "late"
    TOO_LATE = "too late"  # refused by Grade (closing.py) unless counted elsewhere; never counted


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one (as SQLite returns) is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    """The IANA timezone `name`; ValueError naming it when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r} (use an IANA name such as "
                         f"Europe/Paris or America/New_York)") from exc


def in_zone(moment: datetime, zone_name: str) -> datetime:
    """`moment` as the clock on the wall of `zone_name` reads it."""
    return as_utc(moment).astimezone(zone(zone_name))


def from_local(wall_clock: datetime, zone_name: str) -> datetime:
    """The UTC instant at which the wall clock of `zone_name` reads `wall_clock` (naive).
    A time skipped by a DST change is read with the offset before the change (fold=0)."""
    return wall_clock.replace(tzinfo=zone(zone_name)).astimezone(UTC)


@dataclass(frozen=True)
class Deadline:
    """One learner's deadline for one lab: due, then (unless late work is refused) a late
    window up to `late_until` at `penalty_percent` off."""

    due_at: datetime
    late_until: datetime | None = None
    penalty_percent: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "due_at", as_utc(self.due_at))
        if self.late_until is not None:
            object.__setattr__(self, "late_until", as_utc(self.late_until))
            if self.late_until < self.due_at:
                raise ValueError("late work cannot end before the due date")
        if not 0 <= self.penalty_percent <= 100:
            raise ValueError("a late penalty is a percent from 0 to 100")

    def extended_to(self, due_at: datetime) -> Deadline:
        """This deadline with a learner's own due date; the late window keeps its length."""
        due_at = as_utc(due_at)
        late_until = None if self.late_until is None else self.late_until + (due_at - self.due_at)
        return Deadline(due_at, late_until, self.penalty_percent)

    @property
    def refuses_late_work(self) -> bool:
        return self.late_until is None

    def standing(self, submitted_at: datetime) -> Standing:
        submitted_at = as_utc(submitted_at)
        if submitted_at <= self.due_at:
            return Standing.ON_TIME
        if self.late_until is not None and submitted_at <= self.late_until:
            return Standing.LATE
        return Standing.TOO_LATE

    def score(self, score: float, submitted_at: datetime) -> float | None:
        """What a submission's score counts for: in full on time, less the penalty when late,
        None (it does not count) too late."""
        standing = self.standing(submitted_at)
        if standing is Standing.TOO_LATE:
            return None
        if standing is Standing.LATE:
            return round(score * (100 - self.penalty_percent) / 100, 2)
        return float(score)


@dataclass(frozen=True)
class Graded:
    """A graded submission as the rules see it."""

    submission_id: int
    submitted_at: datetime
    score: int
    max_score: int


@dataclass(frozen=True)
class Counted:
    """The submission that counts, and its score after any late penalty."""

    submission_id: int
    score: float
    max_score: int
    standing: Standing

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score) if self.max_score else 0


def counted(graded: Iterable[Graded], deadline: Deadline | None, counts: str) -> Counted | None:
    """The submission that counts under the class's rule `counts` (COUNTS): the best score
    (after penalty; the earliest of equals) or the last one, among those the deadline accepts.
    Without a deadline every submission is on time. None when none is accepted."""
    accepted = []
    for item in sorted(graded, key=lambda g: (as_utc(g.submitted_at), g.submission_id)):
        if deadline is None:
            accepted.append(Counted(item.submission_id, float(item.score), item.max_score,
                                    Standing.ON_TIME))
        elif (score := deadline.score(item.score, item.submitted_at)) is not None:
            accepted.append(Counted(item.submission_id, score, item.max_score,
                                    deadline.standing(item.submitted_at)))
    if not accepted:
        return None
    if counts == COUNTS_LAST:
        return accepted[-1]
    return max(accepted, key=lambda c: c.score)  # max keeps the first (earliest) of equals
