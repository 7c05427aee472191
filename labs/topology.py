"""Translate a lab spec into the sandboxes Topology for one submission.

The learner's `app` runs from the submission folder; lab stub processes run from the lab's
own folder (their commands name files like services/origin.py); built-in stores need none.
"""

from __future__ import annotations

from pathlib import Path

from labs.spec import Lab, ServiceDef
from sandboxes import Limits, Readiness, ServiceSpec, Topology


def build_topology(lab: Lab, submission_dir: Path) -> Topology:
    services = [service_spec(lab.app, Path(submission_dir))]
    services += [service_spec(service, lab.root) for service in lab.services]
    return Topology(services=services)


def service_spec(service: ServiceDef, source: Path) -> ServiceSpec:
    ready = (Readiness(http=service.ready.http, timeout=service.ready.timeout)
             if service.ready else None)
    return ServiceSpec(name=service.name, kind=service.kind, command=list(service.command) or None,
                       source=source if service.command else None, env=dict(service.env),
                       ready=ready, limits=Limits(**service.limits))
