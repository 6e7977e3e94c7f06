"""What a draft will look like on each network: a render model the Preview panel draws.

:func:`build_preview` turns the draft (text, images with alt text, the author's name, handle and
avatar) into one :class:`NetworkPreview` per network. Everything in it is the network's own
behaviour, read from its source or documentation, and nothing is fetched from the web:

- **Rich text.** Which runs become links, mentions and hashtags is decided by the same rules
  publishing uses: Bluesky's facet detection (:func:`desktop.core.richtext.find_spans`, what the
  adapter sends as ``app.bsky.richtext.facet``), Mastodon's extractor
  (:func:`desktop.core.measures.mastodon_entities`, what its length count uses, and
  ``Tag::HASHTAG_RE``), LinkedIn's links and hashtags (the little text format's patterns; a typed
  ``@name`` is plain text there, LinkedIn mentions need a member URN).
- **How links read.** Bluesky's app draws a link facet as ``toShortUrl(text)``: host plus path,
  the path cut to 13 characters and ``...`` when it is longer than 15 (social-app
  ``lib/strings/url-helpers.ts``). Mastodon's ``TextFormatter.shortened_link`` hides
  ``https://`` (and ``www.``), shows the next 30 characters and an ellipsis when more follow.
  LinkedIn shows the URL as written.
- **Link cards.** Mastodon fetches a card for the first link of a post without media
  (``FetchLinkCardService``); LinkedIn unfurls the first link of a post without images. Bluesky
  shows a card only for an ``app.bsky.embed.external`` embed, which Chorus does not send, so none.
  The card's title is the link's host unless the caller knows the page's card (no fetching here).
- **LinkedIn's fold.** The feed shows about 210 characters or 3 lines, then "…see more".
- **The limit.** The count is :mod:`desktop.core.counters`' (the network's own measure and the
  author's server's limits). When the text is over, :attr:`NetworkPreview.cut` is the first
  character the network would refuse: the end of the longest prefix the network's own counter
  accepts, never inside a link, mention or hashtag, never inside a grapheme. Bluesky, Mastodon and
  LinkedIn refuse the whole post (they do not truncate); the part past the cut is what to remove.

Cheap enough to build on every typing pause: the entity scans are linear, and the cut's binary
search (about log2(n) counts) runs only for a text over its limit.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import regex

from desktop.core import measures
from desktop.core import networks as registry
from desktop.core.measures import Count
from desktop.core.media import Attachment
from desktop.core.richtext import Entity, link_entities

__all__ = [
    "Author",
    "Cut",
    "LinkCard",
    "NetworkPreview",
    "PreviewImage",
    "Segment",
    "build_preview",
    "build_previews",
]

_GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True)
class Segment:
    """One run of the post as the network draws it.

    ``kind`` is ``text``, ``link``, ``mention`` or ``hashtag``; ``text`` is what the network shows
    (a shortened link, a mention without its domain); ``start``/``end`` are the run's code-point
    offsets in the draft. ``over``: past the point where the network refuses the text. ``folded``:
    behind LinkedIn's "…see more"."""

    kind: str
    text: str
    start: int
    end: int
    target: str = ""  # the URL, the handle, the tag (without # or @)
    over: bool = False
    folded: bool = False


@dataclass(frozen=True)
class LinkCard:
    url: str
    host: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class PreviewImage:
    alt: str
    name: str = ""
    path: str = ""
    width: int = 0
    height: int = 0

    @property
    def has_alt(self) -> bool:
        return bool(self.alt.strip())

    @classmethod
    def from_attachment(cls, attachment: Attachment) -> PreviewImage:
        return cls(attachment.alt, attachment.name, str(attachment.path or ""), attachment.width, attachment.height)


