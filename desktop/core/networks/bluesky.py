"""Bluesky (AT Protocol).

Length: the ``app.bsky.feed.post`` lexicon gives ``text`` ``maxGraphemes: 300`` *and*
``maxLength: 3000``, and a lexicon string's ``maxLength`` counts UTF-8 bytes. Both limits are
checked (:attr:`Count.bytes_used` / :attr:`Count.bytes_limit`). URLs count at their full length:
Chorus posts the text as written (the official app shortens long link text and keeps the URL in a
facet; we do not).

Linking: a handle (or e-mail) and an app password; a custom PDS under Advanced. Publishing names
each record with a client-chosen TID key, so a resend reads first instead of posting twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from desktop.core.networks.media import MediaLimits
from desktop.core.networks.spec import Brand, Capabilities, LinkFlow, LinkSpec, Network, PreviewSpec

if TYPE_CHECKING:
    from desktop.core.measures import Count
    from desktop.core.richtext import Entity

ID = "bluesky"
MAX_GRAPHEMES = 300
MAX_BYTES = 3000


def _count(text: str, limits: Mapping[str, int], spoiler_text: str) -> Count:
    # measures load regex and twitter-text: imported on the first count, not when the registry is read
    from desktop.core.measures import Count, grapheme_count, utf8_length

    return Count(ID, grapheme_count(text), limits["max_graphemes"], "graphemes",
                 bytes_used=utf8_length(text), bytes_limit=limits["max_bytes"])



def link_text(text: str) -> str:
    """social-app's ``toShortUrl``: an http(s) link as host + path, the path (with query and fragment)
    cut to 13 characters and "..." when longer than 15; anything else unchanged."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return text
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    path = ("" if parts.path in ("", "/") else parts.path)
    path += (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return host + path[:13] + "..." if len(path) > 15 else host + path


def _entities(text: str) -> list[Entity]:
    """The facets publishing sends (desktop.core.richtext.find_spans), links shown as the app shortens them."""
    from desktop.core.richtext import Entity, find_spans

    kinds = {"link": "link", "mention": "mention", "tag": "hashtag"}
    return [
        Entity(s.start, s.end, kinds[s.kind], s.value,
               link_text(text[s.start:s.end]) if s.kind == "link" else text[s.start:s.end])
        for s in find_spans(text)
    ]


NETWORK = Network(
    id=ID,
    display_name="Bluesky",
    unit="graphemes",
    counter=_count,
    default_limits={"max_graphemes": MAX_GRAPHEMES, "max_bytes": MAX_BYTES},
    limit_key="max_graphemes",
    brand=Brand(light="#0B64D8", dark="#6FB1FF", mark="", drawing="butterfly"),
    capabilities=Capabilities(
        images=True, alt_text=True, threads=True, client_record_key=True,
        # app.bsky.embed.images: at most 4 images, each blob image/* of at most 1,000,000 bytes, alt
        # required (may be empty). 2000 px on the longest side is what the Bluesky app itself
        # uploads (social-app POST_IMG_MAX); the lexicon sets no pixel limit.
        media=MediaLimits(max_images=4, max_bytes=1_000_000, accepted=("image/jpeg", "image/png", "image/webp"),
                          max_side=2000),
    ),
    preview=PreviewSpec(entities=_entities),  # no card: Chorus sends no embed.external
    link=LinkSpec(
        LinkFlow.APP_PASSWORD,
        server="optional",
        identifier_hint="alice.bsky.social or you@example.com",
        secret_hint="xxxx-xxxx-xxxx-xxxx",
        secret_place="under Settings → Privacy and security → App passwords",
        help_url="https://bsky.app/settings/app-passwords",
        server_hint="https://pds.example.com",
        server_label="PDS",
        server_note="Only for accounts on a self-hosted server. Leave it empty for bsky.social and most accounts.",
    ),
    adapter="desktop.adapters.networks.bluesky",
)
