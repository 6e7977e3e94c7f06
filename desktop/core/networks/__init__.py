"""The networks Chorus knows: one module each beside this file, listed once here.

    from desktop.core import networks
    networks.get("mastodon").count(text, {"max_characters": 640})
    [n.id for n in networks.linkable()]

To add a network, see docs/architecture.md ("How to add a network").
"""

from __future__ import annotations

from desktop.core.networks import bluesky, linkedin, mastodon, sandbox, x
from desktop.core.networks.spec import Brand, Capabilities, LinkFlow, LinkSpec, Network

__all__ = ["Brand", "Capabilities", "DISPLAY_NAMES", "LinkFlow", "LinkSpec", "NETWORKS", "Network", "REGISTRY",
           "by_measure", "find", "get", "in_use", "linkable", "parse_network"]

# The one list of all networks, in the order Chorus shows them. Entries marked demo_only (the
# sandbox) exist in demo mode only: REGISTRY and the names below leave them out; in_use(demo=True)
# (the networks a demo publishes to) and find()/get() have them (a sandbox account's badge, its length limit).
ALL: tuple[Network, ...] = (bluesky.NETWORK, mastodon.NETWORK, linkedin.NETWORK, x.NETWORK, sandbox.NETWORK)
REGISTRY: tuple[Network, ...] = tuple(network for network in ALL if not network.demo_only)

_BY_ID: dict[str, Network] = {network.id: network for network in ALL}
NETWORKS: tuple[str, ...] = tuple(network.id for network in REGISTRY)
DISPLAY_NAMES: dict[str, str] = {network.id: network.display_name for network in REGISTRY}


def get(network_id: str) -> Network:
    """The registry entry for *network_id* (ValueError naming the known ones when there is none)."""
    try:
        return _BY_ID[network_id]
    except KeyError:
        raise ValueError(f"unknown network {network_id!r}; expected one of: {', '.join(NETWORKS)}") from None


def find(network_id: str) -> Network | None:
    return _BY_ID.get(network_id)


def parse_network(name: str) -> str:
    """Return the canonical network name for *name* or raise ValueError naming the valid ones."""
    name = name.strip().lower()
    if name not in NETWORKS:  # demo-only networks are no choice on the command line
        raise ValueError(f"unknown network {name!r}; expected one of: {', '.join(NETWORKS)}")
    return name


def in_use(*, demo: bool = False) -> tuple[Network, ...]:
    """The networks this run publishes to: the registry, or in demo mode only the demo-only ones (the
    sandbox), so that a demo cannot reach a real network."""
    return tuple(network for network in ALL if network.demo_only) if demo else REGISTRY


def linkable() -> tuple[Network, ...]:
    """The networks whose accounts can be linked, in display order."""
    return tuple(network for network in REGISTRY if network.link is not None)


def by_measure(measure: str) -> Network | None:
    """The network whose own length measure a policy file names *measure* (``x_weighted``)."""
    return next((network for network in REGISTRY if network.measure == measure), None)
