"""Which API version a request asked for: URL first, then the Api-Version header, then ?version=.

The first place that names a version decides; the others are ignored. No version at all
means version 1.
"""

from envelope import ApiError
from flask import request

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
    raise ApiError(400, "unsupported_version", f"unsupported API version {raw!r} in {where}",
                   supported_versions=list(SUPPORTED_VERSIONS))
