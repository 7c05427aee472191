"""The OpenAPI 3.1 description of the JSON endpoints: the workspace's draft, Run and console,
and the health probes.

Written by hand, next to nothing else: tests/security/test_openapi.py holds it to the app
(every route answering JSON is described, every described route exists) and fuzzes the app
against it. Lab ids are listed as an enum so a client (or a fuzzer) can name real labs.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

ERROR: Schema = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string", "description": "what went wrong, for people"}},
}
FILES: Schema = {
    "type": "object",
    "required": ["files", "versions"],
    "properties": {"files": {
        "type": "object",
        "description": "the learner's draft: path -> UTF-8 text",
        "additionalProperties": {"type": "string"},
    }, "versions": {
        "type": "object",
        "description": "path -> the file's version, which a save sends back as `base`",
        "additionalProperties": {"type": "string"},
    }},
}
STALE: Schema = {**FILES, "required": ["error", "files", "versions"],
                 "properties": {**FILES["properties"], **ERROR["properties"]}}
RUN_STATE: Schema = {
    "oneOf": [
        {"type": "object", "required": ["state", "lab_id", "expires_in", "log"], "properties": {
            "state": {"const": "running"},
            "lab_id": {"type": "string"},
            "expires_in": {"type": "integer", "description": "seconds until the run is stopped"},
            "idle_s": {"type": "number"},
            "backend": {"type": "string", "enum": ["docker", "process"]},
            "log": {"type": "string", "description": "the app's last log lines, plain text"},
            "problem": {"type": ["string", "null"], "description": "why the app is down"},
        }},
        {"type": "object", "required": ["state", "reason"], "properties": {
            "state": {"const": "stopped"},
            "reason": {"type": "string"},
        }},
    ],
}
CONSOLE_REQUEST: Schema = {
    "type": "object",
    "properties": {
        "method": {"type": "string", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
                                              "OPTIONS"]},
        "path": {"type": "string", "description": "starts with a single /"},
        "headers": {"type": "string", "description": "'Name: value' lines"},
        "body": {"type": "string"},
    },
}
CONSOLE_ANSWER: Schema = {
    "type": "object",
    "description": "the app's answer, or why there is none",
    "properties": {
        "status": {"type": "integer"},
        "reason": {"type": "string"},
        "headers": {"type": "array", "items": {
            "type": "array", "prefixItems": [{"type": "string"}, {"type": "string"}]}},
        "body": {"type": "string"},
        "truncated": {"type": "boolean"},
        "elapsed_ms": {"type": "integer"},
        "error": {"type": "string"},
    },
}


ERROR_ANSWER = {"application/json": {"schema": ERROR}, "text/html": {"schema": {"type": "string"}}}


def json_body(schema: Schema, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_answer(description: str) -> dict[str, Any]:
    """A site error: JSON when the request prefers it (Accept: application/json, as the
    workspace's scripts send), else the HTML error page."""
    return {"description": description, "content": ERROR_ANSWER}


def refusal(description: str) -> dict[str, Any]:
    """A 400: the operation's own JSON reason, or the site's error for a malformed request."""
    return error_answer(f"{description}, or the request was malformed")


def common_answers() -> dict[str, Any]:
    """Answers every operation can give."""
    return {
        "400": error_answer("the CSRF token is missing or invalid (every POST needs "
                            "X-CSRFToken), or the body is not what the operation reads"),
        "401": json_body({"type": "object", "required": ["error", "login"]},
                         "not logged in (sent with Accept: application/json)"),
        "404": error_answer("no such lab"),
    }


def operation(summary: str, answers: dict[str, Any], body: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    described: dict[str, Any] = {"summary": summary,
                                 "responses": {**common_answers(), **answers}}
    if body is not None:
        described["requestBody"] = body
    return described


def json_request(schema: Schema) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def path_object(schema: Schema) -> Schema:
    return {"type": "object", "required": ["path"], "properties": {
        "path": {"type": "string"}, **schema}}


def draft_paths() -> dict[str, Any]:
    files = json_body(FILES, "the draft after the change")
    changed = {"200": files, "400": refusal("the change was refused (bad path, too large, ...)")}
    return {
        "/labs/{lab_id}/draft": {"get": operation(
            "The learner's draft of the lab (the starter until they save)",
            {"200": json_body(FILES, "the draft")})},
        "/labs/{lab_id}/draft/file": {"post": operation(
            "Create or overwrite one file",
            {**changed, "409": json_body(STALE, "`base` is not the file's version any more "
                                                "(another tab or window saved it): nothing "
                                                "saved; the draft as it is")},
            json_request(path_object({"content": {"type": "string"}, "base": {
                "type": "string", "description": "the version of the file this text changes "
                "(a file that does not exist has the empty file's); without it, saved over "
                "whatever is there"}})))},
        "/labs/{lab_id}/draft/delete": {"post": operation(
            "Delete one file", changed, json_request(path_object({})))},
        "/labs/{lab_id}/draft/rename": {"post": operation(
            "Rename one file", changed, json_request(path_object({"to": {"type": "string"}})))},
        "/labs/{lab_id}/draft/reset": {"post": operation(
            "Throw the draft away: back to the starter", {"200": files})},
        "/labs/{lab_id}/draft/upload": {"post": operation(
            "Replace the draft with a .zip or .tar.gz", changed,
            {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {
                    "archive": {"type": "string", "format": "binary"}}}}}})},
    }


