"""The network names used everywhere: command line, settings, database, tests."""

from __future__ import annotations

BLUESKY = "bluesky"
MASTODON = "mastodon"
LINKEDIN = "linkedin"
X = "x"

NETWORKS: tuple[str, ...] = (BLUESKY, MASTODON, LINKEDIN, X)

DISPLAY_NAMES: dict[str, str] = {
    BLUESKY: "Bluesky",
    MASTODON: "Mastodon",
    LINKEDIN: "LinkedIn",
    X: "X",
}


def parse_network(name: str) -> str:
    """Return the canonical network name for *name* or raise ValueError naming the valid ones."""
    key = name.strip().lower()
    if key not in NETWORKS:
        raise ValueError(f"unknown network {name!r}; expected one of: {', '.join(NETWORKS)}")
    return key
