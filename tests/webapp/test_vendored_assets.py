"""Vendored browser libraries: the committed files are the ones VERSIONS records, served locally."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parents[2] / "webapp" / "static" / "vendor"


def recorded() -> list[tuple[str, str, str, str]]:
    lines = (VENDOR / "VERSIONS").read_text().splitlines()
    return [tuple(line.split()) for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize("package, version, file, sha256", recorded())
def test_vendored_file_matches_versions(package, version, file, sha256):
    digest = hashlib.sha256((VENDOR / file).read_bytes()).hexdigest()
    assert digest == sha256, f"{file}: expected sha256 {sha256} ({package} {version}), got {digest}"


def test_pinned_major_versions():
    versions = {package: version for package, version, _, _ in recorded()}
    assert re.fullmatch(r"2\.0\.\d+", versions["htmx.org"])
    assert re.fullmatch(r"11\.\d+\.\d+", versions["mermaid"])


def test_pages_load_scripts_from_this_site_only(client):
    page = client.get("/chapters/caching-basics").get_data(as_text=True)
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources == [
        "/static/vendor/htmx.min.js",
        "/static/vendor/mermaid.min.js",
        "/static/js/diagrams.js",
    ]
    for source in sources:
        with client.get(source) as response:  # closed: a static file's answer holds it open
            assert response.status_code == 200


def test_htmx_is_configured_to_need_no_inline_styles_or_eval(client):
    page = client.get("/").get_data(as_text=True)
    assert '"includeIndicatorStyles": false' in page
    assert '"allowEval": false' in page
