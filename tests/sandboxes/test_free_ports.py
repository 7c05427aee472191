"""Ports for local servers come from outside the kernel's ephemeral range, where outgoing
connections take their source ports, and are never handed out twice in a row."""

from __future__ import annotations

import socket

import pytest

from sandboxes import local_servers
from sandboxes.local_servers import PORT_FLOOR, ephemeral_port_floor, free_port


def test_free_ports_lie_below_the_ephemeral_range_and_do_not_repeat() -> None:
    floor = ephemeral_port_floor()
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports), "a port was handed out twice"
    assert all(PORT_FLOOR <= port < floor for port in ports), (floor, sorted(ports)[:3])


def test_a_port_in_use_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy, free = taken.getsockname()[1], free_port()
        draws = iter([busy, free])
        monkeypatch.setattr(local_servers.random, "randrange", lambda *_: next(draws))
        monkeypatch.setattr(local_servers, "_recent_ports", type(local_servers._recent_ports)())
        assert free_port() == free
