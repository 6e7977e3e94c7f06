"""Bluesky rich text: links, mentions and hashtags → ``app.bsky.richtext.facet`` entries whose
ranges are UTF-8 byte offsets (the detection follows ``@atproto/api``'s rich-text detector), and
the ``app.bsky.feed.post`` record that carries them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import regex

POST_COLLECTION = "app.bsky.feed.post"


@dataclass(frozen=True)
class Span:
    """One detected feature, in code points of the text (``text[start:end]`` is what is shown)."""

    start: int
    end: int
    kind: str  # link | mention | tag
    value: str  # the URI, the handle (without @), or the tag (without #)


# Bare domains ("example.com/page") only become links with a known top-level domain, as in the
# reference detector; a short list of generic ones plus every two-letter country code.
_GENERIC_TLDS = frozenset(
    """com net org edu gov mil int info biz name pro aero coop museum mobi asia jobs tel travel xxx
    app dev io ai page blog cloud tech online site store shop xyz top club live news media social
    world one group company agency digital email network systems solutions services design art
    link website space today global team studio life zone tools software codes works wiki
    academy education health science security finance bank insurance legal law consulting""".split()
)
# Reference: packages/api/src/rich-text/detection.ts and util.ts in bluesky-social/atproto.
_MENTION_RE = regex.compile(r"(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)")
_URL_RE = regex.compile(
    r"(^|\s|\()((https?://[\S]+)|((?P<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)[\S]*))", regex.IGNORECASE
)
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG_RE = regex.compile(
    rf"(^|\s)[#＃]((?!\ufe0f)[^\s{_INVISIBLE}]*[^0-9\s\p{{P}}{_INVISIBLE}]+[^\s{_INVISIBLE}]*)?"
)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
_MAX_TAG = 64
# Never looked up on the web (RFC 2606/6761): only a PDS can know them.

def _valid_domain(name: str) -> bool:
    tld = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return bool(tld) and tld.isascii() and tld.isalpha() and (len(tld) == 2 or tld in _GENERIC_TLDS)


def find_spans(text: str) -> list[Span]:
    """Links, @mentions and #hashtags in *text*, in order, never overlapping."""
    found: list[Span] = []
    for m in _MENTION_RE.finditer(text):
        handle = m.group(3)
        if not (_valid_domain(handle) or handle.lower().endswith(".test")):
            continue  # probably not a handle
        start = m.start(2)
        found.append(Span(start, m.end(3), "mention", handle.lower()))
    for m in _URL_RE.finditer(text):
        uri = m.group(2)
        start, end = m.start(2), m.end(2)
        if not uri.lower().startswith("http"):
            domain = m.group("domain")
            if not domain or not _valid_domain(domain):
                continue
            uri = "https://" + uri
        if uri[-1] in ".,;:!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        found.append(Span(start, end, "link", uri))
    for m in _TAG_RE.finditer(text):
        body = m.group(2)
        if not body:
            continue
        tag = _TRAILING_PUNCTUATION.sub("", body)
        if not tag or len(tag) > _MAX_TAG:
            continue
        start = m.start(2) - 1  # the '#'
        found.append(Span(start, start + 1 + len(tag), "tag", tag))
    found.sort(key=lambda s: (s.start, -s.end))
    spans: list[Span] = []
    for span in found:
        if spans and span.start < spans[-1].end:
            continue  # overlaps an earlier feature (e.g. a "#" inside a URL)
        spans.append(span)
    return spans


def utf8_offsets(text: str) -> list[int]:
    """``offsets[i]`` is the UTF-8 byte offset of code point *i* (one extra entry for the end)."""
    offsets = [0]
    total = 0
    for ch in text:
        total += len(ch.encode("utf-8", "surrogatepass"))
        offsets.append(total)
    return offsets


def build_facets(text: str, resolve_handle: Callable[[str], str | None] | None = None) -> list[dict]:
    """The ``facets`` array of an ``app.bsky.feed.post`` record for *text*.

    *resolve_handle* maps a handle to its DID (None when unknown); mentions it cannot resolve
    stay plain text, as in the official app. Without it, mentions are left out."""
    offsets = utf8_offsets(text)
    facets = []
    for span in find_spans(text):
        if span.kind == "link":
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
        elif span.kind == "tag":
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": span.value}
        else:
            did = resolve_handle(span.value) if resolve_handle else None
            if not did:
                continue
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
        facets.append({
            "$type": "app.bsky.richtext.facet",
            "index": {"byteStart": offsets[span.start], "byteEnd": offsets[span.end]},
            "features": [feature],
        })
    return facets


def build_record(text: str, *, facets: list[dict], language: str | None = None,
                 created_at: datetime | None = None) -> dict:
    when = (created_at or datetime.now(UTC)).astimezone(UTC)
    record: dict[str, Any] = {
        "$type": POST_COLLECTION,
        "text": text,
        "createdAt": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
    }
    if facets:
        record["facets"] = facets
    if language:
        record["langs"] = [language]
    return record

