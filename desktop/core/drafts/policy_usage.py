"""Local counts of staged policy rules, and the false positives the author reported.

A compliance team tries a rule out before enforcing it (``mode = "advise"``: shown as advice;
``mode = "shadow"``: not shown at all). Whether the rule is worth enforcing depends on how often
it fires on real posts, so each firing is counted here, on the author's computer, and
``chorus policy report`` prints the counts for the policy's owner to ask for. What is kept, per
policy id and version, rule and post: how many findings the rule made (the most in one check of
that post, so checking again while the author types does not count twice; 0 when the post was
checked and the rule did not fire, which gives "on 3 of 40 posts"). Never any post text, nor the
draft's id: a post is known only by :func:`post_key`, a hash of where it is together with the
policy, version and rule.

Findings are duck-typed (``rule_id``, ``mode``, ``incomplete``): this module does not import the
policy engine. Tables: migration 5 (:mod:`desktop.core.drafts.migrations`).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from desktop.core.drafts.store import DraftStore

STAGED_MODES = ("advise", "shadow")


class _FindingLike(Protocol):
    @property
    def rule_id(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def incomplete(self) -> bool: ...


def post_key(where: str, policy_id: str, policy_version: str, rule_id: str) -> str:
    """The key of one post for one rule: *where* is ``draft:<id>`` or ``file:<path>``; hashed with
    the rule so each post counts once per rule, and no row can be joined back to a draft."""
    material = "\0".join((where, policy_id, policy_version, rule_id)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(material).hexdigest()[:32]


def firings(staged: Mapping[str, str], findings: Iterable[_FindingLike]) -> dict[str, int]:
    """Findings per staged rule (every staged rule listed, 0 when it did not fire). *staged* maps
    rule id to mode; a rule that ran out of time did not fire (its outcome is unknown)."""
    counts = Counter(f.rule_id for f in findings
                     if f.rule_id in staged and getattr(f, "mode", "enforce") in STAGED_MODES
                     and not getattr(f, "incomplete", False))
    return {rule_id: counts.get(rule_id, 0) for rule_id in staged}


@dataclass(frozen=True)
class RuleUsage:
    """One staged rule's counts for one policy version, as ``chorus policy report`` prints them."""

    policy_id: str
    policy_version: str
    rule_id: str
    mode: str
    firings: int  # findings, summed over the posts
    posts: int  # posts it fired on
    posts_checked: int  # posts checked while it was staged (it fired on *posts* of them)
    first_at: float
    last_at: float

    def as_json(self) -> dict[str, object]:
        return {"policy_id": self.policy_id, "policy_version": self.policy_version, "rule_id": self.rule_id,
                "mode": self.mode, "firings": self.firings, "posts": self.posts, "posts_checked": self.posts_checked,
                "first_seen": _iso(self.first_at), "last_seen": _iso(self.last_at)}


@dataclass(frozen=True)
class FalsePositive:
    """A "This is wrong…" report the author opened (the words only if they included them)."""

    policy_id: str
    policy_version: str
    rule_id: str
    matched_text: str | None
    reported_at: float

    def as_json(self) -> dict[str, object]:
        return {"policy_id": self.policy_id, "policy_version": self.policy_version, "rule_id": self.rule_id,
                "matched_text": self.matched_text, "reported_at": _iso(self.reported_at)}


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


class PolicyUsageStore:
    """The two tables of migration 5, in the drafts database (its connection, lock and migrations)."""

    def __init__(self, drafts: DraftStore, clock: Callable[[], float] | None = None) -> None:
        self.drafts = drafts
        self.clock = clock or drafts.clock

    def record(self, policy_id: str, policy_version: str, where: str, counts: Mapping[str, int],
               modes: Mapping[str, str]) -> int:
        """Count one check of the post at *where*: *counts* are findings per staged rule (see
        :func:`firings`), *modes* each rule's mode. A post's count only ever grows. Returns the
        rows added or raised."""
        now = self.clock()
        changed = 0
        with self.drafts.transaction() as db:
            for rule_id, count in counts.items():
                cursor = db.execute(
                    """
                    INSERT INTO policy_rule_usage (policy_id, policy_version, rule_id, mode, post_key, firings,
                                                   first_at, last_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (policy_id, policy_version, rule_id, post_key) DO UPDATE
                        SET firings = excluded.firings, last_at = excluded.last_at
                        WHERE excluded.firings > policy_rule_usage.firings
                    """,
                    (policy_id, policy_version, rule_id, modes[rule_id],
                     post_key(where, policy_id, policy_version, rule_id), max(0, int(count)), now, now),
                )
                changed += cursor.rowcount
        return changed

    def usage(self) -> list[RuleUsage]:
        """Every staged rule counted, by policy, version (newest first) and rule."""
        with self.drafts.reading() as db:
            rows = db.execute(
                """
                SELECT policy_id, policy_version, rule_id, mode, sum(firings), sum(firings > 0), count(*),
                       min(first_at), max(last_at)
                FROM policy_rule_usage
                GROUP BY policy_id, policy_version, rule_id, mode
                ORDER BY policy_id, max(last_at) DESC, policy_version, rule_id
                """
            ).fetchall()
        return [RuleUsage(*row) for row in rows]

    def record_false_positive(self, policy_id: str, policy_version: str, rule_id: str,
                              matched_text: str | None) -> FalsePositive:
        report = FalsePositive(policy_id, policy_version, rule_id, matched_text, self.clock())
        with self.drafts.transaction() as db:
            db.execute("INSERT INTO policy_false_positives (policy_id, policy_version, rule_id, matched_text, "
                       "reported_at) VALUES (?, ?, ?, ?, ?)",
                       (policy_id, policy_version, rule_id, matched_text, report.reported_at))
        return report

    def false_positives(self) -> list[FalsePositive]:
        with self.drafts.reading() as db:
            rows = db.execute("SELECT policy_id, policy_version, rule_id, matched_text, reported_at "
                              "FROM policy_false_positives ORDER BY reported_at, id").fetchall()
        return [FalsePositive(*row) for row in rows]
