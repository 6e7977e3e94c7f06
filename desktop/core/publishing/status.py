"""Where one target of a publish stands: the states and :class:`TargetStatus`.

Its own module so that the publishing service and thread publishing (publishing.thread, which the
service calls) both import it, and neither imports the other back.
"""

from __future__ import annotations

from dataclasses import dataclass

SENDING, SENT, FAILED, QUEUED, REFUSED = "sending", "sent", "failed", "queued", "refused"
UNCONFIRMED = "unconfirmed"  # an earlier attempt may have posted it and the network cannot tell: ask the person
INTERRUPTED = "interrupted"  # Chorus stopped (closed, crashed) while sending: Check, or Retry (which looks first)


@dataclass(frozen=True)
class TargetStatus:
    """Where one target of a publish stands; sent to ``on_update`` on every change."""

    draft_id: str
    account_id: str
    network: str
    handle: str
    state: str  # sending | sent | failed | queued | refused | unconfirmed
    post_url: str = ""
    check_url: str = ""  # unconfirmed: where the person can look whether the post is there
    reason: str = ""  # for people: the server's reason, what to do
    retryable: bool = False
    needs_relink: bool = False

THREAD_KEY_PREFIX = "chorus-t-"  # a thread part's idempotency key (publishing.thread.part_key)
