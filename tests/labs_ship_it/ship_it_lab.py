"""The ship-it lab folder as its tests see it, and its image running in a Docker session.

The lab grades an image built from the submission's Dockerfile, which only the Docker
sandbox can do, so its direct tests run the checks against a real Docker session of the
lab's topology rather than local processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from labs.topology import build_topology
from sandboxes.docker.backend import DockerBackend
from tests.support.lab_folder import LabFolder

SHIP_IT = LabFolder("ship_it")


class ShipItSession:
    """A Docker session of the lab running `folder`, plus `submission` (`ctx.submission`)."""

    def __init__(self, session: Any, folder: Path) -> None:
        self.session = session
        self.submission = folder

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


@contextmanager
def running(image: str, folder: Path, session_id: str) -> Iterator[ShipItSession]:
    """`folder` built and started with a fresh database, torn down afterwards."""
    with DockerBackend(image=image).start(build_topology(SHIP_IT.spec, folder),
                                          session_id=session_id, deadline_s=300) as session:
        session.wait_ready()
        yield ShipItSession(session, folder)
