"""The throwaway PostgreSQL of the tests and the local stores: stopping it while clients are
connected is quick and leaves no System V segment behind (a SIGTERM waited for every client
to leave, and the SIGKILL after its 5 s timeout leaked the segment toward kernel.shmmni)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from sandbox_helpers import shared_memory_keys

from sandboxes.local_servers import prepare_postgres_data, scratch_dir, start_postgres


def test_stopping_postgres_with_a_client_connected_is_quick_and_frees_its_segment() -> None:
    workdir = scratch_dir("test-local-postgres-")
    server = start_postgres(workdir)
    key = f"0x{(workdir / 'data').stat().st_ino:08x}"
    assert key in shared_memory_keys(), "the server's segment, keyed by its data folder"
    with psycopg.connect(server.url) as client:
        began = time.monotonic()
        server.stop()
        took = time.monotonic() - began
        with pytest.raises(psycopg.OperationalError):
            client.execute("SELECT 1")  # the server ended the session
    assert took < 2.0, f"stopping took {took:.1f} s"
    assert key not in shared_memory_keys()



def test_servers_started_side_by_side_on_a_fresh_machine_share_one_template(monkeypatch) -> None:
    """A grade starts its PostgreSQL servers side by side; on a machine with no template yet
    they all made it at once in the same staging folder (named by the process), and every
    initdb but one failed on a folder that was 'not empty'."""
    root = Path(tempfile.mkdtemp(prefix="archlab-test-template-"))
    try:
        root.chmod(0o711)  # the servers' account walks through it
        monkeypatch.setenv("ARCHLAB_SCRATCH", str(root))
        user = "postgres" if os.geteuid() == 0 else None
        workdirs = [scratch_dir("test-template-") for _ in range(4)]
        with ThreadPoolExecutor(max_workers=len(workdirs)) as pool:
            list(pool.map(lambda workdir: prepare_postgres_data(workdir, user), workdirs))
        for workdir in workdirs:
            assert (workdir / "data" / "PG_VERSION").is_file()
        made = sorted(path.name for path in (root / "archlab").glob("pg-template-*"))
        assert len(made) == 1 and ".tmp" not in made[0], f"one template, no staging: {made}"
    finally:
        shutil.rmtree(root, ignore_errors=True)
