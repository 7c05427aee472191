"""The session's network: Docker `--internal` (no route out), plus a host firewall rule.

Even an internal network keeps a route to the host through the bridge's gateway address,
so anything the host serves on 0.0.0.0 would be reachable from learner code. One iptables
rule per session bridge drops every new connection from that bridge to the host; replies to
connections the grader opens are still allowed.

The rule works only in the network namespace the engine made the bridge in, the one the
grader reaches the session's addresses from: a grader on another machine than its engine
(DOCKER_HOST=tcp://...), or in a container off the host's network, would install it where
it drops nothing, so shield_host refuses a bridge it cannot see.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from pathlib import Path

import docker
from docker.models.networks import Network

from sandboxes.errors import SandboxError

BRIDGE_OPTION = "com.docker.network.bridge.name"
INTERFACES = Path("/sys/class/net")  # this network namespace's interfaces


def firewall_rule(bridge: str) -> list[str]:
    return ["INPUT", "-i", bridge, "-m", "conntrack", "!", "--ctstate",
            "ESTABLISHED,RELATED", "-j", "DROP"]


def _iptables(action: str, bridge: str) -> subprocess.CompletedProcess:
    binary = shutil.which("iptables") or "/usr/sbin/iptables"
    return subprocess.run([binary, "-w", "5", action, *firewall_rule(bridge)],
                          capture_output=True, text=True, check=False)


def shield_host(bridge: str) -> None:
    """Drop new connections from `bridge` to the host; SandboxError when that fails, or
    when `bridge` is not an interface of this network namespace (the rule would drop nothing)."""
    if not (INTERFACES / bridge).exists():
        raise SandboxError(f"cannot shield the host from the sandbox network: its bridge "
                           f"{bridge} is not in this network namespace (the Docker engine must "
                           "run on this machine, and a grader in a container needs the host's "
                           "network)")
    try:
        done = _iptables("-I", bridge)
    except OSError as exc:
        raise SandboxError(f"cannot run iptables to shield the host: {exc}") from exc
    if done.returncode != 0:
        raise SandboxError("cannot shield the host from the sandbox network (iptables needs "
                           f"root): {done.stderr.strip()}")


def unshield_host(bridge: str) -> None:
    """Remove the rule (every copy of it); quiet when there is none."""
    try:
        while _iptables("-D", bridge).returncode == 0:
            pass
    except OSError:
        return


def create_network(client: docker.DockerClient, name: str, labels: dict[str, str]
                   ) -> tuple[Network, str]:
    """An internal bridge network with a bridge name we know, for the firewall rule."""
    bridge = "alb-" + secrets.token_hex(5)
    network = client.networks.create(name, driver="bridge", internal=True, labels=labels,
                                      options={BRIDGE_OPTION: bridge}, check_duplicate=True)
    return network, bridge


def bridge_of(network: Network) -> str | None:
    return (network.attrs.get("Options") or {}).get(BRIDGE_OPTION)
