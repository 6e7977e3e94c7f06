"""E-mail addresses in a post (R16).

What counts as an address is RFC 5321/5322's ``addr-spec`` with RFC 6531's internationalised
addresses, read the way a person writes one in a post:

* **local part**: a dot-atom (letters, digits and ``!#$%&'*+/=?^_`{|}~-``, plus any Unicode letter,
  mark or number, RFC 6531) with no leading, trailing or doubled dot, or a quoted string
  (``"john doe"@example.com``); at most 64 octets in UTF-8 (RFC 5321 4.5.3.1.1);
* **domain**: dot-separated labels of letters, digits and hyphens (IDN labels in any script), none
  empty, none starting or ending with a hyphen, each at most 63 octets and the whole name at most
  253 once spelt in ASCII (punycode), with at least two labels and a top-level label that is
  letters (or ``xn--`` punycode), never all digits; or an address literal ``[192.0.2.1]`` /
  ``[IPv6:2001:db8::1]`` (RFC 5321 4.1.3); the whole address at most 254 characters.

Like the ``email-validator`` package, a dotless domain (``user@localhost``) is not an address;
unlike it, address literals are found (a leak is a leak). Any top-level label is accepted, so
internal names (``jane@acme.corp``, ``.lan``, ``.example``) are found too.

Prose around an address is not part of it: a sentence's full stop after the domain is dropped
(``jane.doe@gmail.com.``), and so are quotes, back-ticks and emphasis marks before the local part.
What looks like an address but is not one in a social-media post is left alone: a fediverse handle
(``@bob@social.example.org``: an ``@`` right before the local part), a URL's user name
(``https://user:pw@host.example``), a high-resolution image name (``logo@2x.png``), a package
version (``pkg@1.2.3``: numeric top-level label).

Linear time: one pass of one pattern finds each "@" a domain can follow (and the domain); a bounded
backward match (at most 65 characters) finds its local part; Python checks what they found.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

import regex

from desktop.core.policy.budget import on_time
from desktop.core.policy.detectors.spans import Detection, Span

_LOCAL_MAX_OCTETS: Final = 64  # RFC 5321 4.5.3.1.1
_DOMAIN_MAX_OCTETS: Final = 253  # RFC 1035's 255 octets on the wire, less the length bytes: the textual limit
_LABEL_MAX_OCTETS: Final = 63
_ADDRESS_MAX: Final = 254  # RFC 5321's 256-octet path, less its angle brackets

_ATOM: Final = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\p{L}\p{M}\p{N}-"
_LABEL: Final = r"\p{L}\p{M}\p{N}-"
# An "@" worth a closer look, and what follows it: an address literal, or labels up to a dot and a
# plausible top-level label (so the "@"s of handles without a dot, runs of "@" and the like cost one
# step each), captured as the run of label characters and dots (checked in Python). The pattern
# starts with a literal "@", so the engine skips ordinary text fast; its runs are possessive and
# its look-ahead's loop gives back only whole labels: linear.
_AT_DOMAIN: Final = regex.compile(
    rf"@(?=\[|(?:[{_LABEL}]{{1,63}}+\.){{1,127}}(?:\p{{L}}[\p{{L}}\p{{M}}]|xn--))"
    rf"(\[[^\]\s]{{1,50}}+\]|[{_LABEL}.]{{1,{_DOMAIN_MAX_OCTETS + 3}}}+)",
    regex.IGNORECASE,
)
# The local part, read backwards from the "@": the whole run of RFC 5322 atext and dots (RFC 6531's
# non-ASCII text taken as letters, marks and numbers only, so typographic quotes and dashes around
# an address stay outside it; a run longer than a local part can be is none), or a quoted-string
# (qtext or quoted-pair; RFC 6532 allows non-ASCII in it).
_DOT_ATOM_BACK: Final = regex.compile(rf"[{_ATOM}.]{{1,{_LOCAL_MAX_OCTETS + 1}}}+", regex.REVERSE)
_QUOTED_BACK: Final = regex.compile(rf'"(?:[^"\\\r\n]|\\[^\r\n]){{1,{_LOCAL_MAX_OCTETS - 2}}}+"', regex.REVERSE)
# Characters that wrap a word in prose or markup ('quoted', `code`, *bold*, ~strike~): not the
# start of a local part even though RFC 5322 allows them there.
_WRAPPERS: Final = "'`*~|{}=^!?&/#$%"
# "key=" before an address in a query string or a setting is not part of it ("?email=jane@", "EMAIL=jane@").
_ADDRESS_KEYS: Final = frozenset({"email", "e-mail", "mail", "to", "from", "cc", "bcc", "reply-to", "user", "username",
                                  "login", "address", "contact"})
_ADDRESS_LITERAL: Final = re.compile(r"\[(?:IPv6:([0-9A-Fa-f:.]{2,45})|([0-9.]{7,15}))\]")
_TLD: Final = regex.compile(r"(?:[\p{L}][\p{L}\p{M}]*+|xn--[a-z0-9-]++)", regex.IGNORECASE)
# Apple's and the web's high-resolution image names: "icon@2x.png", "logo@1.5x.webp".
_IMAGE_SCALE: Final = re.compile(r"\d+(?:\.\d+)?x\.(?:png|jpe?g|gif|webp|svg|avif|heic|bmp|ico|tiff?)",
                                 re.IGNORECASE)
_URL_USERINFO_REACH: Final = 256  # how far back a "scheme://" can own the text before an "@"


# The last text searched and what was found: a check asks twice (the excluded zones, and the
# personal-e-mail detector), and a post of thousands of addresses costs ~15 ms a search.
_last: tuple[str, list[Span]] = ("", [])


def find_emails(text: str) -> list[Span]:
    """Spans of the e-mail addresses in *text*, in order."""
    global _last
    if "@" not in text:
        return []
    last_text, last_spans = _last  # (one read: another thread may replace it)
    if text is last_text or text == last_text:
        return list(last_spans)
    spans = _find_emails(text)
    _last = (text, spans)
    return list(spans)


def _find_emails(text: str) -> list[Span]:
    spans: list[Span] = []
    for count, match in enumerate(_AT_DOMAIN.finditer(text)):
        if not count & 255:
            on_time("finding e-mail addresses")  # a check's time budget
        at = match.start()
        floor = spans[-1][1] if spans else 0
        if at <= floor:
            continue
        if text[at - 1] == '"':
            quoted = _QUOTED_BACK.match(text, floor, at)
            start = quoted.start() if quoted else None
        else:
            run = _DOT_ATOM_BACK.match(text, floor, at)
            start = _local_start(run.group(), run.start()) if run else None
        if start is None or (start > 0 and text[start - 1] in "@＠") or _in_url_userinfo(text, start):
            continue  # no local part, a handle (@bob@social.example) or a URL's user name
        length = _domain_length(match.group(1))
        if length is not None and at + 1 + length - start <= _ADDRESS_MAX:
            spans.append((start, at + 1 + length))
    return spans


def _local_start(local: str, start: int) -> int | None:
    """Where the address whose local part is within the run *local* (at *start*) starts, or None."""
    if len(local) > _LOCAL_MAX_OCTETS:
        return None
    if local.isascii() and local.isalnum():
        return start  # the common case: nothing to trim, 64 octets at most
    dots = local.rfind("..")
    cut = max(dots + 2 if dots >= 0 else 0, local.rfind("?") + 1, local.rfind("&") + 1)
    if cut:  # "see...jane@", "?a=1&to=jane@": the address starts after a doubled dot or a query's separator
        local, start = local[cut:], start + cut
    key, equals, value = local.partition("=")
    if equals and (cut or key.lower() in _ADDRESS_KEYS) and value:  # "to=jane@", "EMAIL=jane@"
        local, start = value, start + len(key) + 1
    stripped = local.lstrip(_WRAPPERS + ".")
    if stripped:  # a local part made only of symbols is still RFC 5322's dot-atom
        local, start = stripped, start + len(local) - len(stripped)
    if not local or local[0] == "." or local[-1] == "." or len(local.encode("utf-8")) > _LOCAL_MAX_OCTETS:
        return None
    return start


def _in_url_userinfo(text: str, start: int) -> bool:
    """True for "scheme://user:password@host": the "@" belongs to a URL, not to an address."""
    scheme = text.rfind("://", max(0, start - _URL_USERINFO_REACH), start)
    if scheme < 0:
        return False
    between = text[scheme + 3:start]
    return not any(c.isspace() or c in "/@" for c in between)


def _domain_length(run: str) -> int | None:
    """How much of *run* (what follows the "@") is the domain (a trailing full stop or hyphen is prose),
    or None when no domain starts it."""
    if run[0] == "[":
        literal = _ADDRESS_LITERAL.fullmatch(run)
        if literal is None or (literal.group(1) and ":" not in literal.group(1)):
            return None
        try:
            ipaddress.ip_address(literal.group(1) or literal.group(2))
        except ValueError:
            return None
        return len(run)
    domain = run.split("..", 1)[0].rstrip(".-")
    labels = domain.split(".")
    if len(labels) < 2 or _IMAGE_SCALE.fullmatch(domain):
        return None
    octets = len(labels) - 1
    for label in labels:
        if not label or label[0] == "-" or label[-1] == "-":
            return None
        size = _ascii_length(label)
        if size > _LABEL_MAX_OCTETS:
            return None
        octets += size
    tld = labels[-1]
    if octets > _DOMAIN_MAX_OCTETS or not (tld.isalpha() or _TLD.fullmatch(tld)) or (tld.isascii() and len(tld) < 2):
        return None
    return len(domain)


def _ascii_length(label: str) -> int:
    """The label's length in octets once spelt in ASCII (an IDN label as "xn--" + punycode)."""
    if label.isascii():
        return len(label)
    return len("xn--") + len(label.lower().encode("punycode"))


