"""The texts a draft is compared with by the policy's ``authenticity`` rules, in one place for the live
check (ui/policy/live_check.py) and the check at publish time (core/publishing/service.py).

Two kinds (:class:`desktop.core.policy.Reference`): the author's own posts of the rule's last
``own_posts_days`` days (:mod:`desktop.core.publishing.own_posts`, the draft itself left out), and the
suggested copy (or summary) of the ideas the draft was written from (:func:`desktop.core.ideas.written_from`).
Read-only database work: call it off the GUI thread. Nothing is read when the policy has no such rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.core.drafts.store import DraftStore
from desktop.core.ideas import written_from
from desktop.core.policy.authenticity import own_posts_days, reads_references
from desktop.core.policy.model import FEED, Reference
from desktop.core.policy.rules import Rule
from desktop.core.publishing.own_posts import own_post_references


def draft_references(store: DraftStore, draft_id: str, rules: Sequence[Rule]) -> list[Reference]:
    """What *draft_id* is compared with under a policy of *rules* (empty without an authenticity rule)."""
    if not reads_references(rules):
        return []
    days = own_posts_days(rules)
    found = own_post_references(store, days, exclude_draft=draft_id) if days > 0 else []
    found += [Reference(FEED, source.text, source.source) for source in written_from(store, draft_id)]
    return found
