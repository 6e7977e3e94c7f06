"""X: counted, not linked (no adapter yet).

Length: twitter-text v3 weighted length, limit 280 (see :func:`desktop.core.measures.x_weighted_length`).
"""

from __future__ import annotations

from collections.abc import Mapping

from desktop.core.measures import WEIGHTED_LENGTH_LIMIT, Count, x_weighted_length
from desktop.core.networks.spec import Brand, Network

ID = "x"
MAX_WEIGHTED_LENGTH = WEIGHTED_LENGTH_LIMIT


def _count(text: str, limits: Mapping[str, int], spoiler_text: str) -> Count:
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
