"""Where a person's Mastodon server is, from what they type, and what that server allows.

    parse_instance("@alice@Mastodon.Social")   # InstanceAddress("https://mastodon.social", "alice")
    normalise_instance("https://host/@alice")  # "https://host"
    limits_from_instance(answer, "host")       # ("host", {"max_characters": 640, ...})
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from desktop.adapters.http import is_loopback_host
from desktop.core.accounts.store import normalize_server
from desktop.core.networks.mastodon import DEFAULT_MAX_CHARACTERS, DEFAULT_URL_LENGTH

# What a linked account's limits hold until its server says otherwise.
DEFAULT_LIMITS = {"max_characters": DEFAULT_MAX_CHARACTERS, "characters_reserved_per_url": DEFAULT_URL_LENGTH,
                  "max_media_attachments": 4}


@dataclass(frozen=True)
class InstanceAddress:
    url: str  # https://mastodon.social (normalised like core.accounts.normalize_server)
    username: str | None = None  # "alice" when the user typed alice@host or a profile URL


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def parse_instance(text: str, *, allow_http: bool = False) -> InstanceAddress:
    """Understand what a user types for "your Mastodon server".

    Accepts ``alice@mastodon.social``, ``@alice@mastodon.social``, ``acct:alice@host``,
    ``https://mastodon.social``, ``https://mastodon.social/@alice``, ``mastodon.social/``,
    ``Mastodon.Social``, ``host:8443`` and internationalised names (as punycode). ``http://`` is
    only accepted for this computer (``127.0.0.1``, ``::1``, ``localhost``, e.g. a training sandbox)
    unless *allow_http*. Raises ValueError with a sentence for people.
    """
    raw = (text or "").strip()
    if not raw:
        raise ValueError("Enter your Mastodon server, for example mastodon.social or alice@mastodon.social.")
    if any(ch.isspace() for ch in raw):
        raise ValueError(f"“{raw}” is not a server name: it contains spaces.")
    username: str | None = None
    scheme = "https"
    rest = raw
    if rest.lower().startswith("acct:"):
        rest = rest[5:]
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", rest)
    if match:
        scheme, rest = match.group(1).lower(), match.group(2)
        if scheme not in ("http", "https"):
            raise ValueError(f"“{raw}” is not a web address of a Mastodon server.")
        rest, _, path = rest.partition("/")
        profile = re.match(r"^@([A-Za-z0-9_]+)", path)
        if profile:
            username = profile.group(1)
        if "@" in rest:  # user:password@host — never expected here
            raise ValueError(f"“{raw}” contains a user name and password; enter just the server.")
    else:
        rest, _, path = rest.removeprefix("@").partition("/")
        if "@" in rest:  # alice@mastodon.social
            user, _, rest = rest.rpartition("@")
            if not user or "@" in user:
                raise ValueError(f"“{raw}” is not a Mastodon address like alice@mastodon.social.")
            username = user
        profile = re.match(r"^@([A-Za-z0-9_]+)", path)
        if profile and username is None:
            username = profile.group(1)
    host, port = _split_host_port(rest, raw)
    host = _normalise_host(host, raw)
    if scheme == "http" and not allow_http and not is_loopback_host(host):
        raise ValueError(f"“{raw}” uses http://. Mastodon servers are reached over https://; "
                         "plain http is only accepted for this computer.")
    shown = f"[{host}]" if ":" in host else host
    if port is not None and not ((scheme == "https" and port == 443) or (scheme == "http" and port == 80)):
        shown += f":{port}"
    return InstanceAddress(normalize_server(f"{scheme}://{shown}"), username)


def normalise_instance(text: str, *, allow_http: bool = False) -> str:
    """The base URL of the Mastodon server the user means (see :func:`parse_instance`)."""
    return parse_instance(text, allow_http=allow_http).url


def _split_host_port(text: str, raw: str) -> tuple[str, int | None]:
    if text.startswith("["):  # [::1]:8080
        host, _, after = text[1:].partition("]")
        if after and not after.startswith(":"):
            raise ValueError(f"“{raw}” is not a server name.")
        port_text = after[1:] if after else ""
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host, port_text = text, ""
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"“{raw}” has an invalid port number.")
        return host, int(port_text)
    return host, None


def _normalise_host(host: str, raw: str) -> str:
    host = host.strip().rstrip(".").lower()
    if not host:
        raise ValueError(f"“{raw}” does not name a server.")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"“{raw}” is not a valid server name.") from None
    labels = ascii_host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"“{raw}” is not a valid server name.")
    if len(labels) < 2 and ascii_host != "localhost":
        raise ValueError(f"“{raw}” is not a full server name (for example mastodon.social).")
    return ascii_host


def limits_from_instance(data: dict[str, Any], domain: str) -> tuple[str, dict[str, int]]:
    """The domain (for handles) and posting limits in an answer of ``GET /api/v2/instance`` or
    ``/api/v1/instance``: ``configuration.statuses`` (v2, and v1 since 3.4) or ``max_toot_chars``
    (some forks); the defaults for whatever it does not say."""
    limits = dict(DEFAULT_LIMITS)
    domain = str(data.get("domain") or data.get("uri") or domain)
    statuses = ((data.get("configuration") or {}).get("statuses") or {})
    for key in DEFAULT_LIMITS:
        value = statuses.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            limits[key] = value
    if isinstance(data.get("max_toot_chars"), int) and "max_characters" not in statuses:
        limits["max_characters"] = int(data["max_toot_chars"])
    return domain, limits
