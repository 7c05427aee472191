"""The README is the learner's contract: its grading table and variables match the lab."""

from __future__ import annotations

from pathlib import Path

from sharding_lab import SHARDING

from tests.support import lab_contract


def test_readme_grading_table_matches_the_checks() -> None:
    lab_contract.expect_readme_grades_the_checks(SHARDING)


def test_readme_documents_every_variable_the_app_gets() -> None:
    lab_contract.expect_readme_documents_the_app_env(SHARDING)
    lab_contract.expect_readme_states_how_the_app_runs(SHARDING)


def test_readme_and_chapter_box_state_the_numbers_the_checks_use() -> None:
    from labs.sharding import checks as c

    ideal = c.TOTAL_RECORDS / len(c.ALL_SHARDS)
    lab_contract.expect_readme_says(
        SHARDING, f"up to {2 * c.LOAD_THREADS} at a time", f"within {c.DOWN_ANSWER_S:g} seconds",
        f"(503, within {c.DOWN_ANSWER_S:g} s)", f"within {c.SHARD_BACK_S:g} seconds",
        f"waits up to {c.SHARD_BACK_S:g} s for its records", f"stops `{c.DOWN_SHARD}`",
        f"within {c.MAX_IMBALANCE:.0%} of the mean",
        f"between {1 - c.MAX_IMBALANCE:g} and {1 + c.MAX_IMBALANCE:g} times a third",
        f"{c.TOTAL_RECORDS} in all", "six owners, scores 0-199",
        f"keeps {c.LOAD_THREADS} writers and {c.LOAD_THREADS} readers busy",
        f"waits up to {c.REBALANCE_TIMEOUT_S:g} seconds for `\"done\"`",
        f"At most {c.MOVE_ALLOWANCE:g} x K/4 = {c.MOVE_ALLOWANCE * ideal:g} may move",
        f"K is the number of records before the move ({c.TOTAL_RECORDS})")
    assert len(c.OWNERS) == 6
    lab_contract.expect_lab_box_says(SHARDING, "one of three PostgreSQL shards",
                                     "about a third of the records", "about a quarter")
    assert len(c.OLD_SHARDS) == 3


def test_the_chapters_shard_timeout_fits_the_graders_wait() -> None:
    """Chapter 7's runnable connect_to_shard gives up before the stopped-shard check does."""
    from labs.sharding import checks as c

    timeout = 2
    lab_contract.expect_chapter_says(SHARDING, f"psycopg.connect(url, connect_timeout={timeout})")
    assert timeout < c.DOWN_ANSWER_S


def test_the_readmes_records_table_is_the_one_the_starter_creates() -> None:
    """The README's `CREATE TABLE` runs as shown: the starter runs it verbatim on every
    shard (its direct tests grade it), and it has the columns the grader selects."""
    from labs.sharding import checks as c

    sql = SHARDING.readme.split("```sql\n", 1)[1].split("```", 1)[0]
    assert sql in (SHARDING.path / "starter" / "app.py").read_text(encoding="utf-8")
    assert "SELECT key, owner, score, value FROM records" in SHARDING.readme
    assert "SELECT key, owner, score, value FROM records" in Path(c.__file__).read_text()


def test_readme_states_when_the_stopped_shard_check_does_not_run() -> None:
    """The stopped-shard check needs records on shard1 and on the others, beyond its
    `needs`: with too few (the starter puts every record on shard0) it is not run and names
    the spread check. The README's list of what needs what says so, with the same counts."""
    import inspect

    from labs.sharding import checks as c

    source = inspect.getsource(c.stopped_shard_costs_only_its_keys)
    assert "if len(on_down) < 5 or len(elsewhere) < 10:" in source
    assert "SPREAD_EVENLY" in source and c.DOWN_SHARD == "shard1"
    lab_contract.expect_readme_says(
        SHARDING, "the stopped-shard check also needs records on both sides of the outage "
        "(at least 5 on shard1 and 10 on the others)",
        'it is not run, naming "Records spread evenly"')
