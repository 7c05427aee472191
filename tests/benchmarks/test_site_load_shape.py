"""The site benchmark's server in the web service's deployed shape: gunicorn with
deploy/gunicorn.conf.py, ONE gthread worker process whatever --workers says, serving pages."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bench.site_load import gunicorn
from webapp.migrate import upgrade


def children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found: list[int] = []
    for task in tasks.iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


@pytest.mark.parametrize(("shape", "processes"), [("deployed", 1), ("sync", 3)])
def test_server_shape_decides_the_worker_processes_serving_the_site(
        tmp_path: Path, shape: str, processes: int) -> None:
    database = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    upgrade(database)
    env = {"DATABASE_URL": database, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": "0",
           "CONTENT_RELOAD": "0", "ARCHLAB_SANDBOX": "process"}
    with gunicorn(env, shape, workers=3, threads=4) as (base, master):
        assert httpx.get(f"{base}/chapters/api-design", timeout=10).status_code == 200
        assert len(children(master)) == processes
