"""Median time of GET /chapters/<slug> with Flask's test client: cold (cache cleared) and cached.

Cold: before each request the app gets a fresh CourseStore, so the request loads, validates and
renders the whole content/ dir, as the first request after a start or a content edit does.
Cached: the store is warm, so the request only renders the page template around stored HTML.

    .venv/bin/python bench/chapter_render.py [--slug introduction] [--requests 1000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask

from webapp import create_app
from webapp.course.store import init_app as fresh_store
from webapp.migrate import upgrade


def timed_get(app: Flask, url: str, cold: bool) -> float:
    client = app.test_client()
    if cold:
        fresh_store(app)
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: expected 200, got {response.status}")
    return elapsed


def median_ms(app: Flask, url: str, requests: int, cold: bool) -> float:
    return 1000 * statistics.median(timed_get(app, url, cold) for _ in range(requests))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="introduction")
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url_db = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url_db, "CONTENT_RELOAD": False})
        upgrade(url_db)
        url = f"/chapters/{args.slug}"
        cold = median_ms(app, url, args.requests, cold=True)
        cached = median_ms(app, url, args.requests, cold=False)
    print(f"GET {url}, {args.requests} requests each (Flask test client, anonymous)")
    print(f"  cold (content loaded and rendered): median {cold:8.2f} ms")
    print(f"  cached:                             median {cached:8.2f} ms")


if __name__ == "__main__":
    main()