@dataclass(frozen=True)
class Author:
    """Who the post is from: the linked account's name, handle and (downloaded) avatar, if any."""

    display_name: str = ""
    handle: str = ""
    avatar_url: str = ""

    @property
    def name(self) -> str:
        return self.display_name or self.handle.lstrip("@") or "You"

    @property
    def initials(self) -> str:
        words = [w for w in re.split(r"[\s._@-]+", self.name) if w]
        letters = "".join(w[0] for w in words[:2]).upper()
        return letters or "?"


@dataclass(frozen=True)
class Cut:
    """Where the network stops accepting the text: ``index`` in code points (Python), ``utf16`` in
    UTF-16 code units (Qt, JavaScript), and by how much the text is over, in the network's unit."""

    index: int
    utf16: int
    over_by: int
    message: str


@dataclass(frozen=True)
class NetworkPreview:
    network: str
    display_name: str
    author: Author
    text: str
    segments: tuple[Segment, ...]
    count: Count
    cut: Cut | None = None
    card: LinkCard | None = None
    images: tuple[PreviewImage, ...] = ()
    images_dropped: int = 0  # attached images the network does not take (more than it allows, or none at all)
    fold: int | None = None  # code-point offset of LinkedIn's "…see more", when the text is longer
    notes: tuple[str, ...] = field(default=())

    @property
    def over(self) -> bool:
        return self.count.over


# -- the model ----------------------------------------------------------------------------------------------


def build_preview(
    text: str,
    network: str,
    *,
    author: Author | None = None,
    images: Sequence[PreviewImage] = (),
    limits: Mapping[str, int] | None = None,
    known_cards: Mapping[str, LinkCard] | None = None,
) -> NetworkPreview:
    """*text* as *network* would show it (see the module docstring). *limits* are the author's
    server's figures (``CounterLimits.options()[network]``); *known_cards* maps URLs to cards
    already known (nothing is fetched)."""
    entry = registry.get(network)
    count = entry.count(text, limits)
    style = entry.preview  # how this network shows links, mentions and tags (its registry entry)
    entities = (style.entities or link_entities)(text)
    cut = _cut(text, entry, limits, count, entities) if count.over else None
    fold = style.fold(text, entities) if style.fold is not None else None
    segments = _segments(text, entities, cut.index if cut else None, fold)

    media = entry.capabilities.media
    allowed = media.max_images if media is not None and entry.capabilities.images else 0
    shown = tuple(images[:allowed])
    notes: list[str] = []
    if len(images) > allowed:
        notes.append(f"{entry.display_name} takes no images." if not allowed else
                     f"{entry.display_name} takes {allowed} images at most; {len(images) - allowed} left out.")
    card = None
    if style.link_card and not shown:
        first = next((e for e in entities if e.kind == "link"), None)
        if first is not None:
            card = (known_cards or {}).get(first.target) or _card_from_url(first.target)
    return NetworkPreview(network, entry.display_name, author or Author(), text, tuple(segments), count, cut, card,
                          shown, len(images) - len(shown), fold, tuple(notes))


def build_previews(
    text: str,
    networks: Iterable[str],
    *,
    authors: Mapping[str, Author] | None = None,
    images: Sequence[PreviewImage] = (),
    limits: Mapping[str, Mapping[str, int]] | None = None,
    known_cards: Mapping[str, LinkCard] | None = None,
) -> list[NetworkPreview]:
    """:func:`build_preview` for each of *networks*, with each one's author and limits."""
    return [
        build_preview(text, n, author=(authors or {}).get(n), images=images, limits=(limits or {}).get(n),
                      known_cards=known_cards)
        for n in networks
    ]


def _card_from_url(url: str) -> LinkCard:
    host = (urlsplit(url if "://" in url else "https://" + url).hostname or url).lower()
    host = host.removeprefix("www.")
    return LinkCard(url, host, host)


