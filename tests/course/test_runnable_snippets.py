"""Every code block a chapter marks with `<!-- run ... -->` runs as shown, on real services.

A chapter's SQL blocks run in order on one fresh PostgreSQL database; then its Python blocks
run in order in one module, with DATABASE_URL (that database, as the SQL left it) and
REDIS_URL (an empty Redis database) set. Its bash blocks run in order with `redis-cli` on
a Redis server of their own (a block may reconfigure it). Its Dockerfiles are built on the
real engine with no network, FROM the lab base image (archlab/runtime:lab, made from the
runtime image on this machine, as the deployment lab's grader makes it), with the chapter's
`file=` blocks as the build context. A failure names the chapter file and line.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

from course import load_course
from course.snippets import Snippet
from sandboxes.docker.labels import session_labels
from sandboxes.local_servers import scratch_dir, start_redis
from tests.course.snippet_runs import (
    Outcome,
    judge,
    run_bash,
    run_dockerfile,
    run_python,
    run_sql,
)
from tests.support.leftovers import docker_leftovers
from tests.support.runtime_image import runtime_image  # noqa: F401 - a fixture of this module

CONTENT = Path(__file__).resolve().parents[2] / "content"
CHAPTERS = load_course(CONTENT).chapters
DOCKER_DEADLINE_S = 600  # a build, a run and a stop; the reaper may remove what is left after


def marked(lang: str) -> list[Snippet]:
    return [s for chapter in CHAPTERS for s in chapter.snippets if s.lang == lang]


def chapter_blocks(snippet: Snippet) -> list[Snippet]:
    """The blocks of `snippet`'s chapter and language, in chapter order."""
    return [s for s in marked(snippet.lang) if s.path == snippet.path]


class ChapterRuns:
    """Runs each chapter's blocks once, the first time one of its blocks is asked about."""

    def __init__(self, postgres_server: str, redis_server: str, bash_redis: str,
                 workdir: Path) -> None:
        self.postgres_server = postgres_server
        self.redis_server = redis_server
        self.bash_redis = bash_redis
        self.workdir = workdir
        self.databases: dict[str, str] = {}
        self.outcomes: dict[tuple[str, str], list[Outcome]] = {}

    def outcome(self, snippet: Snippet) -> Outcome:
        key = (snippet.path, snippet.lang)
        if key not in self.outcomes:
            self.outcomes[key] = self._run(snippet)
        return self.outcomes[key][chapter_blocks(snippet).index(snippet)]

    def _run(self, snippet: Snippet) -> list[Outcome]:
        blocks = chapter_blocks(snippet)
        if snippet.lang == "sql":
            return run_sql(blocks, self.database(snippet.path), self.workdir)
        if snippet.lang == "bash":
            return run_bash(blocks, self.bash_redis, self.workdir / "bash")
        sql = [s for s in marked("sql") if s.path == snippet.path]
        if sql:
            self.outcome(sql[0])  # the chapter's SQL runs first: its Python may use the tables
        redis.Redis.from_url(self.redis_server).flushall()
        env = {"DATABASE_URL": self.database(snippet.path), "REDIS_URL": self.redis_server}
        return run_python(blocks, env)

    def database(self, path: str) -> str:
        """A fresh database for one chapter, shared by its SQL and Python blocks.

        The test server commits asynchronously for speed; the chapter's sessions commit as a
        default server does, because what readers see depends on it (VACUUM marks a page
        all-visible only once the rows' commit is flushed, so index-only scans differ).
        """
        if path not in self.databases:
            name = "snippets_" + uuid.uuid4().hex[:12]
            with psycopg.connect(self.postgres_server, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
                conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = on')
            self.databases[path] = self.postgres_server.rsplit("/", 1)[0] + f"/{name}"
        return self.databases[path]

    def drop_databases(self) -> None:
        with psycopg.connect(self.postgres_server, autocommit=True) as conn:
            for url in self.databases.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture(scope="module")
def bash_redis() -> Iterator[str]:
    """A Redis for the bash blocks alone: `CONFIG SET` there changes no other test's server.
    (`runs` asks for redis_server first, which skips or fails where Redis is missing.)"""
    server = start_redis(scratch_dir("snippet-redis-"))
    yield server.url
    server.stop()
    shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def runs(postgres_server: str, redis_server: str, bash_redis: str,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChapterRuns]:
    chapter_runs = ChapterRuns(postgres_server, redis_server, bash_redis,
                               tmp_path_factory.mktemp("sql"))
    yield chapter_runs
    chapter_runs.drop_databases()


def where(snippet: Snippet) -> str:
    return snippet.where


@pytest.mark.parametrize("snippet", marked("sql"), ids=where)
def test_sql_block_runs_as_shown(snippet: Snippet, runs: ChapterRuns) -> None:
    problems = judge(snippet, runs.outcome(snippet))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("snippet", marked("python"), ids=where)
def test_python_block_runs_as_shown(snippet: Snippet, runs: ChapterRuns) -> None:
    problems = judge(snippet, runs.outcome(snippet))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("snippet", marked("bash"), ids=where)
def test_bash_block_runs_as_shown(snippet: Snippet, runs: ChapterRuns) -> None:
    problems = judge(snippet, runs.outcome(snippet))
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def build_base(docker_client: Any, runtime_image: str) -> str:  # noqa: F811 - the fixture
    from sandboxes.images.build_base import ensure_build_base

    return ensure_build_base(docker_client, runtime_image)


@pytest.mark.parametrize("snippet", marked("dockerfile"), ids=where)
def test_dockerfile_builds_offline_and_runs_as_shown(snippet: Snippet, docker_client: Any,
                                                    build_base: str, tmp_path: Path) -> None:
    chapter = next(c for c in CHAPTERS if any(s == snippet for s in c.snippets))
    context_files = {s.file: s.code for s in chapter.snippets if s.file is not None}
    session = f"snippet-{uuid.uuid4().hex[:12]}"
    labels = session_labels(session, deadline_s=DOCKER_DEADLINE_S)  # the reaper's, if we die
    outcome = run_dockerfile(snippet, context_files, docker_client, tmp_path, labels)
    assert docker_leftovers(docker_client, session) == []
    problems = judge(snippet, outcome)
    assert not problems, "\n".join(problems)
