"""How ``tests/data/drafts-v8.db`` was made: run with the code of commit ``37f614d`` (main, schema 8),
before migration 9 (the audit trail) existed, from the repository's root:

    python -m tests.audit.make_drafts_v8 tests/data/drafts-v8.db

It writes a real database through today's stores (not hand-made SQL): drafts (one in the bin),
two linked accounts, publish history with sent and failed rows (a single post, a two-part thread,
a failed attempt), a warning acknowledged with a reason and an info dismissed, a waiting outbox
entry, and training records (an acknowledgement of the acme-example policy and a check of
understanding). The clock is fixed so the file's times are known to the upgrade test
(``tests/audit/test_audit_migration.py``). Running it with later code would write a later schema:
the script refuses.
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.core.accounts.store import AccountStore
from desktop.core.drafts import DraftStore
from desktop.core.drafts.acknowledgements import Acknowledgement
from desktop.core.drafts.migrations import LATEST_VERSION
from desktop.core.policy import load_policy
from desktop.core.ports import Account
from desktop.core.publishing.service import idempotency_key
from desktop.core.publishing.store import PublishStore
from desktop.core.publishing.thread import part_key as thread_part_key
from desktop.core.training import TrainingRecords, build_quiz, summarise

BASE = 1_764_000_000.0  # 2025-11-24 16:00 UTC: every time in the file is BASE + n minutes


class Clock:
    def __init__(self) -> None:
        self.now = BASE

    def __call__(self) -> float:
        return self.now

    def at(self, minutes: float) -> None:
        self.now = BASE + minutes * 60


def main(target: Path) -> None:
    if LATEST_VERSION != 8:
        raise SystemExit(f"this script writes a schema-8 database; this code is at schema {LATEST_VERSION}")
    if target.exists():
        raise SystemExit(f"{target} exists: remove it first")
    clock = Clock()
    store = DraftStore.open(target, clock=clock)
    accounts, publish = AccountStore(store), PublishStore(store)
    bsky = Account("acct-bsky", "bluesky", "@alice.example.com", "https://pds.example.com", "did:plc:alice")
    masto = Account("acct-masto", "mastodon", "@alice@social.example", "https://social.example", "109")
    accounts.save_account(bsky)
    accounts.save_account(masto)

    clock.at(1)
    launch = store.create("Our team shipped the new search today. Proud of everyone! #search", ["acct-bsky", "acct-masto"])
    clock.at(2)
    ack = store.save_acknowledgement(Acknowledgement(launch.id, "disclosure", "Proud of everyone", 0,
                                                     "acme-example@2025.06.1", "acknowledged",
                                                     "I work at Acme and say so in my profile"))
    store.save_acknowledgement(Acknowledgement(launch.id, "hint", "today", 0, "acme-example@2025.06.1", "dismissed"))
    clock.at(3)
    key = idempotency_key(launch.id, bsky.id, launch.body)
    publish.begin_publication(launch.id, bsky, key, policy_version="acme-example@2025.06.1", acknowledged=[ack],
                              rkey="3lbbbbbbbbb22")
    clock.at(4)
    publish.mark_sent(key, "https://bsky.app/profile/alice.example.com/post/3lbbbbbbbbb22",
                      "at://did:plc:alice/app.bsky.feed.post/3lbbbbbbbbb22")
    # the same post to Mastodon failed (the server refused it): not part of the audit trail
    failed_key = idempotency_key(launch.id, masto.id, launch.body)
    publish.begin_publication(launch.id, masto, failed_key, policy_version="acme-example@2025.06.1")
    publish.mark_failed(failed_key, "The server refused the post: 422 Validation failed")

    clock.at(10)
    thread = store.create("A long thread about the release, part one and part two.", ["acct-masto"])
    parts = ("A long thread about the release, part one", "and part two.")
    for index, url in enumerate(("https://social.example/@alice/111", "https://social.example/@alice/112")):
        part_key = thread_part_key(thread.id, masto.id, parts, index)
        clock.at(11 + index)
        publish.begin_publication(thread.id, masto, part_key, policy_version="acme-example@2025.06.1")
        publish.mark_sent(part_key, url, url.rsplit("/", 1)[1])

    clock.at(20)
    waiting = store.create("Release notes are up: the new export button is live for everyone #release", ["acct-bsky"])
    publish.enqueue(waiting.id, ["acct-bsky"], waiting.body)
    clock.at(21)
    binned = store.create("An old idea", [])
    store.delete(binned.id)

    policy = load_policy("acme-example")
    records = TrainingRecords(store)
    clock.at(0)  # acknowledged before publishing: the gate asks for it first
    records.acknowledge(summarise(policy))
    clock.at(0.5)
    quiz = build_quiz(policy, seed=7, per_category=1)
    records.record_quiz(quiz.grade([question.can_go_out for question in quiz.questions]))
    store.close()
    print(f"wrote {target} at schema {LATEST_VERSION}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
