"""`archlab serve` as a learner starts it: migrates a fresh database, then answers on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sandboxes.local_servers import free_port
from webapp.migrate import current_revision, head_revision


@pytest.mark.slow
def test_serve_migrates_serves_the_course_and_stops_cleanly_on_sigterm(
        tmp_path: Path, content_dir: Path):
    url_db = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url_db, "SECRET_KEY": "s", "CONTENT_DIR": str(content_dir)}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "archlab"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        output = [server.stdout.readline()]
        while url not in output[-1] and output[-1] and len(output) < 5:
            output.append(server.stdout.readline())
        assert url in output[-1], f"expected {url} in the first lines, got {output!r}"
        assert current_revision(url_db) == head_revision()
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert "Caching Basics" in page
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        server.terminate()
        assert server.wait(timeout=15) == 0, "SIGTERM must end serve as a normal exit"
        rest = server.stdout.read()
        assert "SIGTERM received, stopping" in rest
        assert "grading in this process with" in "".join(output) + rest, (
            "expected the embedded graders started in the serving worker")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
        server.stdout.close()
