"""The host's address on a Docker network: what a hostile service would try to reach."""

from __future__ import annotations

import ipaddress

from docker.models.networks import Network


def gateway_of(network: Network) -> str:
    """The network's gateway: IPAM's `Gateway`, which dockerd leaves out for the default
    bridge when docker0 already had its address at start-up; then the subnet's first host,
    the address Docker gives the bridge."""
    network.reload()
    config = network.attrs["IPAM"]["Config"][0]
    if config.get("Gateway"):
        return config["Gateway"]
    return str(next(ipaddress.ip_network(config["Subnet"]).hosts()))
