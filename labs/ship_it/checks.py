"""Checks of the ship-it lab: the learner's own image, run as Kubernetes would run it, then
their Kubernetes manifests read statically, then SIGTERM with a request in flight.

The image is built from the submission's Dockerfile by the Docker sandbox (lab.toml
`requires`). Runtime checks judge by what the running container does - its probes while the
grader stops its database, what it answers after the grader restarts it with random
configuration, which user it runs as, how it ends on SIGTERM - and by the database itself
(`pg_stat_activity`, the messages table), never by the service's log.
"""

from __future__ import annotations

import string
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg

from labs.checks import CheckContext, CheckFailed, Checks
from labs.ship_it import manifests as k8s

checks = Checks()

PROBE_TIMEOUT_S = 3.0     # a probe that takes longer counts as failed, as in Kubernetes
UNREADY_WITHIN_S = 5.0    # after the database stops, /readyz must say 503 this soon
READY_AGAIN_WITHIN_S = 15.0
GRACE_S = 10.0            # SIGTERM -> SIGKILL, as terminationGracePeriodSeconds
IN_FLIGHT_SECONDS = (2.0, 3.0)   # how long the report in flight at SIGTERM takes
QUERY_SEEN_WITHIN_S = 5.0
MESSAGE_LIMITS = (24, 120)       # the MAX_MESSAGE_LENGTH the grader restarts the app with


# --- probes and the database ---------------------------------------------------------------

def probe(ctx: CheckContext, path: str) -> httpx.Response:
    """GET `path` with a probe's timeout; no answer in time is a failure that says so."""
    try:
        return ctx.http.get(path, timeout=PROBE_TIMEOUT_S)
    except httpx.TimeoutException:
        raise CheckFailed(f"expected GET {path} to answer within {PROBE_TIMEOUT_S:g} s, got no "
                          "answer (a probe that times out counts as failed)") from None


def expect_probe(ctx: CheckContext, path: str, status: int, within: float, when: str,
                 ) -> float:
    """Wait up to `within` seconds until GET `path` answers `status`; the seconds it took.
    `when` completes the failure: "expected 503 from GET /readyz within 5 s of <when>"."""
    started = time.monotonic()

    def answers() -> None:
        response = probe(ctx, path)
        ctx.expect(response.status_code == status,
                   f"expected {status} from GET {path} within {within:g} s of {when}, got "
                   f"{response.status_code}", evidence=response)

    ctx.eventually(answers, timeout=within, interval=0.2)
    return time.monotonic() - started


@contextmanager
def database_down(ctx: CheckContext) -> Iterator[float]:
    """Stop the lab's database for the block (yields when it stopped); start it again
    afterwards and wait until it accepts connections."""
    ctx.faults.stop("db")
    try:
        yield time.monotonic()
    finally:
        ctx.faults.start("db")
        ctx.session.wait_ready("db")


def random_text(ctx: CheckContext, length: int) -> str:
    return "".join(ctx.random.choice(string.ascii_lowercase + " ") for _ in range(length - 1)
                   ) + ctx.random.choice(string.ascii_lowercase)


def post_message(ctx: CheckContext, text: str) -> httpx.Response:
    return ctx.http.post("/messages", json={"text": text})


# --- the running service -------------------------------------------------------------------

@checks.check("Liveness: GET /healthz answers 200", points=5,
              hint="Answer GET /healthz with 200 as long as the process can serve requests.")
def healthz_answers_200(ctx: CheckContext) -> None:
    ctx.expect_status(probe(ctx, "/healthz"), 200)


@checks.check("Readiness: GET /readyz is 503 while the database is down, 200 when it is back",
              points=10,
              hint="In /readyz, run SELECT 1 on a new connection with connect_timeout=2: 200 "
                   "when it works, 503 when it does not. Never cache the answer.")
