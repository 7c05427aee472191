"""The /api blueprint: every route exists unversioned and under /api/v<N>/.

The URL's version (if any) is taken out of the view arguments before the view runs and,
together with the header and query string, resolved into `g.api_version`.
"""

from flask import Blueprint, g
from versioning import requested_version

api = Blueprint("api", __name__, url_prefix="/api")


def route(rule: str, **options):
    """Register the view at /api<rule> and /api/v<version><rule>."""

    def register(view):
        api.add_url_rule(rule, view_func=view, **options)
        api.add_url_rule("/v<int:version>" + rule, view_func=view, **options)
        return view

    return register


@api.url_value_preprocessor
def pick_version(_endpoint, values) -> None:
    url_version = values.pop("version", None) if values is not None else None
    g.api_version = requested_version(url_version)
