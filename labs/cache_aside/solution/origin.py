"""HTTP client of the slow origin service (the source of truth for items)."""

from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter

TIMEOUT_S = 5


class OriginUnavailable(Exception):
    """The origin did not answer, or answered with an error: nothing to serve."""


class Origin:
    def __init__(self, base_url):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(pool_connections=4, pool_maxsize=64))

    def get(self, key):
        """The item as the origin has it, or None when it does not exist."""
        response = self._call("GET", key)
        return None if response.status_code == 404 else response.json()

    def put(self, key, value):
        return self._call("PUT", key, {"value": value}).json()

    def _call(self, method, key, body=None):
        url = f"{self.base_url}/items/{quote(key, safe='')}"
        try:
            response = self.session.request(method, url, json=body, timeout=TIMEOUT_S)
        except requests.RequestException as error:
            raise OriginUnavailable(str(error)) from error
        if response.status_code >= 500 or (response.status_code >= 400
                                           and response.status_code != 404):
            raise OriginUnavailable(f"origin answered {response.status_code} to {method} {url}")
        return response
