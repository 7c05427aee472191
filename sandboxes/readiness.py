"""Waiting for a service to come up, judged the way its clients will use it."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable

import httpx

from sandboxes.addresses import service_url
from sandboxes.errors import ServiceNotReady
from sandboxes.http_deadline import NO_REUSE, Cutoff, shared_tls
from sandboxes.spec import ServiceSpec, ServiceStatus

LOG_TAIL_LINES = 60
PROBE_S = 2.0  # one readiness probe, whole exchange
# Between probes. A probe is cheap (one loopback connection, one client for the whole wait),
# and every interval is waited out by half on average after the service is up.
POLL_S = 0.05


def probe(spec: ServiceSpec, host: str, port: int, client: httpx.Client | None = None) -> bool:
    """One attempt: True when the service answers like it should (`client` for an HTTP
    probe: made for this one when not given)."""
    try:
        if spec.kind == "postgres":
            import psycopg

            psycopg.connect(service_url(spec, host, port), connect_timeout=2).close()
        elif spec.kind == "redis":
            import redis

            client = redis.Redis(host=host, port=port, socket_timeout=1)
            client.ping()
            client.close()
        elif spec.readiness.http:
            return http_ok(f"http://{host}:{port}{spec.readiness.http}", PROBE_S, client)
        else:
            with socket.create_connection((host, port), timeout=1):
                pass
    except Exception:  # any failure of one attempt just means "not yet"
        return False
    return True


def probe_client() -> httpx.Client:
    """A client for readiness probes: each probe on a connection of its own (`NO_REUSE`, so
    a probe's cutoff touches no other), one client for many probes (making one costs more
    than a probe)."""
    return httpx.Client(limits=NO_REUSE, verify=shared_tls())


def http_ok(url: str, seconds: float, client: httpx.Client | None = None) -> bool:
    """GET `url` answers 2xx within `seconds`, all of it; the body is not read (a service
    answering with an endless or dribbled body is judged by its status line, in time)."""
    if client is None:
        with probe_client() as own:
            return http_ok(url, seconds, own)
    with Cutoff(seconds) as cutoff:
        request = cutoff.arm(client.build_request("GET", url, timeout=seconds))
        response = client.send(request, stream=True)
        response.close()
        return 200 <= response.status_code < 300


def wait_until_ready(spec: ServiceSpec, endpoint: tuple[str, int],
                     status: Callable[[], ServiceStatus], log_tail: Callable[[int], str],
                     timeout: float | None = None) -> None:
    """Probe until the service answers; ServiceNotReady once it exits or time runs out."""
    limit = spec.readiness.timeout if timeout is None else timeout
    if not spec.readiness.tcp:
        _wait_running(spec, limit, status, log_tail)
        return
    deadline = time.monotonic() + limit
    with probe_client() if spec.readiness.http else contextlib.nullcontext() as client:
        while True:
            current = status()
            if not current.running and not current.paused:
                raise _not_ready(spec, log_tail, current)
            if probe(spec, *endpoint, client):
                return
            if time.monotonic() > deadline:
                what = f"GET {spec.readiness.http}" if spec.readiness.http else "connections"
                raise _not_ready(spec, log_tail, current,
                                 f"no answer to {what} on port {endpoint[1]} within {limit:g}s")
            time.sleep(POLL_S)


def _wait_running(spec: ServiceSpec, limit: float, status: Callable[[], ServiceStatus],
                  log_tail: Callable[[int], str]) -> None:
    """A service on no port is ready once it has been running `limit` seconds since it
    started (by the sandbox's uptime, else since this wait began); it must not exit first."""
    began = time.monotonic()
    while True:
        current = status()
        if not current.running and not current.paused:
            raise _not_ready(spec, log_tail, current)
        waited = time.monotonic() - began
        if (current.uptime_s if current.uptime_s is not None else waited) >= limit:
            return
        time.sleep(POLL_S)


def _not_ready(spec: ServiceSpec, log_tail: Callable[[int], str], status: ServiceStatus,
               reason: str = "") -> ServiceNotReady:
    tail = ""
    with contextlib.suppress(Exception):  # the log is evidence, never a reason to fail twice
        tail = log_tail(LOG_TAIL_LINES)
    return ServiceNotReady(spec.name, tail, None if status.running else status.exit_code,
                           status.oom_killed, reason)