def _segments(text: str, entities: Sequence[Entity], cut: int | None, fold: int | None) -> list[Segment]:
    pieces: list[Segment] = []
    position = 0
    for e in entities:
        if e.start > position:
            pieces.append(Segment("text", text[position:e.start], position, e.start))
        pieces.append(Segment(e.kind, e.shown, e.start, e.end, e.target))
        position = e.end
    if position < len(text):
        pieces.append(Segment("text", text[position:], position, len(text)))
    # entities are never split (cuts and folds fall between them); plain text is split at both
    marks = sorted({m for m in (cut, fold) if m is not None})
    out: list[Segment] = []
    for piece in pieces:
        for mark in marks:
            if piece.kind == "text" and piece.start < mark < piece.end:
                at = mark - piece.start
                out.append(replace(piece, text=piece.text[:at], end=mark))
                piece = replace(piece, text=piece.text[at:], start=mark)
        out.append(piece)
    return [replace(s, over=cut is not None and s.start >= cut, folded=fold is not None and s.start >= fold)
            for s in out]


def _cut(text: str, entry: registry.Network, limits: Mapping[str, int] | None, count: Count,
         entities: Sequence[Entity]) -> Cut:
    """The end of the longest prefix *entry*'s own counter accepts, never inside an entity or a
    grapheme. A binary search over code points (a prefix is never cut inside an entity: such a
    probe moves to the entity's start), bracketed first around the proportional estimate, then
    moved back to the grapheme boundary at or before it."""
    starts = [e.start for e in entities]

    def snap(index: int) -> int:
        i = bisect_left(starts, index + 1) - 1
        return entities[i].start if i >= 0 and entities[i].start < index < entities[i].end else index

    def fits(index: int) -> bool:
        return not entry.count(text[:snap(index)], limits).over

    n = len(text)
    used = max(count.used, 1) if count.used > count.limit else max(count.bytes_used or 1, 1)
    allowed = count.limit if count.used > count.limit else (count.bytes_limit or count.limit)
    estimate = min(n - 1, max(0, n * allowed // used))
    step = n // 32 + 8
    if fits(estimate):  # the answer is in [estimate, n - 1]: widen upwards until a probe is over
        low, high = estimate, min(n - 1, estimate + step)
        while high < n - 1 and fits(high):
            low, high = high, min(n - 1, high + step * 2)
            step *= 2
    else:  # in [0, estimate - 1]
        low, high = max(0, estimate - step), estimate - 1
        while low > 0 and not fits(low):
            high, low = low - 1, max(0, low - step * 2)
            step *= 2
        if low == 0 and not fits(0):
            high = -1
    while low < high:  # the largest index in [low, high] whose prefix fits
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    index = _grapheme_start(text, snap(max(low, 0)))
    over_by = max(count.used - count.limit, 0)
    if count.bytes_used is not None and count.bytes_limit is not None and count.bytes_used > count.bytes_limit:
        what = f"{count.bytes_used - count.bytes_limit:,} bytes over its limit of {count.bytes_limit:,} bytes"
    else:
        what = f"{over_by:,} {entry.unit} over its limit of {count.limit:,}"
    message = f"{entry.display_name} refuses this post: {what}. Shorten it from the marked part on."
    return Cut(index, measures.utf16_length(text[:index]), over_by, message)


_REGIONAL = re.compile("[\U0001F1E6-\U0001F1FF]")


def _grapheme_start(text: str, index: int) -> int:
    """The grapheme boundary at or before *index*. Clusters are found from a line start or from 64
    characters back (they are far shorter), kept off a run of flag letters, whose pairs count from
    the run's start."""
    if index <= 0 or index >= len(text):
        return max(0, min(index, len(text)))
    origin = max(text.rfind("\n", 0, index) + 1, index - 64)
    while origin > 0 and _REGIONAL.match(text, origin - 1):
        origin -= 1
    boundary = origin
    for m in _GRAPHEME.finditer(text, origin, min(len(text), index + 64)):
        if m.end() > index:
            break
        boundary = m.end()
    return boundary
