"""After the rebalance the placement check judges where each record is, not its value: a
value the move overwrote is the lost-write check's failure, reported once (a clean-room
solution whose mover copied over newer writes failed both with the same records)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from labs.checks import CheckFailed, not_run
from labs.sharding import checks

WRITTEN = {"item-1": {"owner": "ada", "score": 7, "value": "new"}}
STORED = {"shard0": {}, "shard1": {}, "shard2": {},
          "shard3": {"item-1": {"owner": "ada", "score": 3, "value": "old"}}}


def fake_ctx() -> SimpleNamespace:
    def expect(ok: bool, message: str, evidence: object = None) -> None:
        if not ok:
            raise AssertionError(message)
    return SimpleNamespace(expect=expect, state={})


@pytest.fixture
def shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "read_shards", lambda ctx: STORED)
    monkeypatch.setattr(checks, "known", lambda ctx: WRITTEN)


def test_the_placement_after_the_rebalance_leaves_values_to_the_lost_write_check(
        shards: None) -> None:
    ctx = fake_ctx()
    checks.after_rebalance_each_record_once(ctx)
    assert ctx.state["placement_after"] == {"item-1": "shard3"}


def test_the_placement_before_the_move_still_judges_values() -> None:
    with pytest.raises(AssertionError, match="expected shard3 to hold"):
        checks.expect_each_once(fake_ctx(), STORED, WRITTEN)


def test_a_stopped_shard_that_holds_no_records_is_not_run_naming_the_spread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """All records on shard0 (the starter) is the spread check's failure; the stopped-shard
    check has nothing to stop, and says it did not run because of it, once."""
    ctx = fake_ctx()
    ctx.state["placement_before"] = {f"item-{n}": "shard0" for n in range(800)}
    monkeypatch.setattr(checks, "known", lambda ctx: {})
    with pytest.raises(CheckFailed) as failed:
        checks.stopped_shard_costs_only_its_keys(ctx)
    assert failed.value.message == not_run(
        'needs records on shard1 and on the other shards, got [800, 0, 0] on shard0, shard1, '
        'shard2; "Records spread evenly: each shard within 30% of the mean" names the cause')


def test_the_placement_after_the_rebalance_needs_the_lost_write_check() -> None:
    """A write sent to a key's old shard after the key moved is lost and leaves a second
    copy there: the lost-write check names it, the placement check does not run."""
    placement = next(check for check in checks.checks
                     if check.id == "after_rebalance_each_record_once")
    assert placement.needs == ("no_acknowledged_write_lost",)
