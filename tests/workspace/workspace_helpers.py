"""Helpers of the workspace tests: a learner's view of one lab's workspace over HTTP."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.conftest import csrf_token


class Workspace:
    """The JSON endpoints of /labs/<lab_id> as a logged-in learner's browser calls them."""

    def __init__(self, client: FlaskClient, lab_id: str) -> None:
        self.client = client
        self.lab_id = lab_id
        self.base = f"/labs/{lab_id}"
        self.token = csrf_token(client, self.base)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.post(self.base + path, json=json,
                                headers={"X-CSRFToken": self.token}, **kwargs)

    def user_id(self) -> int:
        with self.client.session_transaction() as session:
            return int(session["user_id"])

    def files(self) -> dict[str, str]:
        response = self.client.get(self.base + "/draft")
        assert response.status_code == 200, f"expected the draft, got {response.status_code}"
        return response.get_json()["files"]

    def save(self, path: str, content: str) -> TestResponse:
        return self.post("/draft/file", {"path": path, "content": content})

    def upload(self, data: bytes, name: str = "work.zip") -> TestResponse:
        return self.client.post(self.base + "/draft/upload",
                                data={"archive": (io.BytesIO(data), name)},
                                headers={"X-CSRFToken": self.token},
                                content_type="multipart/form-data")

    def download(self) -> dict[str, bytes]:
        response = self.client.get(self.base + "/draft.zip")
        assert response.status_code == 200, f"expected the zip, got {response.status_code}"
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    def run(self) -> TestResponse:
        return self.post("/run")

    def status(self) -> dict[str, Any]:
        return self.client.get(self.base + "/run").get_json()

    def log_showing(self, *needles: str, timeout: float = 10) -> str:
        """The run's log once it shows every needle (an app logs a request after answering it)."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.status().get("log", "")
            if all(needle in log for needle in needles) or time.monotonic() > deadline:
                return log
            time.sleep(0.1)

    def send(self, method: str = "GET", path: str = "/healthz", headers: str = "",
             body: str = "") -> TestResponse:
        return self.post("/run/request", {"method": method, "path": path, "headers": headers,
                                          "body": body})

    def stop(self) -> TestResponse:
        return self.post("/run/stop")
