"""Run a chapter's marked snippets on real services, and judge each outcome against its marker.

SQL blocks run with psql (as a reader would paste them) one after another on one database;
Python blocks run with this project's Python in one module, by snippet_driver.py. Both name
the chapter file and line in what they print: psql because each block is written to a file
named after the chapter, padded so its lines are the chapter's lines; Python because the
driver compiles each block under the chapter's name at its own lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from course.snippets import Snippet
from sandboxes.local_servers import postgres_bindir

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("snippet_driver.py")
SQL_TIMEOUT_S = 120
PYTHON_TIMEOUT_S = 180


@dataclass(frozen=True)
class Outcome:
    ok: bool
    output: str


def run_sql(snippets: list[Snippet], database_url: str, workdir: Path) -> list[Outcome]:
    """Each block through `psql -f`, stopping at its first error, in chapter order."""
    outcomes = []
    for snippet in snippets:
        script = workdir / snippet.path  # psql names it in errors: content/NN-slug.md:LINE
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text("\n" * snippet.line + snippet.code + "\n", encoding="utf-8")
        done = subprocess.run(
            [str(postgres_bindir() / "psql"), "-X", "-v", "ON_ERROR_STOP=1", "-d", database_url,
             "-f", snippet.path],
            capture_output=True, text=True, cwd=workdir, timeout=SQL_TIMEOUT_S, check=False)
        outcomes.append(Outcome(done.returncode == 0, done.stdout + done.stderr))
    return outcomes


def run_python(snippets: list[Snippet], env: dict[str, str]) -> list[Outcome]:
    """All blocks in one process, in chapter order; a block the process never finished fails."""
    blocks = [{"path": s.path, "line": s.line, "code": s.code} for s in snippets]
    try:
        done = subprocess.run(
            [sys.executable, str(DRIVER)], input=json.dumps(blocks), capture_output=True,
            text=True, cwd=REPO, env={**os.environ, **env}, timeout=PYTHON_TIMEOUT_S,
            check=False)
        stdout, why = done.stdout, f"the Python process exited with {done.returncode}"
        stderr = done.stderr
    except subprocess.TimeoutExpired as exc:
        stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        why = f"the Python process did not finish within {PYTHON_TIMEOUT_S} s"
    outcomes = [Outcome(**json.loads(line)) for line in stdout.splitlines() if line]
    missing = Outcome(False, f"never finished: {why}\n{stderr[-2000:]}")
    return outcomes + [missing] * (len(snippets) - len(outcomes))


def judge(snippet: Snippet, outcome: Outcome) -> list[str]:
    """What is wrong with `outcome` given `snippet`'s marker; empty when it ran as shown."""
    where = snippet.where
    if snippet.error is not None:
        if outcome.ok:
            return [f"{where}: expected the {snippet.lang} block to fail with "
                    f"{snippet.error!r}, it succeeded:\n{outcome.output}"]
        if snippet.error not in outcome.output:
            return [f"{where}: expected the {snippet.lang} block to fail with "
                    f"{snippet.error!r}, it failed otherwise:\n{outcome.output}"]
    elif not outcome.ok:
        return [f"{where}: the {snippet.lang} block failed:\n{outcome.output}"]
    return [f"{where}: expected {text!r} in what the {snippet.lang} block printed:\n"
            f"{outcome.output}" for text in snippet.expect if text not in outcome.output]
