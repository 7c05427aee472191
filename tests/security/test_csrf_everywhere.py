"""CSRF on every state-changing route, generated from the route table (which
tests/security/test_route_table.py holds equal to the app's url_map): without the token, or
with a forged one, the request is refused with 400 before the view runs."""

from __future__ import annotations

import pytest

from tests.security.conftest import World
from tests.security.route_table import LMS, ROUTES, STATE_CHANGING

# An LMS's launch carries no token of ours: its signed id_token, state and nonce are checked
# instead (tests/lti).
CHANGING = sorted(key for key, route in ROUTES.items()
                  if key[1] in STATE_CHANGING and route.access != LMS)


@pytest.mark.parametrize(("endpoint", "method"), CHANGING)
def test_a_request_without_the_token_is_refused(world: World, endpoint: str, method: str) -> None:
    url = world.url_of(endpoint)
    visitor = world.visitor_for(ROUTES[endpoint, method].access)
    for headers in ({}, {"X-CSRFToken": "forged"}):
        response = visitor.call(method, url, token=False, headers=headers,
                                data={"csrf_token": headers.get("X-CSRFToken", "")})
        assert response.status_code == 400, (
            f"{method} {url} with token {headers or 'missing'}: expected 400, "
            f"got {response.status}")
        assert "security token" in response.get_data(as_text=True)
