"""Rich text as the networks find it in a post: which runs of the text become links, mentions and
hashtags. Publishing (the adapters) and the preview (:mod:`desktop.core.preview`) both read these
rules from here, so what the preview styles is what the network will make of the post.

- Bluesky: the ``app.bsky.richtext.facet`` detection of ``@atproto/api``'s rich-text detector
  (:func:`find_spans`); the Bluesky adapter turns the spans into facets with UTF-8 byte ranges.
- LinkedIn: the links and ``#hashtags`` the little text format escaper keeps apart
  (:data:`LINKEDIN_URL_RE`, :data:`LINKEDIN_HASHTAG_RE`); the LinkedIn adapter sends hashtags as
  LinkedIn's hashtag template.
- Mastodon: links and mentions are found by :func:`desktop.core.measures.mastodon_entities` (the
  same extractor the length count uses); hashtags by :data:`MASTODON_HASHTAG_RE`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex


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


# -- LinkedIn (little text format) ---------------------------------------------------------------

#: Links as the LinkedIn adapter leaves them whole when it escapes the little text format.
LINKEDIN_URL_RE = re.compile(r"(?i)\bhttps?://[^\s<>\"]+")
#: "#tag": not inside a word (C#) or after & or /, letters and digits with at least one letter, and
#: not followed by more word characters (an underscore would make the tag's end ambiguous).
LINKEDIN_HASHTAG_RE = re.compile(r"(?<![\w#&/])#([^\W_]*[^\W\d_][^\W_]*)(?!\w)")


# -- Mastodon -------------------------------------------------------------------------------------

# Tag::HASHTAG_RE (app/models/tag.rb): a tag has at least one letter; "_", "·", "・" and ZWNJ may
# join its words; it does not follow "=", "/", ")" or a letter or digit (so no tags inside links
# or words). Onigmo's [[:word:]] is letters, marks, decimal digits and connector punctuation.
_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"
_SEPARATORS = "_\u00b7\u30fb\u200c"
MASTODON_HASHTAG_RE = regex.compile(
    rf"(?<![=/)\p{{L}}\p{{N}}])#("
    rf"[{_WORD}_][{_WORD}{_SEPARATORS}]*[\p{{Alphabetic}}{_SEPARATORS}][{_WORD}{_SEPARATORS}]*[{_WORD}_]"
    rf"|[{_WORD}_]*\p{{Alphabetic}}[{_WORD}_]*)",
    regex.IGNORECASE,
)


@dataclass(frozen=True)
class Entity:
    """A link, mention or hashtag as a network shows it: *target* what it points at, *shown* its text
    on screen (a link shortened as that network does). Each network's entry makes them
    (``Network.preview.entities``); desktop.core.preview draws them."""

    start: int
    end: int
    kind: str  # link | mention | hashtag
    target: str
    shown: str


def link_entities(text: str) -> list[Entity]:
    """Only links, shown as written: for a network whose entry says no more."""
    from desktop.core.measures import find_urls

    return [Entity(s, e, "link", text[s:e], text[s:e]) for s, e in find_urls(text, require_scheme=False)]

