"""Connection URLs of services and the ${svc.url|host|port} templates in env values."""

from __future__ import annotations

import re

from sandboxes.spec import ServiceSpec

TEMPLATE = re.compile(r"\$\{([A-Za-z0-9_-]+)\.(url|host|port)\}")


def service_url(spec: ServiceSpec, host: str, port: int) -> str:
    """The URL a client uses: redis://, postgresql:// (the `lab` role), else http://."""
    if spec.kind == "redis":
        return f"redis://{host}:{port}/0"
    if spec.kind == "postgres":
        return f"postgresql://lab:lab@{host}:{port}/lab"
    return f"http://{host}:{port}"


def resolve_env(env: dict[str, str], addresses: dict[str, tuple[ServiceSpec, str, int]],
                ) -> dict[str, str]:
    """Fill templates from `addresses` (name -> (spec, host, port) as seen by the service)."""

    def fill(match: re.Match[str]) -> str:
        name, part = match.groups()
        if name not in addresses:
            raise ValueError(f"${{{name}.{part}}} names no service of this topology")
        spec, host, port = addresses[name]
        return {"url": service_url(spec, host, port), "host": host, "port": str(port)}[part]

    return {key: TEMPLATE.sub(fill, value) for key, value in env.items()}
