"""Mastodon (and other servers speaking its API).

Length: the server rule, ``app/validators/status_length_validator.rb``, is
``grapheme_count(spoiler_text + countable_text(text))`` (see
:func:`desktop.core.measures.mastodon_countable_text`), against the instance's
``configuration.statuses.max_characters`` (default 500), with every link costing
``characters_reserved_per_url`` (default 23). Both figures belong to the instance: a linked account
reads them, and until then the user's setting gives the limit.

Linking: OAuth 2 in the browser on the person's own server (PKCE, a loopback redirect), or a code
pasted from the browser. Publishing sends an Idempotency-Key, so the server absorbs a resend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from desktop.core.networks.media import MediaLimits
from desktop.core.networks.spec import Brand, Capabilities, LinkFlow, LinkSpec, Network, PreviewSpec
from desktop.core.setting_spec import Kind, SettingSpec

if TYPE_CHECKING:
    from desktop.core.measures import Count
    from desktop.core.richtext import Entity

ID = "mastodon"
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_URL_LENGTH = 23


def _count(text: str, limits: Mapping[str, int], spoiler_text: str) -> Count:
    # measures load regex and twitter-text: imported on the first count, not when the registry is read
    from desktop.core.measures import Count, grapheme_count, mastodon_countable_text

    maximum, url_length = limits["max_characters"], limits["characters_reserved_per_url"]
    if maximum < 1:
        raise ValueError(f"mastodon_max_characters (the instance's max_characters) must be at least 1, not {maximum}")
    if url_length < 0:
        raise ValueError("mastodon_url_length (the instance's characters_reserved_per_url) must not be negative, "
                         f"not {url_length}")
    return Count(ID, grapheme_count(spoiler_text + mastodon_countable_text(text, url_length)), maximum, "graphemes")



LINK_CHARACTERS = 30  # TextFormatter.shortened_link


def link_text(url: str) -> str:
    """``TextFormatter.shortened_link``: without ``https://`` (and ``www.``), at most 30 characters,
    then an ellipsis."""
    import re

    prefix = re.match(r"(?i)(?:https?://(?:www\.)?|xmpp:)", url)
    rest = url[prefix.end() if prefix else 0:]
    return rest[:LINK_CHARACTERS] + ("…" if len(rest) > LINK_CHARACTERS else "")


def _entities(text: str) -> list[Entity]:
    """Links and mentions as its length count finds them (mentions shown without their domain), and hashtags."""
    from desktop.core.measures import mastodon_entities
    from desktop.core.richtext import MASTODON_HASHTAG_RE, Entity

    found = [
        Entity(e.start, e.end, e.kind, e.value,
               link_text(e.value) if e.kind == "link" else "@" + e.value.partition("@")[0])
        for e in mastodon_entities(text)
    ]
    if "#" in text:
        taken = [(e.start, e.end) for e in found]
        for m in MASTODON_HASHTAG_RE.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                found.append(Entity(m.start(), m.end(), "hashtag", m.group(1), m.group()))
        found.sort(key=lambda e: e.start)
    return found


NETWORK = Network(
    id=ID,
    display_name="Mastodon",
    unit="graphemes",
    counter=_count,
    default_limits={"max_characters": DEFAULT_MAX_CHARACTERS, "characters_reserved_per_url": DEFAULT_URL_LENGTH},
    limit_key="max_characters",
    brand=Brand(light="#563ACC", dark="#A99BFF", mark="m"),
    capabilities=Capabilities(
        images=True, alt_text=True, threads=True, idempotent_publish=True, instance_limits=True,
        # MediaAttachment: IMAGE_LIMIT 16 MiB, 4 attachments per status, description up to 1500
        # characters; image_matrix_limit 33,177,600 px (7680 × 4320). Each server announces its own
        # in /api/v2/instance configuration.media_attachments (read into Account.limits at linking).
        media=MediaLimits(max_images=4, max_bytes=16 * 1024 * 1024, max_pixels=33_177_600,
                          accepted=("image/jpeg", "image/png", "image/webp", "image/gif"), alt_max_chars=1500,
                          server_keys={"max_bytes": "image_size_limit", "max_pixels": "image_matrix_limit",
                                       "max_images": "max_media_attachments",
                                       "alt_max_chars": "description_limit"}),
    ),
    preview=PreviewSpec(entities=_entities, link_card=True),  # a card for the first link, without images
    link=LinkSpec(
        LinkFlow.BROWSER,
        server="required",
        pasted_code=True,
        server_hint="mastodon.social or you@mastodon.social",
        browser_note="Chorus opens your browser on your server's sign-in page. Approve Chorus there; your password "
                     "never passes through Chorus.",
    ),
    adapter="desktop.adapters.networks.mastodon",
    measure="mastodon",
    settings=(
        SettingSpec(
            "mastodon.max_characters",
            Kind.INT,
            DEFAULT_MAX_CHARACTERS,
            "Mastodon post length",
            "Characters allowed per post on your Mastodon instance, until a linked account tells "
            "Chorus the exact figure.",
            "Composer",
            minimum=1,
            maximum=100_000,
        ),
        SettingSpec(
            "mastodon.allowed_instances",
            Kind.TEXTS,
            (),
            "Allowed Mastodon servers",
            "Host names of the Mastodon servers people may link accounts on (for example mastodon.social, or "
            "*.example.com for every server under example.com). Empty: any server.",
            "Accounts",
        ),
    ),
    limit_setting="mastodon.max_characters",
)
