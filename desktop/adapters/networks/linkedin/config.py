"""What IT manages for LinkedIn: the organisation's LinkedIn app (client id, where its secret is,
the redirect port), the API version, and whether the app may read members' posts; read from the
settings in force (:meth:`LinkedInConfig.from_settings`)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from desktop.adapters.http import InsecureAddress, require_https
from desktop.core.accounts.secrets import app_secret_key
from desktop.core.networks.linkedin import ID
from desktop.core.ports import PublishError

API_BASE = "https://api.linkedin.com"
AUTHORIZATION_URL = "https://www.linkedin.com/oauth/v2/authorization"
TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
SCOPES = ("openid", "profile", "w_member_social")
READ_POSTS_SCOPE = "r_member_social"  # partner-only: lets find_published list the member's posts
DEFAULT_API_VERSION = "202609"  # the newest version in 2026-11 (networks.md §3b); each lives about a year
DEFAULT_REDIRECT_PORT = 47319
REDIRECT_PATH = "/callback"
VERSION_LIFETIME_MONTHS = 12  # LinkedIn sunsets a version about a year after its release

_VERSION_RE = re.compile(r"^(\d{4})(\d{2})(?:\.(\d{2}))?$")


def client_secret_key(client_id: str) -> str:
    """The keyring entry (service ``Chorus``) holding the LinkedIn app's client secret, when IT
    does not run a token-exchange service."""
    return app_secret_key(ID, client_id)


class NotConfigured(PublishError):
    """LinkedIn is not set up on this computer (no client id, no secret and no exchange service)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


# ---------------------------------------------------------------------------------------------
# Configuration (from the settings IT manages)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkedInConfig:
    client_id: str = ""
    token_exchange_url: str = ""  # the company service that holds the client secret
    client_secret: str = field(default="", repr=False)  # set by IT as a mandatory managed value (else the keyring)
    api_version: str = DEFAULT_API_VERSION
    redirect_port: int = DEFAULT_REDIRECT_PORT  # 0: a random port (only if LinkedIn accepts any)
    read_own_posts: bool = False  # ask for r_member_social (partner-approved apps only)
    # LinkedIn's addresses; tests point them at a local server.
    authorization_url: str = AUTHORIZATION_URL
    token_url: str = TOKEN_URL
    api_base: str = API_BASE

    @classmethod
    def from_settings(cls, get: Callable[[str], Any], **endpoints: str) -> LinkedInConfig:
        """From :class:`desktop.core.settings.Settings` (``settings.get``); *endpoints* for tests."""
        return cls(
            client_id=str(get("linkedin.client_id") or "").strip(),
            token_exchange_url=str(get("linkedin.token_exchange_url") or "").strip(),
            client_secret=str(get("linkedin.client_secret") or "").strip(),
            api_version=str(get("linkedin.api_version") or DEFAULT_API_VERSION).strip(),
            redirect_port=int(get("linkedin.redirect_port")),
            read_own_posts=bool(get("linkedin.read_own_posts")),
            **endpoints,
        )

    @property
    def scopes(self) -> tuple[str, ...]:
        return SCOPES + ((READ_POSTS_SCOPE,) if self.read_own_posts else ())

    @property
    def redirect_uri_to_register(self) -> str:
        """What IT registers on the LinkedIn app (with a fixed port)."""
        return f"http://127.0.0.1:{self.redirect_port or '<any port>'}{REDIRECT_PATH}"

    def problems(self) -> list[str]:
        """Sentences for people (IT) about what is wrong with this configuration; empty when fine."""
        found: list[str] = []
        if not self.client_id:
            found.append("No LinkedIn app is set up: IT must set linkedin.client_id.")
        if not _VERSION_RE.match(self.api_version) or not 1 <= int(self.api_version[4:6]) <= 12:
            found.append(f"linkedin.api_version must be a LinkedIn API version like {DEFAULT_API_VERSION} "
                         f"(YYYYMM), not {self.api_version!r}.")
        if not 0 <= self.redirect_port <= 65535:
            found.append("linkedin.redirect_port must be 0 or a port number up to 65535.")
        if self.token_exchange_url and not _secure_or_local(self.token_exchange_url):
            found.append("linkedin.token_exchange_url must be an https:// address.")
        return found


def version_warning(version: str, now: float | None = None) -> str | None:
    """A sentence when *version* (YYYYMM) is near or past LinkedIn's roughly one-year support, for
    the settings page and the log; None while it is current."""
    match = _VERSION_RE.match(version or "")
    if not match:
        return f"{version!r} is not a LinkedIn API version (YYYYMM)."
    today = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    age = (today.year - int(match.group(1))) * 12 + today.month - int(match.group(2))
    if age >= VERSION_LIFETIME_MONTHS:
        return (f"LinkedIn API version {version} is about {age} months old; LinkedIn retires versions after "
                "about a year. Ask IT to set linkedin.api_version to a current version.")
    if age >= VERSION_LIFETIME_MONTHS - 2:
        return (f"LinkedIn API version {version} will soon be retired (LinkedIn keeps versions about a year). "
                "Ask IT to move linkedin.api_version to a newer version.")
    return None


def _secure_or_local(url: str) -> bool:
    """https, or plain http to this computer (the shared rule, :func:`require_https`)."""
    try:
        require_https(url)
    except InsecureAddress:
        return False
    return True
