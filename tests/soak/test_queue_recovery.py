"""Queued submissions survive Redis losing its jobs: the janitor enqueues what the queue lost."""

from __future__ import annotations

import redis
from flask import Flask

from tests.grading.grading_helpers import add_user, solution_files, submit_as
from webapp.grading.janitor import sweep
from webapp.grading.queues import get_queue


def test_janitor_enqueues_queued_rows_that_redis_lost(make_app, redis_url: str) -> None:
    app: Flask = make_app(REDIS_URL=redis_url)
    add_user(app, "ada@example.org")
    submission_id = submit_as(app, "ada@example.org", "toy-items", solution_files())
    queue = get_queue(app)
    assert queue.holds([submission_id]) == {submission_id}
    assert sweep(app) == [], "a held submission must not be enqueued twice"
    redis.Redis.from_url(redis_url).flushall()  # a restart without persistence
    assert queue.holds([submission_id]) == set()
    assert sweep(app) == [("grade", submission_id)]
    assert queue.holds([submission_id]) == {submission_id}