# -- personal addresses: what the default policy reports ------------------------------------------

# Role mailboxes a company publishes for the public to write to, so posting them exposes nobody:
# RFC 2142's business-related mailboxes (section 3: info, marketing, sales, support) and the role
# names of companies' contact, press and careers pages, plus machine senders (no-reply) and git's
# SSH user. RFC 2142's operations and service mailboxes (abuse, noc, security, postmaster, hostmaster,
# webmaster, www, ftp ...) are not on the list: they are not contacts a post points readers to, and
# on a small site they reach one person. Compared without case, "+tag" or the separators . - _
# ("no-reply" = "noreply", "customer.service" = "customerservice").
ROLE_MAILBOXES: Final = frozenset({
    "info", "marketing", "sales", "support",
    "press", "media", "pr", "newsroom", "communications", "comms", "tips", "editor", "editors",
    "careers", "jobs", "recruiting", "hiring",
    "hello", "hi", "contact", "contactus", "enquiries", "inquiries", "feedback", "help", "helpdesk", "service",
    "customerservice", "customercare", "customersupport", "care", "billing", "invoices", "payments", "orders",
    "returns", "shop", "store", "bookings", "reservations", "events", "community", "newsletter", "developers",
    "partners", "partnerships", "investors", "investorrelations", "ir",
    "privacy", "dpo", "dataprotection", "gdpr", "legal", "compliance", "copyright", "dmca",
    "noreply", "donotreply", "notifications", "git",
    "bugs", "bugreports", "issues",
    # the same roles on German, French, Spanish, Portuguese and Dutch contact pages
    "presse", "prensa", "imprensa", "pers", "hilfe", "aide", "ayuda", "ajuda", "kontakt", "contacto", "contato",
    "kundenservice", "kundendienst", "serviceclient", "atencionalcliente", "atendimento", "klantenservice",
    "soporte", "suporte", "assistance", "karriere", "bewerbung", "emploi", "recrutement", "empleo",
    "vagas", "vacatures", "vertrieb", "ventes", "ventas", "vendas", "verkoop", "datenschutz", "anfragen",
})


def is_role_address(address: str) -> bool:
    """Whether *address*'s local part names a role (support@, press@), not a person."""
    local = address.rpartition("@")[0].split("+", 1)[0].lower()
    return local.translate(_SEPARATORS) in ROLE_MAILBOXES


_SEPARATORS: Final = str.maketrans("", "", ".-_")


def find_personal_emails(text: str) -> list[Detection]:
    """The addresses in *text* that are not role addresses: the default policy's ``personal-email``."""
    return [Detection("email", start, end, "an e-mail address")
            for start, end in find_emails(text) if not is_role_address(text[start:end])]
