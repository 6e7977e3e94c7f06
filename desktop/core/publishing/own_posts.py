"""The author's own recently published posts, read back for the authenticity check.

Posting the same words again and again reads as automated, so the policy's ``authenticity`` rule
compares a draft with the author's own recent posts (``own_posts_days``). Chorus keeps no copy of
what was sent; what it has is the publish history (``publish_history``: which draft went out to
which network, and when) and the drafts' text. A published draft's text is the post, unless it was
edited after publishing: close enough for "you said this before".

Read-only, one query, on the UI's ``db`` lane (or any thread: the store's lock serialises it).
Drafts that were purged since have no text left and are not returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop.core.drafts.store import DraftStore
from desktop.core.policy.authenticity import own_post_reference
from desktop.core.policy.model import Reference

MAX_OWN_POSTS = 200  # the most recent ones; an author posting more than this a month is not helped by more


@dataclass(frozen=True)
class OwnPost:
    """One draft the author published: its text, when it first went out, and to which networks."""

    draft_id: str
    text: str
    sent_at: float  # epoch seconds, the first successful send
    networks: tuple[str, ...]


def recent_own_posts(database: DraftStore, days: int, *, exclude_draft: str | None = None,
                     now: float | None = None) -> list[OwnPost]:
    """The drafts sent (``publish_history.status = 'sent'``) in the last *days* days, newest first,
    without *exclude_draft* (the draft being written: it is not a repeat of itself)."""
    if days <= 0:
        return []
    since = (database.clock() if now is None else now) - days * 86_400
    with database.reading() as db:
        rows = db.execute(
            "SELECT h.draft_id, d.body, MIN(h.sent_at) AS first_sent, GROUP_CONCAT(DISTINCT h.network) "
            "FROM publish_history h JOIN drafts d ON d.id = h.draft_id "
            "WHERE h.status = 'sent' AND h.sent_at IS NOT NULL AND h.draft_id IS NOT ? "
            "GROUP BY h.draft_id HAVING first_sent >= ? ORDER BY first_sent DESC LIMIT ?",
            (exclude_draft, since, MAX_OWN_POSTS),
        ).fetchall()
    return [OwnPost(draft_id, body, float(sent_at), tuple(sorted((networks or "").split(","))))
            for draft_id, body, sent_at, networks in rows if body.strip()]


def own_post_references(database: DraftStore, days: int, *, exclude_draft: str | None = None,
                        now: float | None = None) -> list[Reference]:
    """:func:`recent_own_posts` as the policy check's references ("your post of 3 Dec on Mastodon")."""
    return [own_post_reference(post.text, dt.datetime.fromtimestamp(post.sent_at), post.networks)
            for post in recent_own_posts(database, days, exclude_draft=exclude_draft, now=now)]
