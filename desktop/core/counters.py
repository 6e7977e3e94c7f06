"""Live post length per network, counted the way each network counts it.

The rules live with each network (``desktop/core/networks/<id>.py``: which measure, which limits)
and the measures in :mod:`desktop.core.measures`; this module is the one call the composer, the
policy engine and tests use: :func:`count` and :func:`count_all`, plus the measures they need
(:func:`grapheme_count`, :func:`x_weighted_length`, :func:`find_urls`, :func:`warm_up`,
:func:`is_warm`).

Limits: each network has defaults; *limits* overrides them with the author's own server's figures
(``{"max_characters": 640, "characters_reserved_per_url": 23}`` for a Mastodon instance). The
``mastodon_max_characters`` / ``mastodon_url_length`` keywords are the same two figures under
their older names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from desktop.core import networks as registry
from desktop.core.measures import Count, find_urls, grapheme_count, is_warm, warm_up, x_weighted_length
from desktop.core.networks import NETWORKS

__all__ = [
    "NETWORKS",
    "Count",
    "count",
    "count_all",
    "find_urls",
    "grapheme_count",
    "is_warm",
    "warm_up",
    "x_weighted_length",
]

Limits = Mapping[str, int]


def count(
    network: str,
    text: str,
    limits: Limits | None = None,
    *,
    mastodon_max_characters: int | None = None,
    mastodon_url_length: int | None = None,
    spoiler_text: str = "",
) -> Count:
    """Count *text* for *network* (one of :data:`NETWORKS`) against its limits (*limits* over the
    defaults). *spoiler_text* is a content warning, which counts towards the same limit where the
    network has one (Mastodon); other networks ignore it and limits they do not use."""
    return registry.get(network).count(text, _limits(limits, mastodon_max_characters, mastodon_url_length),
                                       spoiler_text=spoiler_text)


def count_all(
    text: str,
    networks: Iterable[str] = NETWORKS,
    *,
    limits: Mapping[str, Limits] | None = None,
    mastodon_max_characters: int | None = None,
    mastodon_url_length: int | None = None,
    spoiler_text: str = "",
) -> dict[str, Count]:
    """:func:`count` for each of *networks* (default: all), keyed by network name; *limits* per network."""
    shared = _limits(None, mastodon_max_characters, mastodon_url_length)
    return {
        network: registry.get(network).count(text, {**shared, **(limits or {}).get(network, {})},
                                             spoiler_text=spoiler_text)
        for network in networks
    }


def _limits(limits: Limits | None, max_characters: int | None, url_length: int | None) -> dict[str, int]:
    merged = dict(limits or {})
    if max_characters is not None:
        merged["max_characters"] = max_characters
    if url_length is not None:
        merged["characters_reserved_per_url"] = url_length
    return merged