def readiness_follows_the_database(ctx: CheckContext) -> None:
    expect_probe(ctx, "/readyz", 200, READY_AGAIN_WITHIN_S, "the start (the database is up)")
    began = time.monotonic()
    with database_down(ctx) as stopped:
        unready_after = expect_probe(ctx, "/readyz", 503, UNREADY_WITHIN_S,
                                     "the database stopping")
        unready_at = time.monotonic()
    restarted = time.monotonic()
    ready_after = expect_probe(ctx, "/readyz", 200, READY_AGAIN_WITHIN_S,
                               "the database starting again")
    ctx.metric("/readyz turned 503 after the database stopped", round(unready_after, 2), "s")
    ctx.metric("/readyz turned 200 after the database was back", round(ready_after, 2), "s")

    def ms(moment: float) -> int:
        return round((moment - began) * 1000)

    ctx.chart("Readiness while the database is down", "timeline", {"rows": [
        {"label": "database stopped", "start": ms(stopped), "end": ms(restarted),
         "status": "stopped"},
        {"label": "/readyz answered 503", "start": ms(stopped + unready_after),
         "end": ms(max(unready_at, restarted)), "status": "503"},
        {"label": "/readyz 200 again", "start": ms(restarted + ready_after),
         "end": ms(restarted + ready_after) + 1, "status": "200"}]})


@checks.check("Liveness ignores the database: /healthz stays 200 while it is down", points=8,
              needs=("healthz_answers_200",),
              hint="Liveness failing restarts the pod. Do not touch the database in /healthz: "
                   "a database outage would restart every pod at once.")
def liveness_ignores_the_database(ctx: CheckContext) -> None:
    with database_down(ctx):
        for _ in range(3):
            response = probe(ctx, "/healthz")
            ctx.expect(response.status_code == 200,
                       f"expected 200 from GET /healthz while the database is stopped, got "
                       f"{response.status_code} (Kubernetes would restart the pod)",
                       evidence=response)
            time.sleep(0.5)


@checks.check("Messages are stored in the PostgreSQL database of DATABASE_URL", points=5,
              hint="POST /messages inserts into a table messages (id, text) and answers 201 "
                   "with {\"id\", \"text\"}; GET /messages lists them.")
def messages_are_stored_in_the_database(ctx: CheckContext) -> None:
    text = random_text(ctx, ctx.random.randint(12, 24))
    created = post_message(ctx, text)
    ctx.expect_status(created, 201)
    body = ctx.expect_json(created)
    ctx.expect(isinstance(body, dict) and isinstance(body.get("id"), int)
               and body.get("text") == text,
               f'expected {{"id": <integer>, "text": "{text}"}}, got '
               f"{created.text.strip()[:200]}",
               evidence=created)
    listed = ctx.http.get("/messages")
    ctx.expect_status(listed, 200)
    messages = ctx.expect_json(listed)
    ctx.expect(isinstance(messages, dict) and body in (messages.get("messages") or []),
               f'expected {{"messages": [...]}} to hold {created.text.strip()}, got '
               f"{listed.text.strip()[:300]}", evidence=listed)
    rows = ids_of_messages(ctx, text)
    ctx.expect(rows == [(body["id"],)],
               f"expected one row with id {body['id']} in the table messages of the database "
               f"DATABASE_URL names, found {len(rows)}")


def ids_of_messages(ctx: CheckContext, text: str) -> list[tuple[Any, ...]]:
    """The ids of the rows with `text` in the table `messages` (README: the API), read
    straight from the database; a table or column of another name is said in those terms,
    not as the driver's error class."""
    try:
        return ctx.sql().execute("SELECT id FROM messages WHERE text = %s", (text,)).fetchall()
    except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn) as error:
        said = str(error).strip().splitlines()[0]
        raise CheckFailed("expected a table messages with the columns id and text in the "
                          f"database DATABASE_URL names (the grader reads it), got: {said}"
                          ) from None


@checks.check("Configuration comes from the environment: the grader's RELEASE and "
              "MAX_MESSAGE_LENGTH take effect", points=10,
              hint="Read RELEASE and MAX_MESSAGE_LENGTH from os.environ when the service "
                   "starts; do not bake a config file or a default into the image.")
def configuration_comes_from_the_environment(ctx: CheckContext) -> None:
    release = (f"{ctx.random.randint(2030, 2039)}.{ctx.random.randint(1, 12)}."
               f"{ctx.random.randint(0, 99)}-{ctx.random.randrange(16**6):06x}")
    limit = ctx.random.randint(*MESSAGE_LIMITS)
    ctx.faults.reconfigure("app", {"RELEASE": release, "MAX_MESSAGE_LENGTH": str(limit)})
    version = ctx.http.get("/version")
    ctx.expect_status(version, 200)
    got = ctx.expect_json(version)
    ctx.expect(isinstance(got, dict) and got.get("release") == release,
               f'expected {{"release": "{release}"}} (the RELEASE the grader set), got '
               f"{version.text.strip()[:200]}", evidence=version)
    ctx.expect_status(post_message(ctx, random_text(ctx, limit)), (200, 201))
    too_long = post_message(ctx, random_text(ctx, limit + 1))
    ctx.expect(too_long.status_code == 422,
               f"expected 422 for a text of {limit + 1} characters (MAX_MESSAGE_LENGTH is "
               f"{limit}), got {too_long.status_code}", evidence=too_long)