def run_paths() -> dict[str, Any]:
    state = json_body(RUN_STATE, "the run's state")
    nothing = json_body(ERROR, "nothing of this lab is running")
    return {
        "/labs/{lab_id}/run": {
            "get": operation("The learner's Run of this lab: running or stopped",
                             {"200": state}),
            "post": operation("Start the saved draft in a sandbox (answers once it is ready)", {
                "200": state,
                "422": json_body({**ERROR, "properties": {**ERROR["properties"],
                                                          "log": {"type": "string"}}},
                                 "the app did not start; its log says why"),
                "503": json_body(ERROR, "no sandbox could start, or every Run slot of the site "
                                       "is taken (Retry-After says when to try again)")}),
        },
        "/labs/{lab_id}/run/request": {"post": operation(
            "Send one request to the learner's running app (the console)",
            {"200": json_body(CONSOLE_ANSWER, "the app's answer"),
             "400": refusal("the console form is not a valid request"),
             "409": nothing},
            json_request(CONSOLE_REQUEST))},
        "/labs/{lab_id}/run/stop": {"post": operation(
            "Stop the learner's run", {"200": state})},
    }


READINESS: Schema = {
    "type": "object",
    "required": ["status", "checks"],
    "properties": {
        "status": {"enum": ["ready", "not ready"]},
        "checks": {"type": "object", "required": ["database", "queue"],
                   "additionalProperties": {"type": "string",
                                            "description": '"ok", or what is wrong'}},
    },
}


def ops_paths() -> dict[str, Any]:
    """The probes of docs/operations.md: no login, no CSRF token."""
    return {
        "/healthz": {"get": {"summary": "The process answers (liveness)", "security": [],
                             "responses": {"200": json_body({
                                 "type": "object", "required": ["status"],
                                 "properties": {"status": {"const": "ok"}}}, "alive")}}},
        "/readyz": {"get": {"summary": "The database and the grading queue answer (readiness)",
                            "security": [],
                            "responses": {"200": json_body(READINESS, "ready for traffic"),
                                          "503": json_body(READINESS, "a dependency is down")}}},
    }


JWKS: Schema = {
    "type": "object", "required": ["keys"],
    "properties": {"keys": {"type": "array", "items": {
        "type": "object", "required": ["kty", "kid", "use", "alg"],
        "properties": {"kty": {"const": "RSA"}, "kid": {"type": "string"},
                       "use": {"const": "sig"}, "alg": {"const": "RS256"}}}}},
}


def lti_paths() -> dict[str, Any]:
    """What LMSs fetch without a login: the tool's public signing keys (docs/lti.md)."""
    return {"/lti/jwks": {"get": {"summary": "The tool's public keys as a JWK Set (RFC 7517)",
                                  "security": [],
                                  "responses": {"200": json_body(JWKS, "the public keys")}}}}


def openapi(lab_ids: list[str]) -> dict[str, Any]:
    lab_id = {"name": "lab_id", "in": "path", "required": True,
              "schema": {"type": "string", "enum": lab_ids}}
    paths = {**draft_paths(), **run_paths()}
    for item in paths.values():
        item["parameters"] = [lab_id]
    paths.update(ops_paths())
    paths.update(lti_paths())
    return {
        "openapi": "3.1.0",
        "info": {"title": "archlab workspace API", "version": "1",
                 "description": "JSON endpoints the lab workspace page calls. Every call needs "
                                "the session cookie; every POST the X-CSRFToken header."},
        "paths": paths,
        "components": {"securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"}}},
        "security": [{"session": [], "csrf": []}],
    }
