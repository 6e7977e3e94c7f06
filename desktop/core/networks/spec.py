"""What Chorus knows about a network, as data: the shape of one registry entry.

Each network is one module beside this one (``bluesky.py``, ``mastodon.py``, ...) holding one
:class:`Network`; ``desktop/core/networks/__init__.py`` lists them once. Everything else (the
counters, the policy engine's network names and measures, linking, the accounts panel, badges,
the composition root) reads the registry instead of naming networks.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from desktop.core.networks.media import MediaLimits
from desktop.core.setting_spec import SettingSpec

if TYPE_CHECKING:  # the measures load regex and twitter-text; the registry is read at start-up without them
    from desktop.core.measures import Count
    from desktop.core.richtext import Entity

# count(text, limits, spoiler_text) -> Count; *limits* overrides the network's defaults (the
# author's own server's figures), keys the network does not use are ignored.
Counter = Callable[[str, Mapping[str, int], str], "Count"]


class LinkFlow(enum.Enum):
    """How a person links an account; the UI has one dialog per flow, not per network."""

    APP_PASSWORD = "app_password"  # a handle and an app password typed into Chorus
    BROWSER = "browser"  # OAuth in the browser, back to Chorus on a loopback address


@dataclass(frozen=True)
class LinkSpec:
    flow: LinkFlow
    # whether the person names their server: "none" (one service), "optional" (a custom server under
    # Advanced), "required" (federated: every person has their own)
    server: str = "none"
    # the browser flow can fall back to a code the person pastes from the browser (no loopback)
    pasted_code: bool = False
    identifier_hint: str = ""  # placeholder of the handle field (app password flow)
    secret_hint: str = ""  # placeholder of the password field (app password flow)
    secret_place: str = ""  # where in the network's settings app passwords are made ("under Settings → …")
    help_url: str = ""  # where the person creates the secret (an app password page)
    server_hint: str = ""  # placeholder of the server field
    server_label: str = ""  # what the network calls a server, when it has a name for it ("PDS")
    server_note: str = ""  # a line under an optional server field: who needs it
    browser_note: str = ""  # what happens in the browser (browser flow)
    # IT must set the network up on this computer first (an organisation's app): the dialog asks
    # the adapter whether it is ready and, if not, says what to send IT
    needs_setup: bool = False


@dataclass(frozen=True)
class Capabilities:
    """What publishing can rely on for the network."""

    images: bool = False
    alt_text: bool = False
    threads: bool = False
    # the server absorbs a resent post carrying the same key (Mastodon's Idempotency-Key)
    idempotent_publish: bool = False
    # the client names the record before sending (Bluesky's TID record keys), so a resend can look first
    client_record_key: bool = False
    # each server sets its own limits; a linked account reads them (Mastodon's max_characters)
    instance_limits: bool = False
    # the images a post may carry and what each may be (None: no images); see desktop.core.media
    media: MediaLimits | None = None


@dataclass(frozen=True)
class PreviewSpec:
    """How the network shows a post (desktop.core.preview): its links, mentions and hashtags with the
    text it puts on screen (None: only links, as written), whether the first link of a post without
    images gets a card, where a long post folds behind "…see more" (None: never), and whether its
    links are drawn in the normal weight rather than bold."""

    entities: Callable[[str], list[Entity]] | None = None
    link_card: bool = False
    fold: Callable[[str, Sequence[Entity]], int | None] | None = None
    plain_links: bool = False


@dataclass(frozen=True)
class Brand:
    """How the network is drawn: its hue on a light and on a dark base (both readable on Base and
    with Base-coloured marks on them), and the mark on its badge (text, or a drawing by name)."""

    light: str
    dark: str
    mark: str
    drawing: str = ""


@dataclass(frozen=True)
class Network:
    id: str
    display_name: str
    unit: str  # what its length limit counts, in words for people
    counter: Counter
    default_limits: Mapping[str, int]
    limit_key: str  # which of the limits is the post's length limit (the others tune the count)
    brand: Brand
    capabilities: Capabilities = field(default_factory=Capabilities)
    preview: PreviewSpec = field(default_factory=PreviewSpec)
    link: LinkSpec | None = None  # None: accounts cannot be linked (counted only)
    # the module that builds its clients (desktop.adapters...): imported only when first needed,
    # so the composition root can loop over the registry without importing every adapter at start
    adapter: str | None = None
    # its length measure's name in policy files (metric rules), when it has one of its own
    measure: str | None = None
    # its own settings (shown in the settings dialog, lockable by IT like any other)
    settings: tuple[SettingSpec, ...] = ()
    # the setting holding the person's own figure for the length limit, used until a linked account
    # reads the server's (networks whose servers set their own limits)
    limit_setting: str | None = None
    # only in demo mode (the sandbox): left out of REGISTRY, so never offered, counted or named in
    # settings and policy files outside it (networks.in_use)
    demo_only: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "default_limits", MappingProxyType(dict(self.default_limits)))

    def count(self, text: str, limits: Mapping[str, int] | None = None, *, spoiler_text: str = "") -> Count:
        """*text*'s length in this network's unit, against *limits* (the author's own server's figures)
        or the defaults."""
        return self.counter(text, {**self.default_limits, **(limits or {})}, spoiler_text)
