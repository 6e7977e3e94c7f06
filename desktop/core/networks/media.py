"""What a network accepts as images, as data (``Capabilities.media`` of each registry entry).

Kept beside :mod:`desktop.core.networks.spec` so the registry stays data: the image processing that
reads these figures (:mod:`desktop.core.media`) loads Pillow only when an image is prepared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class MediaLimits:
    """The images one post may carry on a network, and what each image may be.

    ``max_bytes`` is the encoded file's size; ``max_pixels`` is width × height; ``max_side`` is the
    longest side in pixels (``None``: no limit of that kind). ``accepted`` lists the MIME types the
    network takes, in the order Chorus prefers to send them. ``alt_max_chars`` is the longest alt
    text the network keeps (``None``: not documented)."""

    max_images: int
    max_bytes: int
    accepted: tuple[str, ...]
    max_pixels: int | None = None
    max_side: int | None = None
    alt_max_chars: int | None = None
    # the account's server may announce its own figures (Mastodon's /api/v2/instance
    # configuration.media_attachments): see :meth:`for_server`
    server_keys: Mapping[str, str] | None = None

    def for_server(self, limits: Mapping[str, Any] | None) -> MediaLimits:
        """These limits with the account's server's own figures (``Account.limits``) where it has them."""
        if not limits or not self.server_keys:
            return self
        changes: dict[str, Any] = {}
        for ours, theirs in self.server_keys.items():
            value = limits.get(theirs)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                changes[ours] = value
        return replace(self, **changes) if changes else self
