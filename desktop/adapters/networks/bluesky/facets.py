"""Bluesky rich text: links, mentions and hashtags → ``app.bsky.richtext.facet`` entries whose
ranges are UTF-8 byte offsets, and the ``app.bsky.feed.post`` record that carries them. The
detection itself (following ``@atproto/api``'s rich-text detector) lives in
:mod:`desktop.core.richtext`, so the preview finds exactly the facets publishing will send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from desktop.core.richtext import Span, find_spans

__all__ = ["POST_COLLECTION", "Span", "build_facets", "build_record", "find_spans", "utf8_offsets"]

POST_COLLECTION = "app.bsky.feed.post"


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

