"""Threads: a post that is over a network's limit, split into parts that each fit.

    parts = split("A long post…", "bluesky")                   # ("First part… 1/3", …, "… 3/3")
    parts = split(text, "mastodon", {"max_characters": 640}, numbered=False)

One pure, deterministic function (:func:`split`): the composer's offer, the preview and the
publishing service all call it and get the same parts for the same text and limits, which is what
lets a thread that failed half-way resume with the same per-part idempotency keys.

How a text is cut, best first:

1. at sentence ends (``.``, ``!``, ``?``, ``…`` and the CJK ``。！？``, closing quotes and brackets
   kept with their sentence) and line breaks: the furthest one that still fits;
2. for a sentence longer than the limit: at clause marks (``,``, ``;``, ``:``, dashes, ``、，；：``);
3. then between words;
4. then, for text with no spaces at all (CJK without punctuation, one long word), between
   grapheme clusters.

Never inside a URL, a mention or a hashtag (those move whole to the next part), nor inside a
grapheme cluster (a flag, a family emoji or a letter with its accents stays one). A single such
token that alone is over the limit cannot be split: :class:`ThreadError` says which.

Every part is measured by the network's own counter (:mod:`desktop.core.counters`), with the
author's server limits where given, *including* its number: with ``numbered=True`` each part ends
with `` 1/3``, and the room for it is kept while splitting.

Plain Python: no Qt, no network; it only needs :mod:`desktop.core.measures` (loaded on first use).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import regex

from desktop.core import networks as registry
from desktop.core.errors import ChorusError

if TYPE_CHECKING:
    from desktop.core.networks.spec import Network

__all__ = ["ThreadError", "can_thread", "needs_thread", "numbering", "split"]

# Sentence ends: terminators (a run, "?!"), then closing quotes/brackets, before white space or the end.
_SENTENCE_END = regex.compile(r"[.!?…‽]+[\"'”’»)\]]*(?=\s|$)|[。！？]+[」』）”’]*")
_CLAUSE_END = regex.compile(r"[,;:–—]+[\"'”’»)\]]*(?=\s)|[、，；：]+")
_SPACE = regex.compile(r"\s+")
_LINE_BREAK = regex.compile(r"\n")
_GRAPHEME = regex.compile(r"\X")
# Tokens never cut: URLs with a scheme (as far as the next white space, like Bluesky's detector),
# mentions (@alice.bsky.social, @bob@mastodon.example), hashtags (#release, #日本語); trailing
# punctuation is not part of them (so a sentence may end right after one).
_SCHEME_URL = regex.compile(r"\b[a-z][a-z0-9+.-]*://\S+?(?=\p{P}*(?:\s|$))", regex.IGNORECASE)
_MENTION = regex.compile(r"(?<![\w@])@[\w.-]*\w(?:@[\w.-]*\w)?")
_HASHTAG = regex.compile(r"(?<![\w#＃])[#＃][^\s]+?(?=\p{P}*(?:\s|$))")


class ThreadError(ChorusError):
    """The text cannot be split into parts that fit (one URL, mention or word is alone over the
    limit), or the network has no threads."""


def can_thread(network: str) -> bool:
    """Whether *network* shows replies as a thread (Bluesky, Mastodon; not LinkedIn)."""
    found = registry.find(network)
    return found is not None and found.capabilities.threads


def needs_thread(text: str, network: str, limits: Mapping[str, int] | None = None) -> bool:
    """Whether *text* is over *network*'s limit (counted by its own counter) and the network has
    threads: when the composer offers "Split into a thread"."""
    return can_thread(network) and bool(text.strip()) and registry.get(network).count(text, limits).over


def numbering(index: int, total: int) -> str:
    """What ends part *index* (1-based) of *total*: `` 1/3``."""
    return f" {index}/{total}"


def split(text: str, network: str, limits: Mapping[str, int] | None = None, *,
          numbered: bool = True) -> tuple[str, ...]:
    """*text* as the parts of a thread on *network*, each within its limit (*limits*: the author's
    server's figures over the network's defaults), counted by the network's own counter with its
    number (`` 2/3``) when *numbered*. A text that fits comes back whole, as one part, unnumbered.

    Deterministic: the same text, network, limits and *numbered* always give the same parts.
    Raises :class:`ThreadError` when the network has no threads or a token alone is over the limit.
    """
    spec = registry.get(network)
    if not spec.capabilities.threads:
        raise ThreadError(f"{spec.display_name} has no threads: a post there is one post.",
                          f"Shorten the text for {spec.display_name}, or leave {spec.display_name} out.")
    body = text.strip()
    if not body:
        return ()
    if not spec.count(body, limits).over:
        return (body,)
    width = 1
    while True:  # the room kept for the numbers depends on how many parts there are
        reserve = numbering(10 ** width - 1, 10 ** width - 1) if numbered else ""
        parts = _cut(body, _fits(spec, limits, reserve))
        if not numbered or len(str(len(parts))) <= width:
            break
        width += 1
    if numbered:
        parts = [part + numbering(i, len(parts)) for i, part in enumerate(parts, 1)]
    return tuple(parts)


def _fits(spec: Network, limits: Mapping[str, int] | None, reserve: str) -> Callable[[str], bool]:
    # digits and "/" weigh 1 in every measure, so a part fitting with " 99/99" fits with " 3/12"
    return lambda part: not spec.count(part + reserve, limits).over


def _cut(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Greedy: from each part's start, the furthest break of the best kind that still fits."""
    grapheme_ends = [match.end() for match in _GRAPHEME.finditer(text)]
    boundaries = set(grapheme_ends)
    protected = _protected(text)
    starts = [start for start, _ in protected]

    def allowed(position: int) -> bool:
        if position not in boundaries:
            return False
        i = bisect.bisect_right(starts, position - 1) - 1  # the last token starting before *position*
        return i < 0 or position >= protected[i][1]

    kinds = [
        sorted({m.end() for m in _SENTENCE_END.finditer(text)} | {m.start() for m in _LINE_BREAK.finditer(text)}),
        sorted(m.end() for m in _CLAUSE_END.finditer(text)),
        sorted(m.start() for m in _SPACE.finditer(text)),
        grapheme_ends,
    ]
    breaks = [[position for position in kind if 0 < position < len(text) and allowed(position)] for kind in kinds]
    parts: list[str] = []
    position = 0
    while position < len(text):
        rest = text[position:].rstrip()
        if not rest:
            break
        if fits(rest):
            parts.append(rest)
            break
        end = next((found for kind in breaks if (found := _furthest(text, position, kind, fits)) is not None), None)
        if end is None:
            raise ThreadError(f"“{_token_at(text, position, protected)}” alone is over the limit and cannot be "
                              "split.", "Shorten it (a link: use a shorter address) to publish this as a thread.")
        parts.append(text[position:end].rstrip())
        position = end
        while position < len(text) and text[position].isspace():
            position += 1
    return parts


