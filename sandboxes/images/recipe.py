"""What goes into the lab runtime image, and the tag that names this exact recipe.

The tag is a hash of the recipe (package list, suite, setup script, image settings), so an
image is built once per recipe and reused by every session until the recipe changes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETUP_SCRIPT = HERE / "setup-rootfs.sh"
REPOSITORY = "archlab/runtime"
# What a learner's Dockerfile builds FROM: the runtime image with its USER reset to root, as
# base images usually are, so running as an unprivileged user is the Dockerfile's own choice.
# A fixed tag (not the recipe hash), so the Dockerfile a lab's README shows keeps working.
BUILD_BASE = f"{REPOSITORY}:lab"
SUITE = "bookworm"
APP_UID = 10001
PACKAGES = (
    "python3", "python3-flask", "python3-redis", "python3-requests", "python3-httpx",
    "python3-psycopg", "python3-sqlalchemy", "redis-server", "postgresql", "procps",
    "iproute2", "passwd", "ca-certificates",
    "curl",  # the terminal's HTTP client (psql and redis-cli come with postgresql, redis-server)
)
# Dockerfile-style instructions applied when the root file system is imported.
CHANGES = (
    f"USER {APP_UID}:{APP_UID}",
    "WORKDIR /app",
    "ENV PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME=/tmp",
)


def recipe_hash() -> str:
    """12 hex digits that change whenever anything the image is made from changes."""
    recipe = {"suite": SUITE, "packages": PACKAGES, "changes": CHANGES,
              "setup": SETUP_SCRIPT.read_text()}
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]


def runtime_image() -> str:
    """The full image reference, e.g. archlab/runtime:3f2a9c0d1e4b."""
    return f"{REPOSITORY}:{recipe_hash()}"
