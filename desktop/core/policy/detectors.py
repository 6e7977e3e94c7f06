"""Built-in detectors that read the original text: secrets, URLs and hosts, e-mail, phone numbers.

They also define the *excluded zones* of G3: URLs (with or without a scheme), e-mail addresses
and secrets are left out of lexicon and proximity matching. Every pattern here is linear-time on
any input (possessive quantifiers, no nested free repetition), because they run on every keystroke.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

import regex

Span = tuple[int, int]

# -- secrets (R1) ----------------------------------------------------------------------------------
_SECRET_SHAPES: tuple[tuple[str, regex.Pattern[str]], ...] = (
    ("aws_key", regex.compile(r"(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("github_token", regex.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])")),
    ("slack_token", regex.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}+")),
    ("private_key", regex.compile(
        r"-----BEGIN (?:(?!PRIVATE )[A-Z0-9]++ )*+PRIVATE KEY-----(?:[\s\S]*?-----END (?:(?!PRIVATE )[A-Z0-9]++ )*+PRIVATE KEY-----)?")),
    ("jwt", regex.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}+\.eyJ[A-Za-z0-9_-]{5,}+\.[A-Za-z0-9_-]*+")),
)
_KEYWORD_ASSIGNMENT = regex.compile(
    r"(?i)(?<![A-Za-z0-9])[A-Za-z0-9_.-]*?(?:password|passwd|pwd|api[_-]?key|secret|token)\s*+[:=]\s*+(?P<value>\S++)"
)
_PLACEHOLDER = regex.compile(r"^(?:\$\{.*\}|<.*>|\*+|\{\{.*\}\}|%\(.*\)s|x+|\.\.\.)[,;.]?$", regex.IGNORECASE)


@dataclass(frozen=True)
class Detection:
    kind: str
    start: int
    end: int


def find_secrets(text: str, timeout: float = 0.25) -> list[Detection]:
    found: list[Detection] = []
    for kind, pattern in _SECRET_SHAPES:
        for match in pattern.finditer(text, timeout=timeout):
            found.append(Detection(kind, match.start(), match.end()))
    for match in _KEYWORD_ASSIGNMENT.finditer(text, timeout=timeout):
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
    r"(?i)(?<![\w@.-])(?:(?:https?|ftp)://[^\s<>\"']++|(?:www\.)?+(?:[a-z0-9](?:[a-z0-9-]*+)\.)++[a-z]{2,}+"
    r"(?::\d++)?(?:/[^\s<>\"']*+)?)"
)
_TRAILING = ".,:;!?'\")]}>…"


def find_urls(text: str) -> list[Span]:
    spans = []
    for match in _URL.finditer(text):
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


def is_private_ip(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private and not address.is_loopback if address.version == 4 else address.is_private


# -- e-mail and phone numbers (R16) --------------------------------------------------------------------
_EMAIL = regex.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*+@(?:[A-Za-z0-9-]++\.)++[A-Za-z]{2,}+")
_PHONE = regex.compile(r"(?<![\w+.-])\+?+(?:\(\d++\)|\d++)(?:(?:[ .-]|(?=\())(?:\(\d++\)|\d++))++(?![\w])")


def find_emails(text: str) -> list[Span]:
    return [m.span() for m in _EMAIL.finditer(text)]


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
    return any(s < span[1] and span[0] < e for s, e in zones)
