"""After the rebalance the placement check judges where each record is, not its value: a
value the move overwrote is the lost-write check's failure, reported once (a clean-room
solution whose mover copied over newer writes failed both with the same records)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

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
