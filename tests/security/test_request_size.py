"""No request body is read past MAX_REQUEST_BYTES: a bigger one answers 413 on every
state-changing route before anything parses it, while the largest upload the workspace allows
still goes through."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.security.conftest import TOY, World
from tests.security.route_table import ROUTES, STATE_CHANGING
from webapp.security import MAX_REQUEST_BYTES
from webapp.workspace.archive import MAX_UPLOAD_BYTES

CHANGING = sorted(key for key in ROUTES if key[1] in STATE_CHANGING)
TOO_BIG = b"x" * (MAX_REQUEST_BYTES + 1)


@pytest.mark.parametrize(("endpoint", "method"), CHANGING)
def test_a_body_past_the_limit_is_refused(world: World, endpoint: str, method: str) -> None:
    url = world.url_of(endpoint)
    visitor = world.visitor_for(ROUTES[endpoint, method].access)
    for content_type in ("application/json", "multipart/form-data; boundary=x",
                         "application/x-www-form-urlencoded"):
        response = visitor.call(method, url, data=TOO_BIG, content_type=content_type)
        assert response.status_code == 413, (
            f"{method} {url} ({content_type}): expected 413, got {response.status}")


def test_the_largest_allowed_upload_is_read(world: World) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("app.py", b"#" * (MAX_UPLOAD_BYTES - 200))
    data = buffer.getvalue()
    assert len(data) <= MAX_UPLOAD_BYTES
    response = world.ada.call("POST", f"/labs/{TOY}/draft/upload",
                              data={"archive": (io.BytesIO(data), "big.zip")},
                              content_type="multipart/form-data")
    assert response.status_code in (200, 400), f"expected the app to read it, got {response.status}"
    assert response.mimetype == "application/json", "expected the workspace's own answer"
