"""The throwaway PostgreSQL of the tests and the local stores: stopping it while clients are
connected is quick and leaves no System V segment behind (a SIGTERM waited for every client
to leave, and the SIGKILL after its 5 s timeout leaked the segment toward kernel.shmmni)."""

from __future__ import annotations

import time

import psycopg
import pytest
from sandbox_helpers import shared_memory_keys

from sandboxes.local_servers import scratch_dir, start_postgres


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
