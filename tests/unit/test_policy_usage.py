"""Counting staged policy rules in the drafts database (migration 5): real SQLite files, the real
policy engine, and the v4 database from tests/data upgraded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.drafts.migrations import LATEST_VERSION
from desktop.core.drafts.policy_usage import PolicyUsageStore, firings, post_key
from desktop.core.policy import Policy, parse_policy

POLICY = """
[policy]
id = "staged"
name = "Staged"
version = "3"
owner = "Comms"
contact = "comms@acme.example"

[[rules]]
id = "codename"
category = "confidential"
kind = "lexicon"
terms = ["bluebird"]
message = "Codename"
examples.flag = ["bluebird"]

[[rules]]
id = "forecast"
category = "finance"
kind = "lexicon"
terms = ["revenue will double"]
mode = "advise"
message = "Forward-looking statement"
examples.flag = ["revenue will double"]

[[rules]]
id = "roadmap"
category = "confidential"
kind = "lexicon"
terms = ["ships next week"]
severity = "warn"
mode = "shadow"
message = "Launch date"
examples.flag = ["it ships next week"]
"""


@pytest.fixture
def policy() -> Policy:
    return Policy(*parse_policy(POLICY, "staged.toml"))


@pytest.fixture
def store(tmp_path: Path):
    drafts = DraftStore.open(tmp_path / "drafts.db", clock=iter(range(1000, 2000)).__next__)
    yield drafts
    drafts.close()


def count(usage: PolicyUsageStore, policy: Policy, where: str, text: str) -> int:
    modes = {rule.id: rule.mode for rule in policy.staged_rules}
    return usage.record(policy.info.id, policy.info.version, where, firings(modes, policy.evaluate(text).staged), modes)


def test_firings_count_staged_rules_only_and_list_every_one(policy: Policy) -> None:
    modes = {rule.id: rule.mode for rule in policy.staged_rules}
    evaluation = policy.evaluate("Bluebird: revenue will double, revenue will double.")
    assert firings(modes, evaluation.shown + evaluation.shadow) == {"forecast": 2, "roadmap": 0}


def test_each_post_counts_once_per_rule_with_its_largest_check(store: DraftStore, policy: Policy) -> None:
    usage = PolicyUsageStore(store)
    count(usage, policy, "draft:a", "revenue will double")
    count(usage, policy, "draft:a", "revenue will double; revenue will double, and it ships next week")
    assert count(usage, policy, "draft:a", "revenue will double") == 0  # smaller again: nothing written
    count(usage, policy, "draft:b", "it ships next week")
    count(usage, policy, "draft:c", "nothing staged here")
    rows = {u.rule_id: u for u in usage.usage()}
    assert (rows["forecast"].mode, rows["forecast"].firings, rows["forecast"].posts,
            rows["forecast"].posts_checked) == ("advise", 2, 1, 3)
    assert (rows["roadmap"].mode, rows["roadmap"].firings, rows["roadmap"].posts,
            rows["roadmap"].posts_checked) == ("shadow", 2, 2, 3)
    assert "codename" not in rows  # enforced rules are not counted


def test_no_post_text_nor_draft_id_is_stored(store: DraftStore, policy: Policy) -> None:
    draft = store.create("Secret plan: revenue will double")
    count(PolicyUsageStore(store), policy, f"draft:{draft.id}", draft.body)
    with store.reading() as db:
        rows = db.execute("SELECT * FROM policy_rule_usage").fetchall()
    assert rows
    flat = " ".join(str(value) for row in rows for value in row)
    assert "revenue" not in flat and "Secret" not in flat and draft.id not in flat
    assert post_key(f"draft:{draft.id}", "staged", "3", "forecast") in flat


def test_a_new_policy_version_is_counted_apart(store: DraftStore, policy: Policy) -> None:
    usage = PolicyUsageStore(store)
    count(usage, policy, "draft:a", "revenue will double")
    newer = Policy(*parse_policy(POLICY.replace('version = "3"', 'version = "4"'), "staged.toml"))
    count(usage, newer, "draft:a", "revenue will double")
    assert sorted((u.policy_version, u.rule_id, u.posts) for u in usage.usage()) == [
        ("3", "forecast", 1), ("3", "roadmap", 0), ("4", "forecast", 1), ("4", "roadmap", 0)]


def test_false_positive_reports_keep_the_words_only_when_included(store: DraftStore) -> None:
    usage = PolicyUsageStore(store)
    usage.record_false_positive("staged", "3", "forecast", None)
    usage.record_false_positive("staged", "3", "roadmap", "ships next week")
    assert [(r.rule_id, r.matched_text) for r in usage.false_positives()] == [
        ("forecast", None), ("roadmap", "ships next week")]


def test_the_v4_database_upgrades_to_5_and_keeps_everything(tmp_path: Path, policy: Policy) -> None:
    from tests.unit.data_files import V4_DATABASE

    path = tmp_path / "drafts.db"
    path.write_bytes(V4_DATABASE.read_bytes())
    drafts = DraftStore.open(path)
    try:
        assert drafts.schema_version() == LATEST_VERSION >= 5
        [draft] = drafts.list()
        assert draft.body == "Launch day: the new keyboard ships to everyone today."
        [ack] = drafts.acknowledgements(draft.id, "acme-2026.11")
        assert ack.reason == "Announced at the keynote"
        usage = PolicyUsageStore(drafts)
        assert usage.usage() == [] and usage.false_positives() == []
        count(usage, policy, f"draft:{draft.id}", "revenue will double")
        assert [(u.rule_id, u.posts) for u in usage.usage()] == [("forecast", 1), ("roadmap", 0)]
    finally:
        drafts.close()
    old = sqlite3.connect(tmp_path / "drafts.db.bak-v4")
    try:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 4
        assert old.execute("SELECT name FROM sqlite_master WHERE name = 'policy_rule_usage'").fetchall() == []
    finally:
        old.close()


def test_the_publishing_service_is_never_refused_by_a_staged_rule(store: DraftStore) -> None:
    """PublishService.refusal, the check at publish time, over the real account store: an advise rule
    of severity block and a shadow rule fire, and nothing is refused; enforced, the same rule refuses."""
    from desktop.core.accounts import AccountService, AccountStore
    from desktop.core.accounts.secrets import MemorySecretStore
    from desktop.core.ports import Account
    from desktop.core.publishing.service import PublishService

    accounts = AccountService(MemorySecretStore(), AccountStore(store))
    account = Account("acct-1", "mastodon", "@alice@social.example", "https://social.example", "1091")
    accounts.store.save_account(account)
    advise_block = POLICY.replace('mode = "advise"', 'mode = "advise"\nseverity = "block"')
    policies = {"staged": Policy(*parse_policy(advise_block, "staged.toml")),
                "enforced": Policy(*parse_policy(advise_block.replace('mode = "advise"', 'mode = "enforce"'),
                                                 "staged.toml"))}
    text = "Our revenue will double and it ships next week."
    for name, expected in (("staged", None), ("enforced", "Forward-looking statement")):
        service = PublishService(accounts, {}, lambda name=name: policies[name])
        try:
            refusal = service.refusal(text, [account.id])
            if expected is None:
                assert refusal is None
            else:
                assert refusal is not None and expected in refusal.reason
        finally:
            service.close()
