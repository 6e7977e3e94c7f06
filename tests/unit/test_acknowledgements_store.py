"""Acknowledgements of policy findings: the record, its key, and how the drafts database keeps it."""

import sqlite3
from dataclasses import dataclass

import pytest

from desktop.core.drafts import Acknowledgement, DraftStore
from desktop.core.drafts.acknowledgements import ACKNOWLEDGED, DISMISSED, MIN_REASON_LENGTH, match, occurrences
from desktop.core.drafts.migrations import LATEST_VERSION
from desktop.core.errors import StorageError


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


@dataclass(frozen=True)
class F:  # the shape of desktop.core.policy.model.Finding that acknowledgements rely on
    rule_id: str
    severity: str
    start: int
    end: int
    text: str


@pytest.fixture
def store(tmp_path):
    s = DraftStore.open(tmp_path / "drafts.db", clock=Clock())
    yield s
    s.close()


REASON = "Approved by comms on 3 May"


def test_migration_3_creates_the_acknowledgements_table(store):
    assert store.schema_version() == LATEST_VERSION >= 3
    columns = [row[1] for row in store._db.execute("PRAGMA table_info(acknowledgements)")]
    assert columns == ["draft_id", "rule_id", "matched_text", "occurrence", "policy_version", "kind", "reason",
                       "created_at"]


def test_save_list_replace_and_delete(store):
    draft = store.create("Acme Vault and Acme Vault")
    ack = Acknowledgement(draft.id, "codename", "Acme Vault", 1, "2024.3", ACKNOWLEDGED, REASON)
    stored = store.save_acknowledgement(ack)
    assert stored.created_at > 0 and stored.key == ("codename", "Acme Vault", 1)
    assert store.acknowledgements(draft.id, "2024.3") == [stored]
    again = store.save_acknowledgement(Acknowledgement(draft.id, "codename", "Acme Vault", 1, "2024.3", ACKNOWLEDGED,
                                                       "A different, longer reason"))
    assert store.acknowledgements(draft.id, "2024.3") == [again]  # same key: replaced, not duplicated
    store.delete_acknowledgement(again)
    assert store.acknowledgements(draft.id, "2024.3") == []


def test_acknowledgements_of_another_policy_version_do_not_apply_and_can_be_dropped(store):
    draft = store.create("Acme Vault")
    store.save_acknowledgement(Acknowledgement(draft.id, "codename", "Acme Vault", 0, "v1", ACKNOWLEDGED, REASON))
    store.save_acknowledgement(Acknowledgement(draft.id, "hint", "soon", 0, "v2", DISMISSED))
    assert [a.policy_version for a in store.acknowledgements(draft.id, "v2")] == ["v2"]
    assert store.drop_acknowledgements_of_other_policies("v2") == 1
    assert store.acknowledgements(draft.id, "v1") == []
    assert len(store.acknowledgements(draft.id, "v2")) == 1


def test_a_warn_acknowledgement_needs_a_reason(store):
    draft = store.create("x")
    for reason in ("", "too short", " " * 20, "short     "):
        with pytest.raises(ValueError, match=f"at least {MIN_REASON_LENGTH} characters"):
            store.save_acknowledgement(Acknowledgement(draft.id, "r", "x", 0, "v", ACKNOWLEDGED, reason))
    with pytest.raises(ValueError, match="unknown acknowledgement kind"):
        store.save_acknowledgement(Acknowledgement(draft.id, "r", "x", 0, "v", "overridden", REASON))
    assert store.acknowledgements(draft.id, "v") == []


def test_acknowledgement_of_a_missing_draft_is_a_storage_error(store):
    with pytest.raises(StorageError, match="does not exist"):
        store.save_acknowledgement(Acknowledgement("nope", "r", "x", 0, "v", DISMISSED))


def test_acknowledgements_go_with_their_draft_when_the_bin_is_purged(store):
    draft = store.create("x")
    store.save_acknowledgement(Acknowledgement(draft.id, "r", "x", 0, "v", DISMISSED))
    store.delete(draft.id)
    assert len(store.acknowledgements(draft.id, "v")) == 1  # still in the bin: undo keeps them
    store.purge_deleted(older_than_s=0)
    assert store._db.execute("SELECT COUNT(*) FROM acknowledgements").fetchone()[0] == 0


def test_for_finding_refuses_block_and_picks_the_kind_from_the_severity():
    warn = F("codename", "warn", 0, 10, "Acme Vault")
    info = F("hint", "info", 0, 4, "soon")
    block = F("secret", "block", 0, 6, "Q3 numbers")
    with pytest.raises(ValueError, match="cannot be acknowledged"):
        Acknowledgement.for_finding("d", block, 0, "v", REASON)
    with pytest.raises(ValueError, match="at least"):
        Acknowledgement.for_finding("d", warn, 0, "v", "meh")
    ack = Acknowledgement.for_finding("d", warn, 0, "v", f"  {REASON}  ")
    assert ack.kind == ACKNOWLEDGED and ack.reason == REASON
    assert Acknowledgement.for_finding("d", info, 0, "v", "ignored").kind == DISMISSED


def test_occurrences_count_same_rule_and_text_in_position_order():
    findings = [
        F("codename", "warn", 30, 40, "Acme Vault"),
        F("codename", "warn", 0, 10, "Acme Vault"),
        F("codename", "warn", 15, 25, "Acme Safe!"),
        F("other", "info", 0, 10, "Acme Vault"),
    ]
    assert occurrences(findings) == [1, 0, 0, 0]


def test_match_applies_only_to_the_same_key_and_a_matching_severity():
    findings = [F("codename", "warn", 0, 10, "Acme Vault"), F("codename", "warn", 20, 30, "Acme Vault"),
                F("hint", "info", 40, 44, "soon")]
    acks = [Acknowledgement("d", "codename", "Acme Vault", 1, "v", ACKNOWLEDGED, REASON),
            Acknowledgement("d", "hint", "soon", 0, "v", DISMISSED)]
    assert match(findings, acks) == [None, acks[0], acks[1]]
    # the matched text changed: the key no longer matches
    assert match([F("codename", "warn", 20, 30, "Acme Vaul7")], acks) == [None]
    # the rule became a block: an old acknowledgement never overrides it
    assert match([F("codename", "block", 0, 10, "Acme Vault"), F("codename", "block", 20, 30, "Acme Vault")],
                 acks) == [None, None]


def test_migrates_v2_database_with_backup_first(tmp_path):
    from tests.unit.data_files import V2_DATABASE

    path = tmp_path / "drafts.db"
    path.write_bytes(V2_DATABASE.read_bytes())
    store = DraftStore.open(path)
    try:
        assert store.schema_version() == LATEST_VERSION
        [draft] = store.list()
        assert draft.body == "Written by version two: Acme Vault ships soon" and draft.targets == ("bluesky", "x")
        assert store.acknowledgements(draft.id, "v") == []
        ack = store.save_acknowledgement(
            Acknowledgement(draft.id, "codename", "Acme Vault", 0, "v", ACKNOWLEDGED, REASON))
        assert store.acknowledgements(draft.id, "v") == [ack]
    finally:
        store.close()
    old = sqlite3.connect(tmp_path / "drafts.db.bak-v2")
    assert old.execute("PRAGMA user_version").fetchone()[0] == 2
    assert old.execute("SELECT name FROM sqlite_master WHERE name = 'acknowledgements'").fetchall() == []
    old.close()
