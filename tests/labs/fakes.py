"""A fake sandbox backend for fast engine tests, in the spirit of httpx's MockTransport.

Each service of the session is a plain WSGI callable served on a loopback port by a thread,
so the engine's real HTTP client, body cap, timeouts and connection errors are exercised;
stop/kill/start are real (the listening socket closes and reopens). No Docker, no processes.
"""

from __future__ import annotations

import importlib.util
import threading
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sandboxes import ServiceStatus

Wsgi = Callable[[dict, Callable], Iterable[bytes]]
TOY_LAB = Path(__file__).resolve().parent / "toy_lab"
# What a crashed service's log ends with: a real Python traceback in the learner's app.py.
CRASH_LOG = ('Traceback (most recent call last):\n  File "/app/app.py", line 21, in app\n'
             "    raise RuntimeError(\"boom\")\nRuntimeError: boom")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeService:
    """One service: a WSGI app on 127.0.0.1 that can be stopped and started again."""

    def __init__(self, name: str, app: Wsgi) -> None:
        self.name = name
        self.app = app
        self.port = 0
        self.server: WSGIServer | None = None
        self.status = ServiceStatus(running=False)
        self.log_lines: list[str] = [f"{name} starting"]

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app,
                                  server_class=_ThreadingServer, handler_class=_QuietHandler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        self.status = ServiceStatus(running=True)

    def stop(self, exit_code: int | None = 0, oom_killed: bool = False) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        self.status = ServiceStatus(running=False, exit_code=exit_code, oom_killed=oom_killed)


class FakeSession:
    """The session a FakeBackend hands out; records the fault operations applied."""

    def __init__(self, apps: dict[str, Wsgi]) -> None:
        self.services = {name: FakeService(name, app) for name, app in apps.items()}
        self.faults: list[tuple[str, str]] = []
        self.closed = False
        for service in self.services.values():
            service.start()

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.services[name].port}"

    def endpoint(self, name: str) -> tuple[str, int]:
        return ("127.0.0.1", self.services[name].port)

    def logs(self, name: str, lines: int = 50) -> str:
        return "\n".join(self.services[name].log_lines[-lines:])

    def status(self, name: str) -> ServiceStatus:
        return self.services[name].status

    def wait_ready(self, timeout: float | None = None) -> None:
        """Fake services are ready as soon as they listen."""

    def crash(self, name: str, exit_code: int = 1, oom_killed: bool = False) -> None:
        """What a learner's app dying looks like from outside (not a fault operation)."""
        self.services[name].log_lines += CRASH_LOG.splitlines()
        self.services[name].stop(exit_code=exit_code, oom_killed=oom_killed)

    def stop(self, name: str) -> None:
        self.faults.append(("stop", name))
        self.services[name].stop(exit_code=0)

    def kill(self, name: str) -> None:
        self.faults.append(("kill", name))
        self.services[name].stop(exit_code=137)

    def start(self, name: str) -> None:
        self.faults.append(("start", name))
        self.services[name].start()

    def restart(self, name: str) -> None:
        self.stop(name)
        self.start(name)

    def close(self) -> None:
        for service in self.services.values():
            service.stop()
        self.closed = True


class FakeBackend:
    """Starts FakeSessions; `apps(topology)` returns the WSGI app of each service by name."""

    name = "fake"

    def __init__(self, apps: Callable[[Any], dict[str, Wsgi]],
                 on_start: Callable[[FakeSession], None] | None = None) -> None:
        self.apps = apps
        self.on_start = on_start
        self.sessions: list[FakeSession] = []
        self.started: list[dict[str, Any]] = []

    def start(self, topology: Any, session_id: str, labels: dict[str, str] | None = None,
              deadline_s: float | None = None) -> FakeSession:
        self.started.append({"topology": topology, "session_id": session_id,
                             "labels": labels, "deadline_s": deadline_s})
        session = FakeSession(self.apps(topology))
        self.sessions.append(session)
        if self.on_start is not None:
            self.on_start(session)
        return session


def json_app(routes: dict[tuple[str, str], Callable[[dict], tuple[int, bytes]]]) -> Wsgi:
    """A tiny WSGI app: (METHOD, path) -> handler(environ) -> (status, body); 404 otherwise."""

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        handler = routes.get((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        status, body = handler(environ) if handler else (404, b'{"error": "not found"}')
        start_response(f"{status} X", [("Content-Type", "application/json"),
                                       ("Content-Length", str(len(body)))])
        return [body]

    return app


def submission_apps(topology: Any) -> dict[str, Wsgi]:
    """Serve each service that has a source folder from the `app` WSGI callable in its app.py."""
    apps = {}
    for service in topology.services:
        if service.source is None:
            continue
        path = Path(service.source) / "app.py"
        spec = importlib.util.spec_from_file_location(f"fake_app_{uuid.uuid4().hex}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        apps[service.name] = module.app
    return apps
