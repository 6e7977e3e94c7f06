"""Host names and addresses, for the HTTP layer and the policy download alike: what counts as this
computer (the one place plain ``http://`` is allowed: test, training and local servers), and an
address as it may be shown in messages and logs."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit


def is_loopback_host(host: str | None) -> bool:
    """True for this computer: ``localhost``, 127.0.0.0/8 and ``::1``."""
    if not host:
        return False
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def shown_url(url: str) -> str:
    """The address without user name, password, query or fragment (codes and tokens travel there in
    OAuth flows): for messages and logs."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, "", ""))
