"""labs/stubkit.py, the helper lab stubs are written with: routes, knobs, the record, bounds."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from labs import stubkit
from labs.spec import ServiceDef
from labs.stubkit import BadRequest, Call, Knobs, Stub
from labs.topology import STUBKIT, service_spec, stub_files
from sandboxes import Topology
from sandboxes.process.backend import ProcessBackend


def greeter() -> Stub:
    """A stub with one faultable route, one with its own delay, and an admin route."""
    stub = Stub("greeter", quiet=True, record_limit=3)
    names: list[str] = []

    @stub.route("POST", "/greetings/{name}", action="greet")
    def greet(call: Call) -> tuple:
        if "lang" in call.body and call.body["lang"] != "en":
            raise BadRequest("lang must be en")
        names.append(call.params["name"])
        return 201, {"hello": call.params["name"], "loud": call.query.get("loud", [""])[0]}

    @stub.route("GET", "/slow", action="slow", own_delay=True,
                record=lambda call: {"who": call.headers.get("X-Who")})
    def slow(call: Call) -> tuple:
        return 200, {"delay": call.delay}, {"X-Delay": str(call.delay)}

    @stub.route("POST", "/orders", action="order",
                record=lambda call: {"order_id": call.body.get("order_id")})
    def order(call: Call) -> tuple:
        return 201, {"order_id": call.body["order_id"]}

    @stub.route("GET", "/admin/names")
    def seen(call: Call) -> tuple:
        return 200, {"names": names}

    @stub.route("GET", "/boom", action="boom")
    def boom(call: Call) -> tuple:
        raise KeyError("nope")

    return stub


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    server = greeter().server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{server.server_address[1]}",
                          timeout=10) as http:
            yield http
    finally:
        server.shutdown()
        server.server_close()


def faults(client: httpx.Client, action: str, **knobs: int) -> httpx.Response:
    return client.post("/admin/faults", json={"action": action, **knobs})


def outcomes(client: httpx.Client) -> list:
    return [r["outcome"] for r in client.get("/admin/requests").json()["requests"]]


def test_a_route_gets_its_unquoted_path_params_query_and_json_body(client) -> None:
    answer = client.post("/greetings/ada%20l?loud=yes", json={"lang": "en"})
    assert answer.status_code == 201
    assert answer.json() == {"hello": "ada l", "loud": "yes"}
    assert answer.headers["Content-Type"] == "application/json"


def test_unknown_paths_methods_and_slashes_in_a_param_are_404(client) -> None:
    assert client.get("/greetings/ada").status_code == 404
    assert client.post("/greetings/a%2Fb").json() == {"error": "not_found"}
    assert client.get("/nowhere").status_code == 404


def test_a_body_that_is_not_a_json_object_is_a_400(client) -> None:
    assert client.post("/greetings/ada", content=b"{nope").json()["detail"] == \
        "the body must be JSON"
    assert client.post("/greetings/ada", json=[1]).json()["detail"] == \
        "the body must be a JSON object"
    assert outcomes(client) == [400, 400]


def test_a_body_the_record_cannot_read_is_a_400_before_the_call_counts(client) -> None:
    faults(client, "order", fail_next=1)
    assert client.post("/orders", content=b"{nope").status_code == 400
    assert outcomes(client) == []
    assert client.post("/orders", json={"order_id": "o1"}).status_code == 503
    assert client.post("/orders", json={"order_id": "o1"}).status_code == 201
    entries = client.get("/admin/requests").json()["requests"]
    assert [(e["order_id"], e["outcome"]) for e in entries] == [("o1", 503), ("o1", 201)]


def test_a_route_that_never_reads_the_body_ignores_it(client) -> None:
    assert client.request("GET", "/slow", content=b"not json").status_code == 200


def test_a_bad_request_raised_by_the_handler_is_a_recorded_400(client) -> None:
    answer = client.post("/greetings/ada", json={"lang": "fr"})
    assert (answer.status_code, answer.json()) == (
        400, {"error": "bad_request", "detail": "lang must be en"})
    assert outcomes(client) == [400]


def test_a_handler_bug_is_a_500_naming_it_not_a_hang(client) -> None:
    answer = client.get("/boom")
    assert answer.status_code == 500 and "KeyError" in answer.json()["detail"]


def test_fail_next_counts_down_fails_with_fail_status_and_skips_the_handler(client) -> None:
    assert faults(client, "greet", fail_next=2, fail_status=502).status_code == 200
    statuses = [client.post(f"/greetings/n{i}").status_code for i in range(3)]
    assert statuses == [502, 502, 201]
    assert client.get("/admin/names").json() == {"names": ["n2"]}
    assert client.post("/greetings/x").status_code == 201


def test_down_fails_every_call_until_it_is_set_back(client) -> None:
    faults(client, "greet", down=1)
    assert {client.post("/greetings/a").status_code for _ in range(5)} == {503}
    faults(client, "greet", down=0)
    assert client.post("/greetings/a").status_code == 201


def test_fail_percent_fails_all_at_100_and_none_at_0(client) -> None:
    faults(client, "greet", fail_percent=100)
    assert {client.post("/greetings/a").status_code for _ in range(10)} == {503}
    faults(client, "greet", fail_percent=0)
    assert {client.post("/greetings/a").status_code for _ in range(10)} == {201}


def test_fail_percent_fails_about_that_share() -> None:
    knobs = Knobs(["a"])
    knobs.set("a", {"fail_percent": 30})
    failed = sum(knobs.take("a")[0] is not None for _ in range(2000))
    assert 450 < failed < 750


def test_delay_next_and_latency_make_calls_wait(client) -> None:
    # a delay far above the latency: a second call that took the delay again (1.6 s) is told
    # from one with only the latency (0.1 s) by more than a busy machine's slack (0.3 s was not)
    faults(client, "greet", delay_next=1, delay_ms=1500, latency_ms=100)
    started = time.monotonic()
    client.post("/greetings/a")
    first = time.monotonic() - started
    started = time.monotonic()
    client.post("/greetings/b")
    second = time.monotonic() - started
    assert 1.6 <= first < 3.5 and 0.1 <= second < 1.0


def test_an_own_delay_route_gets_the_delay_to_wait_itself(client) -> None:
    faults(client, "slow", delay_next=1, delay_ms=5000)
    started = time.monotonic()
    answer = client.get("/slow")
    assert time.monotonic() - started < 2
    assert answer.json() == {"delay": 5.0} and answer.headers["X-Delay"] == "5.0"


def test_crash_does_the_work_then_drops_the_connection(client) -> None:
    faults(client, "greet", crash_next=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/greetings/crashed")
    assert client.get("/admin/names").json() == {"names": ["crashed"]}
    assert outcomes(client) == ["dropped"]


def test_reset_restores_the_defaults_and_keeps_the_record(client) -> None:
    faults(client, "greet", fail_next=5)
    client.post("/greetings/a")
    snapshot = client.post("/admin/reset").json()
    assert snapshot["greet"]["fail_next"] == 0 and snapshot["greet"]["fail_status"] == 503
    assert client.get("/admin/faults").json() == snapshot
    assert outcomes(client) == [503]
    assert client.post("/greetings/a").status_code == 201


def test_a_bad_action_knob_or_value_is_a_400_naming_it(client) -> None:
    assert "'nope'" in faults(client, "nope", fail_next=1).json()["detail"]
    assert "fial_next" in faults(client, "greet", fial_next=1).json()["detail"]
    assert faults(client, "greet", fail_next=-1).status_code == 400
    assert faults(client, "greet", fail_percent=101).status_code == 400
    assert faults(client, "greet", fail_status=1000).status_code == 400


def test_the_record_has_each_calls_fields_times_and_outcome_and_is_bounded(client) -> None:
    client.get("/slow", headers={"X-Who": "grader"})
    entry = client.get("/admin/requests").json()["requests"][0]
    assert entry["action"] == "slow" and entry["who"] == "grader" and entry["outcome"] == 200
    assert entry["at"] <= entry["answered_at"]
    for name in ("a", "b", "c"):
        client.post(f"/greetings/{name}")
    paths = [r["path"] for r in client.get("/admin/requests").json()["requests"]]
    assert paths == ["/greetings/a", "/greetings/b", "/greetings/c"]   # 3 kept, oldest gone
    client.post("/admin/requests/clear")
    assert outcomes(client) == []


def test_a_call_is_recorded_as_pending_while_it_runs(client) -> None:
    faults(client, "greet", delay_next=1, delay_ms=3000)
    slow = threading.Thread(target=client.post, args=("/greetings/a",))
    slow.start()
    deadline = time.monotonic() + 10  # until the call reached the stub, however late it starts
    while not (seen := outcomes(client)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert seen == ["pending"]
    slow.join()
    assert outcomes(client) == [201]


def test_admin_routes_are_not_recorded_and_health_answers(client) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    client.get("/admin/names")
    assert outcomes(client) == []


def test_many_calls_at_once_are_all_answered(client) -> None:
    with ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(lambda i: client.post(f"/greetings/n{i}").status_code,
                                 range(200)))
    assert statuses == [201] * 200


def test_a_body_over_the_limit_is_refused_without_reading_it(client) -> None:
    answer = client.post("/greetings/a", content=b"x" * (stubkit.MAX_BODY + 1))
    assert answer.status_code == 400 and "up to" in answer.json()["detail"]


def test_routes_cannot_be_added_once_the_stub_serves() -> None:
    stub = greeter()
    stub.server("127.0.0.1", 0).server_close()
    with pytest.raises(RuntimeError):
        stub.route("GET", "/late")(lambda call: (200, {}))


def test_the_sandbox_puts_the_helper_beside_a_stubs_script() -> None:
    stub = ServiceDef("origin", "process", ("python3", "services/origin.py"))
    assert stub_files(stub) == {"services/stubkit.py": STUBKIT}
    assert stub_files(ServiceDef("app", "app", ("python3", "app.py"))) == {}


def test_a_stub_runs_on_the_standard_library_alone(tmp_path: Path) -> None:
    """-S -E: no site-packages and no PYTHONPATH, as on the runtime image."""
    (tmp_path / "stubkit.py").write_bytes(STUBKIT.read_bytes())
    (tmp_path / "hello.py").write_text(
        "from stubkit import Stub\n"
        "stub = Stub('hello')\n"
        "@stub.route('GET', '/hi/{name}', action='hi')\n"
        "def hi(call):\n"
        "    return 200, {'hi': call.params['name']}\n"
        "stub.serve()\n")
    process = subprocess.Popen([sys.executable, "-S", "-E", "hello.py"], cwd=tmp_path,
                               env={"HOST": "127.0.0.1", "PORT": "0"}, stdout=subprocess.PIPE,
                               text=True)
    try:
        port = int(process.stdout.readline().split()[-1])   # "hello listening on port N"
        assert httpx.get(f"http://127.0.0.1:{port}/hi/you", timeout=10).json() == {"hi": "you"}
    finally:
        process.kill()
        process.wait()
        process.stdout.close()


def test_a_stub_in_a_process_sandbox_holds_a_pool_of_keep_alive_connections(
        tmp_path: Path) -> None:
    """A learner's HTTP pool keeps connections open, and each holds a stub thread: the
    sandbox's limits (threads, memory for their stacks) must leave room for MAX_THREADS."""
    (tmp_path / "hello.py").write_text(
        "from stubkit import Stub\n"
        "stub = Stub('hello', quiet=True)\n"
        "@stub.route('GET', '/hi', action='hi')\n"
        "def hi(call):\n"
        "    return 200, {'hi': 'you'}\n"
        "stub.serve()\n")
    stub = ServiceDef("hello", "process", ("python3", "hello.py"))
    held = 150
    with ProcessBackend().start(Topology([service_spec(stub, tmp_path)]),
                                session_id=f"stub-pool-{os.getpid()}") as session:
        host, port = session.endpoint("hello")
        connections = []
        try:
            for _ in range(held):  # each answered once and left open, as a pool leaves them
                connection = socket.create_connection((host, port), timeout=10)
                connection.sendall(b"GET /hi HTTP/1.1\r\nHost: stub\r\n\r\n")
                assert connection.recv(4096).startswith(b"HTTP/1.1 200"), \
                    f"connection {len(connections) + 1} got no answer"
                connections.append(connection)
            assert httpx.get(session.url("hello") + "/hi", timeout=10).json() == {"hi": "you"}
        finally:
            for connection in connections:
                connection.close()
