"""Fixtures of the ship-it lab's tests: the lab image on the real Docker engine."""

from __future__ import annotations

from tests.support.runtime_image import runtime_image  # noqa: F401 - a fixture of this suite
