import sqlite3
import threading

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.drafts.migrations import LATEST_VERSION
from desktop.core.drafts.model import fold
from desktop.core.errors import DatabaseTooNewError, StorageError


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


@pytest.fixture
def store(tmp_path):
    s = DraftStore.open(tmp_path / "drafts.db", clock=Clock())
    yield s
    s.close()


def test_new_database_is_wal_and_latest_version(store):
    assert store.schema_version() == LATEST_VERSION
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.notices == []
    assert (store.path.stat().st_mode & 0o777) == 0o600


def test_newest_first_search_duplicate_delete_undo(store):
    a = store.create("Launching our café app today")
    b = store.create("Conference talk next week")
    c = store.create("Third thought")
    assert [d.id for d in store.list()] == [c.id, b.id, a.id]
    store.save_body(a.id, "Launching our CAFÉ app today, finally")
    assert [d.id for d in store.list()] == [a.id, c.id, b.id]
    assert [d.id for d in store.list("cafe")] == [a.id]  # accents and case ignored
    assert [d.id for d in store.list("  TALK ")] == [b.id]
    assert store.list("100%") == []  # no LIKE wildcards
    dup = store.duplicate(b.id)
    assert dup.id != b.id and dup.body == b.body and store.list()[0].id == dup.id
    store.delete(b.id)
    assert b.id not in [d.id for d in store.list()] and store.get(b.id) is None
    restored = store.undelete(b.id)
    assert restored is not None and restored.body == "Conference talk next week"
    store.delete(c.id)
    assert store.purge_deleted(older_than_s=0) == 1
    assert store.undelete(c.id) is None


def test_save_to_deleted_draft_is_an_error(store):
    d = store.create("x")
    store.delete(d.id)
    with pytest.raises(StorageError, match="no longer exists"):
        store.save_body(d.id, "y")


def test_title_is_first_nonempty_line():
    from desktop.core.drafts import Draft

    assert Draft("1", "\n\n  Hello world  \nmore", 0, 0).title == "Hello world"
    assert Draft("1", "   ", 0, 0).title == "Untitled draft"
    assert len(Draft("1", "x" * 200, 0, 0).title) == 80


def test_fold():
    assert fold("Ça Élève ŒUF") == "ca eleve œuf"


def test_concurrent_writers_do_not_interleave(store):
    d = store.create("")
    errors = []

    def writer(n):
        try:
            for i in range(50):
                store.save_body(d.id, f"{n}-{i}")
        except Exception as exc:  # noqa: BLE001 - any failure in a writer thread is reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.get(d.id).body.endswith("-49")


def make_v1_database(path):
    """A database as Chorus 0.1 schema version 1 wrote it (kept in tests/data too)."""
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE drafts (id TEXT PRIMARY KEY, body TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL,
                             updated_at REAL NOT NULL, deleted_at REAL);
        CREATE INDEX drafts_by_update ON drafts(updated_at DESC);
        INSERT INTO drafts VALUES ('old1', 'Written by version one', 1.0, 2.0, NULL);
        PRAGMA user_version = 1;
        """
    )
    db.commit()
    db.close()


def test_migrates_v1_database_with_backup_first(tmp_path):
    from tests.unit.data_files import V1_DATABASE

    path = tmp_path / "drafts.db"
    path.write_bytes(V1_DATABASE.read_bytes())
    store = DraftStore.open(path)
    try:
        assert store.schema_version() == LATEST_VERSION
        [draft] = store.list()
        assert draft.body == "Written by version one" and draft.targets == ()
        store.set_targets(draft.id, ["bluesky"])
        assert store.get(draft.id).targets == ("bluesky",)
    finally:
        store.close()
    backup = tmp_path / "drafts.db.bak-v1"
    assert backup.exists()
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT body FROM drafts").fetchall() == [("Written by version one",)]
    old.close()


def test_refuses_a_database_from_a_newer_chorus_and_leaves_it_untouched(tmp_path):
    path = tmp_path / "drafts.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE drafts (id TEXT)")
    db.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNewError, match=f"database version {LATEST_VERSION + 5}"):
        DraftStore.open(path)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("drafts.db.corrupt-*"))


def test_garbage_file_is_moved_aside_and_a_fresh_database_created(tmp_path):
    path = tmp_path / "drafts.db"
    garbage = b"this is not a database at all\x00" * 200
    path.write_bytes(garbage)
    store = DraftStore.open(path)
    try:
        assert store.list() == []
        assert store.schema_version() == LATEST_VERSION
        [kept] = tmp_path.glob("drafts.db.corrupt-*")
        assert kept.read_bytes() == garbage  # nothing overwritten
        assert len(store.notices) == 1 and kept.name in store.notices[0] and "could not be read" in store.notices[0]
    finally:
        store.close()


def test_damaged_pages_are_detected_and_readable_drafts_salvaged(tmp_path):
    path = tmp_path / "drafts.db"
    store = DraftStore.open(path)
    ids = [store.create(f"draft number {i} " + "words " * 200).id for i in range(40)]
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(path.read_bytes())
    page_size = 4096
    # Overwrite the index's pages near the end of the file with noise (the table stays readable).
    index_root = sqlite3.connect(path).execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'drafts_by_update'"
    ).fetchone()[0]
    start = (index_root - 1) * page_size
    data[start + 100 : start + page_size] = bytes((i * 37) % 251 for i in range(page_size - 100))
    path.write_bytes(bytes(data))
    store = DraftStore.open(path)
    try:
        assert store.notices and "moved aside" in store.notices[0]
        recovered = {d.id for d in store.list()}
        assert recovered == set(ids)
        assert "40 draft(s) could be recovered" in store.notices[0]
    finally:
        store.close()
