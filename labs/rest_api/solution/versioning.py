"""Which API version a request asked for: URL first, then the Api-Version header, then ?version=.

The first place that names a version decides; the others are ignored. No version at all
means version 1.
"""

import json

from flask import request
from problems import Problem

SUPPORTED_VERSIONS = (1, 2)
DEFAULT_VERSION = 1


def requested_version(url_version: int | None) -> int:
    if url_version is not None:
        return supported(str(url_version), "the URL")
    header = request.headers.get("Api-Version")
    if header is not None:
        return supported(header, "the Api-Version header")
    query = request.args.get("version")
    if query is not None:
        return supported(query, "the version query parameter")
    return DEFAULT_VERSION


def supported(raw: str, where: str) -> int:
    version = raw.strip().lower().removeprefix("v")
    if version in {str(v) for v in SUPPORTED_VERSIONS}:
        return int(version)
    raise Problem(400, "unsupported-version",
                  f"API version {json.dumps(raw)} in {where} does not exist",
                  supported_versions=list(SUPPORTED_VERSIONS))
