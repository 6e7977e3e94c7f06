"""Built-in detectors that read the original text: secrets, URLs and hosts, e-mail, phone numbers.

They also define the *excluded zones* of G3: URLs (with or without a scheme), e-mail addresses
and secrets are left out of lexicon and proximity matching. Every pattern here is linear-time on
any input (possessive quantifiers, no nested free repetition), because they run on every keystroke.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

import regex

Span = tuple[int, int]

# -- secrets (R1) ----------------------------------------------------------------------------------
# Built-in patterns use the standard library's re (possessive quantifiers, Python 3.11+): they are
# ours, linear-time by construction, and re runs them faster than the regex module does.
_SECRET_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aws_key", re.compile(r"(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("github_token", re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])")),
    ("slack_token", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}+")),
    ("private_key", re.compile(
        r"-----BEGIN (?:(?!PRIVATE )[A-Z0-9]++ )*+PRIVATE KEY-----"
        r"(?:[\s\S]*?-----END (?:(?!PRIVATE )[A-Z0-9]++ )*+PRIVATE KEY-----)?")),
    ("jwt", re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}+\.eyJ[A-Za-z0-9_-]{5,}+\.[A-Za-z0-9_-]*+")),
)
# One scan finds which shapes are worth searching for: each needs one of these literals.
_SHAPE_HINT = re.compile(r"A3T|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox|-----BEGIN|eyJ")
_HINT_KINDS = {"A": "aws_key", "g": "github_token", "x": "slack_token", "-": "private_key", "e": "jwt"}
# The keyword may end a longer identifier (GITHUB_TOKEN, SLACK_BOT_TOKEN): nothing is required before it.
_KEYWORD_LOWER = re.compile(r"password|passwd|pwd|api[_-]?key|secret|token")
_KEYWORD_ANY_CASE = re.compile(_KEYWORD_LOWER.pattern, re.IGNORECASE)
_ASSIGNMENT = re.compile(r"\s*+[:=]\s*+(?P<value>\S++)")
_PLACEHOLDER = re.compile(r"^(?:\$\{.*\}|<.*>|\*+|\{\{.*\}\}|%\(.*\)s|x+|\.\.\.)[,;.]?$", re.IGNORECASE)


@dataclass(frozen=True)
class Detection:
    kind: str
    start: int
    end: int


def find_secrets(text: str) -> list[Detection]:
    found: list[Detection] = []
    kinds = {_HINT_KINDS[match.group()[0]] for match in _SHAPE_HINT.finditer(text)}
    for kind, pattern in _SECRET_SHAPES:
        if kind in kinds:
            found.extend(Detection(kind, m.start(), m.end()) for m in pattern.finditer(text))
    if "=" in text or ":" in text:
        lowered = text.lower()
        # on the lower-cased copy when it keeps every index (a plain scan is several times faster)
        keywords = (_KEYWORD_LOWER.finditer(lowered) if len(lowered) == len(text) else _KEYWORD_ANY_CASE.finditer(text))
        for keyword in keywords:
            match = _ASSIGNMENT.match(text, keyword.end())
            if match is None:
                continue
            value = match.group("value")
            if len(value) < 6 or _PLACEHOLDER.match(value):
                continue
            found.append(Detection("keyword_assignment", match.start("value"), match.end("value")))
    return merge_overlapping(found)


def merge_overlapping(found: Iterable[Detection]) -> list[Detection]:
    """Overlapping detections of one secret are reported once (the longest wins)."""
    kept: list[Detection] = []
    for det in sorted(found, key=lambda d: (d.start, -(d.end - d.start))):
        if kept and det.start < kept[-1].end:
            if det.end > kept[-1].end and det.kind == kept[-1].kind:
                kept[-1] = Detection(det.kind, kept[-1].start, det.end)
            continue
        kept.append(det)
    return kept


# -- URLs and hosts (R2, G3) -------------------------------------------------------------------------
_URL = regex.compile(
    r"(?i)(?<![\w@.-])(?:(?:https?|ftp)://[^\s<>\"']++|(?:www\.)?+(?:[a-z0-9][a-z0-9-]{0,62}\.){1,12}[a-z]{2,63}(?![a-z0-9-])"
    r"(?::\d++)?(?:/[^\s<>\"']*+)?)"
)
_TRAILING = ".,:;!?'\")]}>…"


_DOT_OR_COLON = re.compile(r"[.:]")  # stdlib re: a fixed, simple pattern, several times faster here


def _url_hints(text: str) -> Iterable[int]:
    """Where a URL may be: a scheme separator, or a dot between a letter/digit and a letter."""
    last = len(text) - 1
    for match in _DOT_OR_COLON.finditer(text):
        p = match.start()
        if p == 0 or p == last:
            continue
        if text[p] == ":":
            if text.startswith("//", p + 1):
                yield p
        elif text[p - 1].isalnum() and text[p + 1].isalpha():
            yield p


_SPACE = re.compile(r"\s")


def _chunks_around(text: str, positions: Iterable[int]) -> list[Span]:
    """The runs of non-space characters holding *positions* (each run once, in order)."""
    chunks: list[Span] = []
    for position in positions:
        if chunks and position < chunks[-1][1]:
            continue
        start = max(text.rfind(" ", 0, position), text.rfind("\n", 0, position), text.rfind("\t", 0, position)) + 1
        space = _SPACE.search(text, position)
        chunks.append((start, space.start() if space else len(text)))
    return chunks


def find_urls(text: str) -> list[Span]:
    """URLs with or without a scheme. Only the non-space runs that could hold one are searched."""
    spans = []
    for chunk_start, chunk_end in _chunks_around(text, _url_hints(text)):
        for match in _URL.finditer(text, chunk_start, chunk_end):
            start, end = match.span()
            url = match.group()
            while url and url[-1] in _TRAILING:
                if url[-1] == ")" and url.count("(") >= url.count(")"):
                    break
                url = url[:-1]
                end -= 1
            if "." in url or "://" in url:
                spans.append((start, end))
    return spans


def url_host(url: str) -> str:
    rest = url.split("://", 1)[1] if "://" in url else url
    host = regex.split(r"[/?#]", rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host.strip("[]").split("]")[0]
    return host.split(":")[0].lower().rstrip(".")


def host_matches(host: str, domains: Iterable[str]) -> bool:
    """True when *host* is one of *domains* or a subdomain of one (the host decides, not substrings)."""
    return any(host == d or host.endswith("." + d) for d in domains)


_PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # RFC 1918
    "fc00::/7", "fe80::/10",  # IPv6 unique-local and link-local
))


def is_private_ip(host: str) -> bool:
    """A private-network address (RFC 1918, IPv6 unique-local or link-local); loopback is not one."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in _PRIVATE_NETWORKS if network.version == address.version)