@checks.check("The image runs as a non-root user", points=8,
              hint="Add USER 10001:10001 (or USER lab) to the Dockerfile after the COPY lines.")
def runs_as_a_non_root_user(ctx: CheckContext) -> None:
    user = ctx.session.service_user("app")
    if user.image_uid == 0:
        got = (f"USER {user.image_user} (uid 0)" if user.image_user
               else "no USER instruction, so it runs as root (uid 0)")
        raise CheckFailed(f"expected the image to run as a non-root user, got {got}. The "
                          "sandbox ran it as uid 10001 anyway to protect itself; Kubernetes "
                          "would run it as root")
    ctx.expect(user.running_uids and 0 not in user.running_uids,
               f"expected every process of the container to run as uid {user.image_uid}, got "
               f"uids {', '.join(map(str, user.running_uids)) or 'none (not running)'}")


# --- the Kubernetes manifests --------------------------------------------------------------

def deployment_of(ctx: CheckContext) -> tuple[list[k8s.Manifest], k8s.Manifest]:
    try:
        manifests = k8s.load_manifests(ctx.submission)
        return manifests, k8s.the_deployment(manifests)
    except k8s.ManifestProblem as problem:
        raise CheckFailed(str(problem)) from None


def expect_rule(ctx: CheckContext, rule: Callable[[k8s.Manifest], list[str]]) -> None:
    problems = rule(deployment_of(ctx)[1])
    ctx.expect(not problems, "; ".join(problems))


MANIFESTS = ("manifests_describe_one_deployment",)


@checks.check("k8s/*.yaml parse and hold one Deployment (apps/v1) with containers", points=4,
              hint="Put your manifests in k8s/*.yaml; exactly one document has apiVersion: "
                   "apps/v1 and kind: Deployment, with spec.template.spec.containers.")
def manifests_describe_one_deployment(ctx: CheckContext) -> None:
    deployment_of(ctx)


@checks.check("The Deployment runs at least 2 replicas", points=5, needs=MANIFESTS,
              hint="Set spec.replicas to 2 or more, so one pod can be drained or lost "
                   "without an outage.")
def deployment_runs_two_replicas(ctx: CheckContext) -> None:
    expect_rule(ctx, k8s.replicas_problems)


@checks.check("The selector matches the pod template's labels", points=5, needs=MANIFESTS,
              hint="Every label in spec.selector.matchLabels must appear, with the same value, "
                   "in spec.template.metadata.labels.")
def selector_matches_the_pod_labels(ctx: CheckContext) -> None:
    expect_rule(ctx, k8s.selector_problems)


@checks.check("Rolling updates keep every replica serving: maxUnavailable 0", points=6,
              needs=MANIFESTS,
              hint="spec.strategy: type RollingUpdate with rollingUpdate.maxUnavailable: 0 "
                   "and maxSurge of at least 1.")
def rolling_update_keeps_every_replica(ctx: CheckContext) -> None:
    expect_rule(ctx, k8s.rolling_update_problems)


@checks.check("Containers have a liveness probe on /healthz and a readiness probe on /readyz",
              points=6, needs=MANIFESTS,
              hint="livenessProbe and readinessProbe, each an httpGet on the container's port "
                   "(its number or its name).")
def containers_have_both_probes(ctx: CheckContext) -> None:
    expect_rule(ctx, k8s.probe_problems)


@checks.check("Containers request and limit CPU and memory", points=6, needs=MANIFESTS,
              hint="resources.requests and resources.limits, each with cpu and memory; a "
                   "request may not exceed its limit.")
def containers_request_and_limit_resources(ctx: CheckContext) -> None:
    expect_rule(ctx, k8s.resource_problems)


@checks.check("DATABASE_URL comes from a Secret (secretKeyRef), not the manifest", points=6,
              needs=MANIFESTS,
              hint="env: - name: DATABASE_URL, valueFrom: secretKeyRef: {name, key}; create "
                   "the Secret out of band, never commit it.")
def database_url_comes_from_a_secret(ctx: CheckContext) -> None:
    manifests, deployment = deployment_of(ctx)
    problems = k8s.secret_problems(manifests, deployment)
    ctx.expect(not problems, "; ".join(problems))


