"""The sandbox: a network that exists only in demo mode and publishes nowhere.

Trainers show publishing without any account, network or keyring: ``chorus --demo`` links sample
accounts on the sandbox, and a post "published" there lands in the demo profile's own file
(``desktop.core.demo.feed``), shown in the Sandbox feed view. Its adapter
(``desktop.adapters.networks.sandbox``) works in-process: no socket is opened.

``demo_only``: outside demo mode the sandbox is not in ``networks.REGISTRY`` (so not in the Link
menu, the settings, the length counters or policy files); ``networks.in_use(demo=True)`` has it.

Length: graphemes, 500 by default (the figure of the most common Mastodon servers), so a demo can
show a post that is too long. Each sandbox account looks like one of the real networks
(``desktop.core.demo.feed.account_style``): the feed draws its posts in that network's colours.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from desktop.core.networks.spec import Brand, Capabilities, Network

if TYPE_CHECKING:
    from desktop.core.measures import Count

ID = "sandbox"
MAX_CHARACTERS = 500


def _count(text: str, limits: Mapping[str, int], spoiler_text: str) -> Count:
    # measures load regex and twitter-text: imported on the first count, not when the registry is read
    from desktop.core.measures import Count, grapheme_count

    return Count(ID, grapheme_count(spoiler_text + text), limits["max_characters"], "graphemes")


NETWORK = Network(
    id=ID,
    display_name="Sandbox",
    unit="graphemes",
    counter=_count,
    default_limits={"max_characters": MAX_CHARACTERS},
    limit_key="max_characters",
    brand=Brand(light="#00796B", dark="#4DD0B8", mark="S"),
    # like the real networks that dedupe, a resent post with the same key is the same post
    capabilities=Capabilities(idempotent_publish=True),
    link=None,  # demo accounts come from the demo bundle, already linked
    adapter="desktop.adapters.networks.sandbox",
    demo_only=True,
)
