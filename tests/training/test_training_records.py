"""The training record in the profile's real drafts database, the v5 → v6 upgrade of a real older
database, and the publishing service refusing until the policy in force is acknowledged."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.drafts.migrations import LATEST_VERSION
from desktop.core.policy import load_policy
from desktop.core.training import ACKNOWLEDGEMENT, QUIZ, PolicyGate, TrainingRecords, build_quiz, summarise
from desktop.core.training.summary import ACKNOWLEDGEMENT_STATEMENT
from tests.training.policy_files import write_policy


class Clock:
    def __init__(self) -> None:
        self.now = 1_767_000_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DraftStore]:
    opened = DraftStore.open(tmp_path / "drafts.db", clock=Clock())
    yield opened
    opened.close()


def test_acknowledgements_and_quiz_results_are_stored_word_for_word_and_read_back(tmp_path: Path,
                                                                                  store: DraftStore) -> None:
    policy = load_policy(write_policy(tmp_path))
    records = TrainingRecords(store)
    assert records.acknowledgement("training-test", "1") is None and records.latest_acknowledgement() is None
    summary = summarise(policy)
    made = records.acknowledge(summary)
    quiz = build_quiz(policy, seed=4)
    result = quiz.grade([q.can_go_out for q in quiz.questions])
    records.record_quiz(result)
    store.close()

    again = DraftStore.open(tmp_path / "drafts.db")  # read back from the file, not from memory
    try:
        records = TrainingRecords(again)
        ack = records.acknowledgement("training-test", "1")
        assert ack is not None and ack == made
        assert ack.wording == summary.as_text() + f"\nAcknowledged: {ACKNOWLEDGEMENT_STATEMENT}\n"
        assert ack.details["summary"] == summary.as_text() and ack.passed is None
        assert records.acknowledgement("training-test", "2") is None  # a new version is not acknowledged
        assert records.quiz_passed("training-test", "1") and not records.quiz_passed("training-test", "2")
        [first, second] = records.records()
        assert (first.kind, second.kind) == (ACKNOWLEDGEMENT, QUIZ)
        assert second.wording == result.wording() and second.passed is True
        assert second.details["questions"][0]["post"] == quiz.questions[0].post
        exported = second.as_json()
        assert exported["recorded_at"].endswith("+00:00") and exported["policy_version"] == "1"
        # the one table the audit trail exports, as its columns say
        with again.reading() as db:
            columns = [row[1] for row in db.execute("PRAGMA table_info(training_records)")]
        assert columns == ["id", "kind", "policy_id", "policy_version", "policy_name", "category", "passed", "wording",
                           "details", "recorded_at"]
    finally:
        again.close()


def test_a_failed_quiz_does_not_count_as_passed_and_categories_are_offered_once(tmp_path: Path,
                                                                                 store: DraftStore) -> None:
    policy = load_policy(write_policy(tmp_path))
    records = TrainingRecords(store)
    quiz = build_quiz(policy, seed=1)
    records.record_quiz(quiz.grade([not q.can_go_out for q in quiz.questions]))
    assert not records.quiz_passed("training-test", "1")
    assert records.records()[0].passed is False
    assert records.offer_category("training-test", "codename") is True
    assert records.offer_category("training-test", "codename") is False
    assert records.categories_offered("training-test") == {"codename"}


def test_the_v5_database_upgrades_to_6_and_keeps_everything(tmp_path: Path) -> None:
    from tests.unit.data_files import V5_DATABASE

    path = tmp_path / "drafts.db"
    path.write_bytes(V5_DATABASE.read_bytes())
    drafts = DraftStore.open(path)
    try:
        assert drafts.schema_version() == LATEST_VERSION >= 6
        [draft] = drafts.list()
        assert draft.body == "Our team shipped the new search today. Proud of everyone! #search"
        [ack] = drafts.acknowledgements(draft.id, "acme-example@2025.06.1")
        assert ack.reason == "I say I work there in my bio"
        records = TrainingRecords(drafts)
        assert records.records() == []
        records.acknowledge(summarise(load_policy("acme-example")))
        assert records.acknowledgement("acme-example", "2025.06.1") is not None
        with drafts.reading() as db:
            assert db.execute("SELECT handle FROM accounts").fetchall() == [("@alice.example.com",)]
            assert db.execute("SELECT rule_id FROM policy_false_positives").fetchall() == [("R3-codename",)]
    finally:
        drafts.close()
    old = sqlite3.connect(tmp_path / "drafts.db.bak-v5")
    try:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 5
        assert old.execute("SELECT name FROM sqlite_master WHERE name = 'training_records'").fetchall() == []
    finally:
        old.close()


def _service(store: DraftStore, policy_now, gate: PolicyGate):
    from desktop.core.accounts import AccountService, AccountStore
    from desktop.core.accounts.secrets import MemorySecretStore
    from desktop.core.ports import Account
    from desktop.core.publishing.service import PublishService

    accounts = AccountService(MemorySecretStore(), AccountStore(store))
    accounts.store.save_account(Account("acct-1", "mastodon", "@alice@social.example", "https://social.example", "7"))
    return PublishService(accounts, {}, policy_now, gate=gate.refusal)


def test_the_publishing_service_refuses_until_the_policy_is_acknowledged_and_asks_again_on_a_new_version(
        tmp_path: Path, store: DraftStore) -> None:
    policies = {"now": load_policy(write_policy(tmp_path, "1"))}
    records = TrainingRecords(store)
    service = _service(store, lambda: policies["now"], PolicyGate(records))
    text = "A clean post about bird watching today."
    refusal = service.refusal(text, ["acct-1"])
    assert refusal is not None
    assert "acknowledgement of the company policy \"Training test policy\" (version 1)" in refusal.reason
    assert "Help → Company policy…" in refusal.reason
    # publish() goes through the same refusal: nothing is sent, nothing recorded
    [status] = service.publish("draft-1", text, ["acct-1"])
    assert (status.state, status.reason) == ("refused", refusal.reason)
    assert service.store.history("draft-1") == []

    records.acknowledge(summarise(policies["now"]))
    assert service.refusal(text, ["acct-1"]) is None
    # the policy's own blocks still refuse, as before
    blocked = service.refusal("Bluejay ships soon", ["acct-1"])
    assert blocked is not None and "Confidential codename" in blocked.reason

    policies["now"] = load_policy(write_policy(tmp_path, "2"))  # a new version: asked again
    again = service.refusal(text, ["acct-1"])
    assert again is not None and "(version 2)" in again.reason
    records.acknowledge(summarise(policies["now"]))
    assert service.refusal(text, ["acct-1"]) is None
    policies["now"] = load_policy(write_policy(tmp_path, "2", policy_id="other-policy"))  # a new id: asked again
    assert service.refusal(text, ["acct-1"]) is not None


def test_the_quiz_required_setting_refuses_until_the_quiz_is_passed(tmp_path: Path, store: DraftStore) -> None:
    from desktop.core.settings import Settings

    settings_file = tmp_path / "settings.json"
    settings = Settings(settings_file)
    policy = load_policy(write_policy(tmp_path))
    records = TrainingRecords(store)
    gate = PolicyGate(records, lambda: bool(settings.get("training.quiz_required")))
    service = _service(store, lambda: policy, gate)
    records.acknowledge(summarise(policy))
    text = "bird watching today"
    assert service.refusal(text, ["acct-1"]) is None  # the default: offered, not required
    settings.set("training.quiz_required", True)
    refusal = service.refusal(text, ["acct-1"])
    assert refusal is not None and "pass the check of understanding" in refusal.reason
    quiz = build_quiz(policy, seed=9)
    records.record_quiz(quiz.grade([not q.can_go_out for q in quiz.questions]))  # failed: still refused
    assert service.refusal(text, ["acct-1"]) is not None
    records.record_quiz(quiz.grade([q.can_go_out for q in quiz.questions]))
    assert service.refusal(text, ["acct-1"]) is None
    assert gate.status(policy).open