# --- SIGTERM -------------------------------------------------------------------------------

def report_in_flight(ctx: CheckContext, seconds: float) -> dict[str, Any]:
    """Start GET /report?seconds=S on a connection of its own; the dict fills in with the
    response (or the error) and when it ended."""
    outcome: dict[str, Any] = {}

    def send() -> None:
        try:
            with httpx.Client(base_url=ctx.service_url("app"),
                              timeout=seconds + GRACE_S + 5) as client:
                outcome["response"] = client.get("/report", params={"seconds": seconds})
        except httpx.HTTPError as exc:
            outcome["error"] = exc
        outcome["ended"] = time.monotonic()

    outcome["thread"] = threading.Thread(target=send, name="report-in-flight", daemon=True)
    outcome["thread"].start()
    return outcome


def expect_query_running(ctx: CheckContext, seconds: float) -> None:
    """Wait until the report's pg_sleep runs in the database: the request is in flight."""
    sql = ctx.sql()

    def running() -> None:
        count = sql.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                            "AND query ILIKE '%%pg_sleep%%' AND pid <> pg_backend_pid()"
                            ).fetchone()[0]
        ctx.expect(count > 0, f"expected GET /report?seconds={seconds:g} to run SELECT "
                   f"pg_sleep({seconds:g}) in the database within {QUERY_SEEN_WITHIN_S:g} s, "
                   "found no such query")

    ctx.eventually(running, timeout=QUERY_SEEN_WITHIN_S, interval=0.05)


@checks.check("On SIGTERM the request in flight still gets its answer", points=10,
              hint="Handle SIGTERM: stop accepting new connections, let the requests in flight "
                   "finish, then exit. CMD in exec form, so your process gets the signal.")
def sigterm_lets_in_flight_requests_finish(ctx: CheckContext) -> None:
    seconds = round(ctx.random.uniform(*IN_FLIGHT_SECONDS), 1)
    began = time.monotonic()
    request = report_in_flight(ctx, seconds)
    expect_query_running(ctx, seconds)
    signalled = time.monotonic()
    ctx.faults.stop("app", timeout=GRACE_S)  # SIGTERM; SIGKILL after the grace period
    exited = time.monotonic()
    request["thread"].join(seconds + GRACE_S + 5)
    status = ctx.session.status("app")
    ctx.state["sigterm"] = {"exit_code": status.exit_code, "seconds": exited - signalled}
    ctx.metric("SIGTERM to exit", round(exited - signalled, 2), "s")
    answered = request.get("response")

    def ms(moment: float) -> int:
        return round((moment - began) * 1000)

    ctx.chart("SIGTERM with a request in flight", "timeline", {"rows": [
        {"label": f"GET /report?seconds={seconds:g}", "start": 0,
         "end": ms(request.get("ended", exited)),
         "status": f"answered {answered.status_code}" if answered is not None else "cut off"},
        {"label": "SIGTERM until the process exited", "start": ms(signalled), "end": ms(exited),
         "status": f"exit code {status.exit_code}"}]})
    if answered is None:
        raise CheckFailed(f"expected the request in flight when SIGTERM arrived (GET "
                          f"/report?seconds={seconds:g}) to be answered, got the connection "
                          f"closed without an answer; the process ended with exit code "
                          f"{status.exit_code}")
    ctx.expect_status(answered, 200)
    body = ctx.expect_json(answered)
    ctx.expect(isinstance(body, dict) and isinstance(body.get("messages"), int)
               and not isinstance(body.get("messages"), bool),
               f'expected {{"messages": <integer>}}, got {answered.text.strip()[:200]}',
               evidence=answered)


@checks.check("After SIGTERM the process exits with code 0 within the 10 s grace period",
              points=6, needs=("sigterm_lets_in_flight_requests_finish",),
              hint="Once the requests in flight are answered, return from main (exit code 0); "
                   "no thread may keep the process alive.")
def sigterm_exit_is_clean_and_in_time(ctx: CheckContext) -> None:
    outcome = ctx.state["sigterm"]
    code, took = outcome["exit_code"], outcome["seconds"]
    ctx.expect(took < GRACE_S, f"expected the process to exit within {GRACE_S:g} s of SIGTERM, "
               f"got no exit: it was killed after {took:.1f} s (exit code {code})")
    ctx.expect(code == 0, f"expected exit code 0 after SIGTERM, got {code} after {took:.1f} s")
