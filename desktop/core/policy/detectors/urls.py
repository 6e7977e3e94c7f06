"""URLs with or without a scheme, their hosts, and private-network addresses (R2; the excluded
zones of G3)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache

import regex

from desktop.core.policy.budget import on_time
from desktop.core.policy.detectors.spans import Span

# -- URLs and hosts (R2, G3) -------------------------------------------------------------------------
_URL = regex.compile(
    r"(?i)(?<![\w@.-])(?:(?:https?|ftp)://[^\s<>\"']++|(?:www\.)?+(?:[a-z0-9][a-z0-9-]{0,62}\.){1,12}[a-z]{2,63}(?![a-z0-9-])"
    r"(?::\d++)?(?:/[^\s<>\"']*+)?)"
)
_TRAILING = ".,:;!?'\")]}>…"


# The runs of non-space text that hold a hint of a URL (a scheme's "://", or a dot between a letter or
# digit and a letter: no URL is without one), found in C: from a run's first character only (the
# look-behind), lazily up to the hint, then possessively to the run's end.
_HINT = re.compile(r"[.:](?:(?<=:)(?=//)|(?<=[^\W_]\.)(?=[^\W\d_]))")
_HINTED_RUN = re.compile(r"(?<!\S)\S*?(?::(?=//)|(?<=[^\W_])\.(?=[^\W\d_]))\S*+")


def _url_chunks(text: str) -> list[Span]:
    """The hinted runs, neighbours joined (only white space between them) so that a post of
    thousands of links is searched in a few calls, not one per link. A URL never holds white space,
    so the search finds in a joined span exactly what it finds in its runs one by one. The joining
    is done in C too (:data:`_HINTED_RUNS`): a Python step per run took 20 ms on 16,000 links."""
    if not _HINT.search(text):
        return []  # most posts: one quick scan for a dot or colon
    return list(map(_span, _HINTED_RUNS.finditer(text)))


# Hinted runs with only white space between them, as one match. Each run that is tried and has no hint
# is read at most twice (as the next run of a chunk, and again as a possible start): linear.
_HINTED_RUNS = re.compile(_HINTED_RUN.pattern + r"(?:\s++" + _HINTED_RUN.pattern.removeprefix(r"(?<!\S)") + ")*+")
_span = re.Match.span


def find_urls(text: str) -> list[Span]:
    """URLs with or without a scheme. Only the non-space runs that could hold one are searched."""
    spans = []
    for chunk_start, chunk_end in _url_chunks(text):
        for count, match in enumerate(_URL.finditer(text, chunk_start, chunk_end)):
            if not count & 511:
                on_time("finding links")
            start, end = match.span()
            if text[end - 1] not in _TRAILING:
                spans.append((start, end))  # (every match holds a "." or "://": nothing to trim)
                continue
            url = match.group()
            while url and url[-1] in _TRAILING:
                if url[-1] == ")" and url.count("(") >= url.count(")"):
                    break
                url = url[:-1]
                end -= 1
            if "." in url or "://" in url:
                spans.append((start, end))
    return spans


_HOST_END = re.compile(r"[/?#]")


@lru_cache(maxsize=4096)
def url_host(url: str) -> str:
    """The host of *url* (lower case, no port, user or trailing dot). Cached: a post repeats its links,
    and every internal-URL rule asks for the hosts of every link."""
    rest = url.split("://", 1)[1] if "://" in url else url
    host = _HOST_END.split(rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host.strip("[]").split("]")[0]
    return host.split(":")[0].lower().rstrip(".")


def host_matches(host: str, domains: Iterable[str]) -> bool:
    """True when *host* is one of *domains* or a subdomain of one (the host decides, not substrings)."""
    exact, suffixes = _domain_table(domains if isinstance(domains, tuple) else tuple(domains))
    return host in exact or host.endswith(suffixes)


@lru_cache(maxsize=256)
def _domain_table(domains: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """*domains* as a set (the host itself) and a tuple of ".domain" suffixes: one C-level call each
    per link instead of a Python loop over the domains."""
    return frozenset(domains), tuple("." + d for d in domains)


_PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # RFC 1918
    "fc00::/7", "fe80::/10",  # IPv6 unique-local and link-local
))


def is_private_ip(host: str) -> bool:
    """A private-network address (RFC 1918, IPv6 unique-local or link-local); loopback is not one."""
    if ":" not in host and not _IPV4_SHAPE.fullmatch(host):
        return False  # not an address at all: no exception raised and caught for every ordinary host
    return _is_private_address(host)


_IPV4_SHAPE = re.compile(r"[0-9.]+")


@lru_cache(maxsize=1024)
def _is_private_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in _PRIVATE_NETWORKS if network.version == address.version)