# -- e-mail and phone numbers (R16) --------------------------------------------------------------------
_EMAIL = regex.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*+@(?:[A-Za-z0-9-]++\.)++[A-Za-z]{2,}+")
_PHONE = regex.compile(r"(?<![\w+.-])\+?+(?:\(\d++\)|\d++)(?:(?:[ .-]|(?=\())(?:\(\d++\)|\d++))++(?![\w])")


_AT = re.compile("@")


def find_emails(text: str) -> list[Span]:
    if "@" not in text:
        return []
    ats = (m.start() for m in _AT.finditer(text))
    return [m.span() for start, end in _chunks_around(text, ats) for m in _EMAIL.finditer(text, start, end)]


def find_phones(text: str) -> list[Span]:
    """Formatted numbers of 10-15 digits with at least one separator (groups joined by one space,
    '-' or '.', or a group in parentheses; an optional leading '+'). A run that joins two numbers
    with a space (a date, then a phone number) is split at its spaces into the longest windows
    that hold 10-15 digits."""
    spans: list[Span] = []
    for match in _PHONE.finditer(text):
        pieces = [(m.start() + match.start(), m.end() + match.start()) for m in regex.finditer(r"\S+", match.group())]
        i = 0
        while i < len(pieces):
            digits, j, best = 0, i, None
            while j < len(pieces):
                digits += sum(c.isdigit() for c in text[pieces[j][0] : pieces[j][1]])
                if digits > 15:
                    break
                if digits >= 10:
                    best = j
                j += 1
            if best is not None:
                start, end = pieces[i][0], pieces[best][1]
                if any(not c.isdigit() for c in text[start:end].lstrip("+")):
                    spans.append((start, end))
                i = best + 1
            else:
                i += 1
    return spans


def last_digits(text: str, n: int = 10) -> str:
    return "".join(c for c in text if c.isdigit())[-n:]


def overlaps(span: Span, zones: Iterable[Span]) -> bool:
    """One question against a few zones; for many questions build :class:`Intervals` once."""
    return any(s < span[1] and span[0] < e for s, e in zones)


class Intervals:
    """Spans merged into sorted, disjoint runs, so "does this span overlap any of them?" is one binary
    search (a post with thousands of links or matches stays linear, not matches x zones)."""

    def __init__(self, spans: Iterable[Span]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def overlaps(self, span: Span) -> bool:
        """Like :func:`overlaps`: some run has start < span end and span start < its end."""
        i = bisect.bisect_left(self.starts, span[1]) - 1  # the last run starting before the span ends
        return i >= 0 and span[0] < self.ends[i]
