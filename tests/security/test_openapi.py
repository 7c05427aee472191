"""The OpenAPI description is served and honest (every JSON route described, nothing more), and
an automated fuzzer (schemathesis) drives every described operation in-process, with valid and
invalid input, as a logged-in learner with a live Run: no answer is a 5xx, and every documented
answer is one the description lists, in its media type and schema."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import one_of
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_wsgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.grading.grading_helpers import logged_in
from tests.security.conftest import TOY, Visitor, World, learner_sandboxes, security_app
from tests.security.route_table import JSON, PARAMETER, ROUTES
from webapp.api_spec.spec import openapi

SPEC_URL = "/api/openapi.json"
EXAMPLES = 25  # per operation: 9 operations stay well under a minute on a loaded machine
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
NOT_FUZZED = {("post", "/labs/{lab_id}/run"), ("post", "/labs/{lab_id}/run/stop")}
OPERATIONS = sorted((method, path) for path, item in openapi([TOY])["paths"].items()
                    for method in item if method != "parameters")


def described(world: World) -> set[tuple[str, str]]:
    spec = world.anonymous.call("GET", SPEC_URL).get_json()
    return {(method.upper(), path) for path, item in spec["paths"].items()
            for method in item if method != "parameters"}


def test_every_json_route_is_described_and_nothing_else(world: World) -> None:
    answering_json = set()
    for (endpoint, method), route in ROUTES.items():
        if route.answers == JSON and endpoint != "api_spec.openapi_json":
            (rule,) = world.app.url_map.iter_rules(endpoint)
            answering_json.add((method, PARAMETER.sub(r"{\1}", rule.rule)))
    spec = described(world)
    missing, extra = answering_json - spec, spec - answering_json
    assert missing == set(), f"expected every JSON route described, missing: {missing}"
    assert extra == set(), f"expected only JSON routes described, also found: {extra}"


def test_the_spec_names_the_labs_of_this_site(world: World) -> None:
    spec = world.anonymous.call("GET", SPEC_URL).get_json()
    lab_ids = spec["paths"]["/labs/{lab_id}/draft"]["parameters"][0]["schema"]["enum"]
    assert lab_ids == ["rest-api", TOY]


@dataclass
class Target:
    app: Flask
    cookies: dict[str, str]
    headers: dict[str, str]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """A learner with a live Run of the toy lab, so the console reaches a real app."""
    with learner_sandboxes():
        app = security_app(tmp_path_factory.mktemp("fuzz"))
        learner = Visitor(logged_in(app, "ada@example.org"))
        started = learner.call("POST", f"/labs/{TOY}/run")
        assert started.status_code == 200, f"expected the run to start, got {started.get_json()}"
        cookie = learner.client.get_cookie("session")
        assert cookie is not None
        yield Target(app, {"session": cookie.value},
                     {"X-CSRFToken": learner.token, "Accept": "application/json"})
        learner.call("POST", f"/labs/{TOY}/run/stop")


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), sorted(set(OPERATIONS) - NOT_FUZZED))
def test_fuzzing_finds_no_server_error(target: Target, method: str, path: str) -> None:
    operation = from_wsgi(SPEC_URL, target.app)[path][method.upper()]
    answers: list[tuple[int, str]] = []

    @given(case=one_of(operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def fuzz(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=target.headers, cookies=target.cookies)
        kind = response.headers.get("content-type", [""])[0].split(";")[0]
        answers.append((response.status_code, kind))
        case.validate_response(response, checks=CHECKS)

    fuzz()
    assert all(status != 401 for status, _ in answers), "expected the fuzzer to be logged in"
    assert any(kind == "application/json" for _, kind in answers), (
        f"expected some JSON answers past the CSRF check, got {sorted(set(answers))}")
