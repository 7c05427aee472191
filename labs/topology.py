"""Translate a lab spec into the sandboxes Topology for one submission.

The learner's programs (`app`, and services of kind "learner" such as a queue worker) run
from the submission folder as the sandbox's learner-code kind "app", under the same limits
and isolation (an `app` with a `build` is the image built from the submission's
Dockerfile); lab stub processes run from the lab's own folder (their commands name files
like services/origin.py), with labs/stubkit.py copied next to the stub's script so it can
`from stubkit import Stub`; built-in stores need none.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from labs.spec import Lab, ServiceDef
from labs.stubkit import MAX_THREADS
from sandboxes import Build, Limits, Readiness, ServiceSpec, Topology

STUBKIT = Path(__file__).resolve().parent / "stubkit.py"
# A lab stub serves a thread per connection, up to stubkit's MAX_THREADS: its process limit
# must hold them (the default 64 refused a learner's pool of 64 keep-alive connections).
STUB_DEFAULT_LIMITS = {"pids": MAX_THREADS + 16}


def stub_files(service: ServiceDef) -> dict[str, Path]:
    """The helper a lab stub may import, placed beside its script (the first `.py` of its
    command: `python3 services/origin.py` gets services/stubkit.py); none for other kinds."""
    if service.kind != "process":
        return {}
    script = next((part for part in service.command if part.endswith(".py")), None)
    if script is None:
        return {}
    return {(PurePosixPath(script).parent / STUBKIT.name).as_posix(): STUBKIT}


def limits_of(service: ServiceDef) -> Limits:
    """The service's limits from lab.toml, over the defaults of its kind."""
    defaults = STUB_DEFAULT_LIMITS if service.kind == "process" else {}
    return Limits(**{**defaults, **service.limits})


def build_topology(lab: Lab, submission_dir: Path) -> Topology:
    return Topology(services=[
        service_spec(service, Path(submission_dir) if service.is_learner_code else lab.root)
        for service in (lab.app, *lab.services)])


def service_spec(service: ServiceDef, source: Path) -> ServiceSpec:
    ready = (Readiness(http=service.ready.http, tcp=service.ready.tcp,
                       timeout=service.ready.timeout) if service.ready else None)
    build = (Build(dockerfile=service.build.dockerfile, timeout=service.build.timeout)
             if service.build else None)
    return ServiceSpec(name=service.name, kind="app" if service.is_learner_code else service.kind,
                       command=list(service.command) or None,
                       source=source if service.command or build else None,
                       env=dict(service.env), ready=ready, limits=limits_of(service),
                       build=build, files=stub_files(service))