def _furthest(text: str, start: int, candidates: list[int], fits: Callable[[str], bool]) -> int | None:
    """The furthest of *candidates* after *start* whose part ``text[start:c]`` fits, or None.
    Galloping then binary search: counts only texts about as long as one part, never the whole rest."""
    first = bisect.bisect_right(candidates, start)
    # the part must hold something: skip candidates that leave only white space
    while first < len(candidates) and not text[start:candidates[first]].strip():
        first += 1
    if first >= len(candidates) or not fits(text[start:candidates[first]].rstrip()):
        return None
    good, step = first, 1
    bad = len(candidates)
    while good + step < len(candidates):
        if fits(text[start:candidates[good + step]].rstrip()):
            good += step
            step *= 2
        else:
            bad = good + step
            break
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits(text[start:candidates[middle]].rstrip()):
            good = middle
        else:
            bad = middle
    return candidates[good]


def _protected(text: str) -> list[tuple[int, int]]:
    """Spans no part may cut, sorted and merged: URLs (bare domains too), mentions, hashtags."""
    from desktop.core.measures import find_urls  # loads twitter-text's tables: only when splitting

    spans = list(find_urls(text, require_scheme=False))
    for pattern in (_SCHEME_URL, _MENTION, _HASHTAG):
        spans += [match.span() for match in pattern.finditer(text)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _token_at(text: str, position: int, protected: list[tuple[int, int]]) -> str:
    """The token that stops a part at *position*: the protected span there, else the word."""
    for start, end in protected:
        if start <= position < end or (position <= start and not text[position:start].strip()):
            token = text[start:end]
            break
    else:
        token = text[position:].split(maxsplit=1)[0] if text[position:].strip() else ""
    return token if len(token) <= 60 else token[:57] + "…"
