"""X: counted, not linked (no adapter yet).

Length: twitter-text v3 weighted length, limit 280 (see :func:`desktop.core.measures.x_weighted_length`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from desktop.core.networks.spec import Brand, Network

if TYPE_CHECKING:
    from desktop.core.measures import Count

ID = "x"
MAX_WEIGHTED_LENGTH = 280  # twitter-text v3 "max_weighted_tweet_length" (measures checks the library agrees)


def _count(text: str, limits: Mapping[str, int], spoiler_text: str) -> Count:
    # measures load regex and twitter-text: imported on the first count, not when the registry is read
    from desktop.core.measures import Count, x_weighted_length

    return Count(ID, x_weighted_length(text), limits["max_weighted_length"], "weighted characters")


NETWORK = Network(
    id=ID,
    display_name="X",
    unit="weighted characters",
    counter=_count,
    default_limits={"max_weighted_length": MAX_WEIGHTED_LENGTH},
    limit_key="max_weighted_length",
    brand=Brand(light="#1F1F1F", dark="#E7E9EA", mark="𝕏"),
    measure="x_weighted",
)
