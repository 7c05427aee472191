"""What /readyz asks before a load balancer sends traffic: the database answers a query, and
the grading queue can take a submission (Redis answers a PING; the embedded pool's queue is
the database itself)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from webapp.db import engine_of
from webapp.grading.settings import redis_url

PROBE_TIMEOUT_S = 2.0


def database_problem(app: Flask) -> str | None:
    try:
        with engine_of(app).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready"; the message says which
        return f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
    return None


def queue_problem(app: Flask) -> str | None:
    url = redis_url(app)
    if not url:
        return None
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(url, socket_timeout=PROBE_TIMEOUT_S,
                            socket_connect_timeout=PROBE_TIMEOUT_S)
    try:
        client.ping()
    except RedisError as exc:
        return f"Redis does not answer: {exc}"
    finally:
        client.close()
    return None


def readiness(app: Flask) -> dict[str, str]:
    """Each dependency's state: "ok" or what is wrong with it."""
    return {"database": database_problem(app) or "ok", "queue": queue_problem(app) or "ok"}
