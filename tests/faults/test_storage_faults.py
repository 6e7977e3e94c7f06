"""The drafts database under real trouble: another process holding it, read-only files and folders,
a file-size limit, truncated and damaged files (issue 9, findings 1, 2 and 5).

Everything is real: SQLite files with 20 drafts, a second Python process holding the lock, a
subprocess whose file-size limit (``RLIMIT_FSIZE``, SIGXFSZ ignored as Python does) makes writes
fail with EFBIG, and permissions enforced by the kernel. Tests run as root in some CI containers,
where ``chmod`` stops nobody: there the opening runs in a subprocess whose capabilities that
override file permissions are dropped (``setpriv --bounding-set``), so it is refused exactly as a
normal user would be.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.drafts.recovery import list_moved_aside, restore_moved_aside
from desktop.core.errors import (
    DatabaseLockedError,
    DatabaseReadOnlyError,
    DiskFullError,
    ProfileFolderError,
)

REPO = Path(__file__).resolve().parents[2]
PAGE = 4096
SHORT_BUSY = 0.3  # seconds: how long the tests let DraftStore.open wait for a lock


# -- helpers ------------------------------------------------------------------------------------------
def make_drafts(path: Path, count: int = 20, body: str = "Draft {i:04d} about our launch. ") -> dict[str, str]:
    """A real database with *count* drafts; returns id -> body."""
    store = DraftStore.open(path)
    try:
        made = {}
        for i in range(count):
            draft = store.create((body.format(i=i)) * 8, ["bluesky"])
            made[draft.id] = draft.body
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return made


def drafts_in(path: Path) -> dict[str, str]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT id, body FROM drafts"))
    finally:
        db.close()


def moved(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm")))


HOLD = r"""
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA locking_mode=EXCLUSIVE")
db.execute("BEGIN EXCLUSIVE")
db.execute("SELECT count(*) FROM drafts").fetchone()
print("held", flush=True)
sys.stdin.read()
db.execute("COMMIT")
db.close()
"""


@contextmanager
def held_by_another_process(path: Path) -> Iterator[None]:
    """Another process holds *path* with ``PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE``."""
    with subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          text=True) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        try:
            assert holder.stdout.readline().strip() == "held"
            yield
        finally:
            holder.stdin.close()
            assert holder.wait(timeout=60) == 0


OPEN = r"""
import json, os, sys
from pathlib import Path
from desktop.core.drafts import DraftStore
limit = int(sys.argv[2])
if limit:
    import resource, signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # Python's own default: writes fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    store = DraftStore.open(Path(sys.argv[1]), busy_timeout=float(sys.argv[3]))
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
else:
    print(json.dumps({"error": None, "drafts": len(store.list()), "notices": store.notices}))
    store.close()
"""


def unprivileged() -> list[str]:
    """A command prefix under which file permissions apply, also when the tests run as root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: no way to make a read-only file refuse writes")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable", "--"]


def open_elsewhere(path: Path, *, prefix: list[str] | None = None, file_size_limit: int = 0) -> dict:
    """DraftStore.open in another process; returns what happened."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([*(prefix or []), sys.executable, "-c", OPEN, str(path), str(file_size_limit),
                           str(SHORT_BUSY)], cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def damage_page(path: Path, number: int) -> None:
    """Overwrite page *number* (1-based) of *path* with noise, header included."""
    data = bytearray(path.read_bytes())
    start = (number - 1) * PAGE
    data[start : start + PAGE] = bytes((i * 37 + 11) % 251 for i in range(PAGE))
    path.write_bytes(bytes(data))


def root_page(path: Path, name: str) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    finally:
        db.close()


# -- finding 1: a locked database is not a damaged one -----------------------------------------------
def test_a_database_held_by_another_process_is_reported_and_left_in_place(tmp_path):
    path = tmp_path / "drafts.db"
    made = make_drafts(path)
    with held_by_another_process(path):
        with pytest.raises(DatabaseLockedError) as raised:
            DraftStore.open(path, busy_timeout=SHORT_BUSY)
    message = str(raised.value)
    assert "Chorus is open in another window, or another program holds your drafts" in message
    assert str(path) in message
    assert moved(tmp_path) == []
    assert drafts_in(path) == made
    store = DraftStore.open(path)  # once the other process lets go, everything is there
    try:
        assert len(store.list()) == 20 and store.notices == []
    finally:
        store.close()


# -- read-only file and folder: reported when opening, not at the first autosave ----------------------
def test_a_read_only_database_file_is_reported_at_start(tmp_path):
    path = tmp_path / "drafts.db"
    made = make_drafts(path)
    path.chmod(0o444)
    try:
        outcome = open_elsewhere(path, prefix=unprivileged())
    finally:
        path.chmod(0o600)
    assert outcome["error"] == DatabaseReadOnlyError.__name__, outcome
    assert f"{path} is read-only" in outcome["message"] and "Nothing was changed" in outcome["message"]
    assert moved(tmp_path) == [] and drafts_in(path) == made


def test_a_read_only_folder_is_reported_at_start(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "drafts.db"
    made = make_drafts(path)
    folder.chmod(0o555)
    try:
        outcome = open_elsewhere(path, prefix=unprivileged())
    finally:
        folder.chmod(0o700)
    assert outcome["error"] == DatabaseReadOnlyError.__name__, outcome
    assert f"the folder {folder}" in outcome["message"] and "read-only" in outcome["message"]
    assert moved(folder) == [] and drafts_in(path) == made


# -- finding 2: a write error at start-up never hides the drafts ---------------------------------------
def test_a_file_size_limit_at_start_is_reported_and_the_drafts_stay(tmp_path):
    path = tmp_path / "drafts.db"
    made = make_drafts(path)
    assert path.stat().st_size > 20 * 1024
    outcome = open_elsewhere(path, file_size_limit=20 * 1024)  # ulimit -f 20
    assert outcome["error"] == DiskFullError.__name__, outcome
    assert "file-size limit" in outcome["message"] and str(path) in outcome["message"]
    assert moved(tmp_path) == []
    assert drafts_in(path) == made
    store = DraftStore.open(path)  # the next normal start: all 20, nothing to announce
    try:
        assert len(store.list()) == 20 and store.notices == []
    finally:
        store.close()


def test_a_damaged_database_that_cannot_be_replaced_is_put_back(tmp_path):
    path = tmp_path / "drafts.db"
    made = make_drafts(path)
    damage_page(path, root_page(path, "drafts_by_update"))
    damaged = path.read_bytes()
    # Room for the 32 KiB -shm (so the damage is found) but not for a fresh database and its -wal.
    outcome = open_elsewhere(path, file_size_limit=36 * 1024)
    assert outcome["error"] == DiskFullError.__name__, outcome
    assert "looks damaged" in outcome["message"] and "left in place" in outcome["message"]
    assert path.read_bytes() == damaged  # the original is back under its own name
    assert moved(tmp_path) == []
    store = DraftStore.open(path)  # with room again, the recovery runs and finds every draft
    try:
        assert {d.id: d.body for d in store.list()} == made
        assert "20 draft(s) could be recovered" in store.notices[0]
    finally:
        store.close()


# -- genuinely damaged files: moved aside, salvaged, announced ---------------------------------------
def test_a_truncated_database_is_moved_aside_and_what_remains_salvaged(tmp_path):
    path = tmp_path / "drafts.db"
    made = make_drafts(path, body="Truncated draft {i:04d}. ")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    store = DraftStore.open(path)
    try:
        [kept] = moved(tmp_path)
        assert kept.read_bytes() == data[: len(data) // 2]
        recovered = {d.id: d.body for d in store.list()}
        assert recovered.items() <= made.items()
        assert f"{len(recovered)} draft(s) could be recovered" in store.notices[0] and kept.name in store.notices[0]
    finally:
        store.close()


def test_a_garbage_file_is_moved_aside_and_listed(tmp_path):
    path = tmp_path / "drafts.db"
    path.write_bytes(os.urandom(64 * 1024))
    store = DraftStore.open(path)
    try:
        [kept] = moved(tmp_path)
        assert "could not be read" in store.notices[0] and "0 draft(s) could be recovered" in store.notices[0]
        [item] = store.moved_aside()
        assert item.path == kept and item.kind == "damaged" and item.drafts is None and item.missing == 0
    finally:
        store.close()


def test_unreadable_rows_are_skipped_and_the_rest_salvaged(tmp_path):
    path = tmp_path / "drafts.db"
    made = make_drafts(path, count=60, body="Row {i:04d} of many. ")
    data = path.read_bytes()
    # A leaf page of the drafts table in the middle of the file: the drafts on it are lost, no others.
    marker = b"Row 0030 of many."
    page = data.index(marker) // PAGE + 1
    on_page = {key for key, body in made.items() if body.encode()[:17] in data[(page - 1) * PAGE : page * PAGE]}
    assert 0 < len(on_page) < 30
    damage_page(path, page)
    store = DraftStore.open(path)
    try:
        recovered = {d.id: d.body for d in store.list()}
        assert recovered == {k: v for k, v in made.items() if k not in on_page}
        assert f"{60 - len(on_page)} draft(s) could be recovered" in store.notices[0]
    finally:
        store.close()


# -- finding 5: salvage brings back every table ------------------------------------------------------
TABLES = ("drafts", "acknowledgements", "accounts", "app_registrations", "publish_history", "outbox")


def fill_every_table(path: Path) -> dict[str, list[tuple]]:
    store = DraftStore.open(path)
    try:
        kept = store.create("Kept draft, with targets", ["acct-1", "acct-2"])
        binned = store.create("Draft in the bin")
        queued = store.create("Queued for the outbox")
        store.delete(binned.id)
        with store.transaction() as db:
            db.execute("INSERT INTO acknowledgements VALUES (?, 'no-dates', 'tomorrow', 0, 'v7', 'acknowledged', "
                       "'Approved by legal', 1.5)", (kept.id,))
            db.execute("INSERT INTO accounts (id, network, handle, server, remote_id, display_name, limits, "
                       "created_at, updated_at) VALUES ('acct-1', 'mastodon', '@me', 'https://social.example', "
                       "'109', 'Me', '{\"max_characters\": 500}', 1.0, 2.0)")
            db.execute("INSERT INTO accounts (id, network, handle, created_at, updated_at, needs_relink) "
                       "VALUES ('acct-2', 'bluesky', 'me.bsky.social', 1.0, 2.0, 1)")
            db.execute("INSERT INTO app_registrations VALUES ('mastodon', 'https://social.example', 'cid', "
                       "'[\"http://127.0.0.1\"]', 'write', 3.0)")
            db.execute("INSERT INTO publish_history (idempotency_key, draft_id, account_id, network, status, "
                       "post_url, created_at, updated_at, sent_at) VALUES ('key-sent', ?, 'acct-1', 'mastodon', "
                       "'sent', 'https://social.example/@me/1', 4.0, 4.0, 4.0)", (kept.id,))
            db.execute("INSERT INTO publish_history (idempotency_key, draft_id, account_id, network, status, rkey, "
                       "attempts, created_at, updated_at) VALUES ('key-pending', ?, 'acct-2', 'bluesky', "
                       "'pending', '3kabc', 1, 5.0, 5.0)", (queued.id,))
            db.execute("INSERT INTO outbox (draft_id, account_ids, text, queued_at, attempts, next_attempt_at, "
                       "last_error) VALUES (?, '[\"acct-2\"]', 'Queued for the outbox', 6.0, 2, 7.0, 'offline')",
                       (queued.id,))
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with store.reading() as db:
            return {table: sorted(db.execute(f"SELECT * FROM {table}").fetchall()) for table in TABLES}
    finally:
        store.close()


def test_salvage_recovers_accounts_history_outbox_targets_and_acknowledgements(tmp_path):
    path = tmp_path / "drafts.db"
    before = fill_every_table(path)
    damage_page(path, root_page(path, "drafts_by_update"))
    damage_page(path, root_page(path, "outbox_by_next_attempt"))
    store = DraftStore.open(path)
    try:
        assert len(moved(tmp_path)) == 1
        with store.reading() as db:
            after = {table: sorted(db.execute(f"SELECT * FROM {table}").fetchall()) for table in TABLES}
        assert after == before  # every row of every table, the bin, targets and the pending record included
        notice = store.notices[0]
        assert "3 draft(s) could be recovered" in notice
        assert "2 linked account(s)" in notice and "2 publish record(s)" in notice and "1 acknowledgement(s)" in notice
    finally:
        store.close()


def test_salvage_of_an_older_schema_keeps_what_maps(tmp_path):
    from tests.unit.data_files import V2_DATABASE

    path = tmp_path / "drafts.db"
    shutil.copyfile(V2_DATABASE, path)
    original = sqlite3.connect(path)
    rows = original.execute("SELECT id, body, created_at, updated_at, deleted_at, targets FROM drafts").fetchall()
    original.close()
    damage_page(path, root_page(path, "drafts_by_update"))
    store = DraftStore.open(path)
    try:
        with store.reading() as db:
            assert db.execute("SELECT id, body, created_at, updated_at, deleted_at, targets FROM drafts").fetchall() == rows
        assert "could be recovered" in store.notices[0]
    finally:
        store.close()


# -- what was moved aside is announced at the next start and can be restored --------------------------
def hidden_by_the_old_bug(folder: Path) -> tuple[Path, dict[str, str]]:
    """Finding 2's aftermath: 20 drafts in a drafts.db.corrupt-* file, an almost empty database in front."""
    path = folder / "drafts.db"
    made = make_drafts(path)
    hidden = folder / "drafts.db.corrupt-20261201-101500"
    path.rename(hidden)
    store = DraftStore.open(path)
    store.create("Written after the loss")
    store.close()
    return hidden, made


def test_the_next_start_names_the_moved_aside_file_and_how_to_restore_it(tmp_path):
    hidden, made = hidden_by_the_old_bug(tmp_path)
    store = DraftStore.open(tmp_path / "drafts.db")
    try:
        [notice] = store.notices
        assert hidden.name in notice and "holds 20 draft(s) that are not in your current drafts" in notice
        assert f'chorus restore-drafts "{hidden}"' in notice
        [item] = store.moved_aside()
        assert (item.path, item.kind, item.drafts, item.missing) == (hidden, "damaged", 20, 20)
        assert time.localtime(item.moved_at)[:5] == (2026, 12, 1, 10, 15)
    finally:
        store.close()


def test_restore_brings_the_drafts_back_and_keeps_the_newer_ones(tmp_path):
    hidden, made = hidden_by_the_old_bug(tmp_path)
    path = tmp_path / "drafts.db"
    result = restore_moved_aside(path, hidden)
    assert result.drafts == 21 and result.merged.get("drafts") == 1
    assert result.replaced is not None and result.replaced.exists() and not hidden.exists()
    store = DraftStore.open(path)
    try:
        bodies = {d.id: d.body for d in store.list()}
        assert made.items() <= bodies.items() and "Written after the loss" in bodies.values()
        assert store.notices == []  # nothing left that the current database lacks
    finally:
        store.close()


def test_restoring_a_damaged_file_salvages_it_and_keeps_the_current_drafts(tmp_path):
    hidden, made = hidden_by_the_old_bug(tmp_path)
    damage_page(hidden, root_page(hidden, "drafts_by_update"))
    result = restore_moved_aside(tmp_path / "drafts.db", hidden)
    assert result.drafts == 21 and "20 draft(s) could be recovered" in result.notices[0]
    assert made.items() <= drafts_in(tmp_path / "drafts.db").items()
    kinds = sorted(item.kind for item in list_moved_aside(tmp_path / "drafts.db"))
    assert kinds == ["damaged", "replaced"]  # the damaged file and the replaced database, both kept


def test_restore_refuses_while_chorus_has_the_database_open(tmp_path):
    hidden, _made = hidden_by_the_old_bug(tmp_path)
    path = tmp_path / "drafts.db"
    store = DraftStore.open(path)
    try:
        with pytest.raises(DatabaseLockedError, match="Quit Chorus"):
            restore_moved_aside(path, hidden, busy_timeout=SHORT_BUSY)
        assert hidden.exists() and len(store.list()) == 1
    finally:
        store.close()


def test_restore_drafts_command_lists_and_restores(tmp_path):
    profile = tmp_path / "profile"
    (profile / "data").mkdir(parents=True)
    hidden, made = hidden_by_the_old_bug(profile / "data")
    command = [sys.executable, "-m", "desktop", "restore-drafts", "--profile", str(profile)]
    listing = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert hidden.name in listing.stdout and "20 draft(s), 20 not in your current drafts" in listing.stdout
    restored = subprocess.run([*command, hidden.name], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert restored.returncode == 0, restored.stderr
    assert "21 draft(s)" in restored.stdout
    assert made.items() <= drafts_in(profile / "data" / "drafts.db").items()
    again = subprocess.run([*command, hidden.name], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "does not exist" in again.stderr and "Traceback" not in again.stderr
    assert [i.kind for i in list_moved_aside(profile / "data" / "drafts.db")] == ["replaced"]


# -- start-up: every storage problem is a dialog and exit code 2, never a traceback -----------------
START = r"""
import json, sys
from desktop import bootstrap
shown = []
code = bootstrap.main(sys.argv[1:], show_fatal=shown.append, busy_timeout=float(SHORT_BUSY))
print(json.dumps({"code": code, "shown": shown}))
"""


def start_chorus(*argv: str) -> tuple[dict, str]:
    done = subprocess.run([sys.executable, "-c", START.replace("SHORT_BUSY", str(SHORT_BUSY)), *argv], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1]), done.stderr


def test_a_locked_database_at_start_gives_the_dialog_message_and_exit_code_2(tmp_path):
    profile = tmp_path / "profile"
    (profile / "data").mkdir(parents=True)
    path = profile / "data" / "drafts.db"
    made = make_drafts(path)
    before = path.read_bytes()
    with held_by_another_process(path):
        outcome, stderr = start_chorus("--profile", str(profile))
    assert outcome["code"] == 2
    [message] = outcome["shown"]
    assert "Chorus is open in another window" in message and str(path) in message
    assert message in stderr and "Traceback" not in stderr
    log = (profile / "logs" / "chorus.log").read_text()
    assert "cannot open drafts (DatabaseLockedError)" in log
    assert path.read_bytes() == before and drafts_in(path) == made and moved(path.parent) == []


def test_a_profile_path_that_is_a_file_gives_a_clear_message(tmp_path):
    blocker = tmp_path / "profile"
    blocker.write_text("not a folder")
    outcome, stderr = start_chorus("--profile", str(blocker))
    assert outcome["code"] == 2
    [message] = outcome["shown"]
    assert f"{blocker} is a file, not a folder" in message and "Traceback" not in stderr
    assert blocker.read_text() == "not a folder"


def test_a_file_where_the_data_folder_belongs_gives_a_clear_message(tmp_path):
    (tmp_path / "data").write_text("x")
    with pytest.raises(ProfileFolderError, match="is a file, not a folder"):
        DraftStore.open(tmp_path / "data" / "drafts.db")


def test_the_window_names_the_moved_aside_file_and_the_restore_command(qtbot, tmp_path):
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.common.tasks import TaskRunner
    from desktop.ui.shell.main_window import MainWindow

    paths = AppPaths.for_profile(tmp_path / "profile")
    paths.ensure()
    hidden, _made = hidden_by_the_old_bug(paths.data_dir)
    store = DraftStore.open(paths.drafts_db)
    runner = TaskRunner()
    window = MainWindow(Settings(paths.settings_file), store, runner, notices=store.notices,
                        policy_cache=paths.last_good_policy)
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.drafts_loaded, timeout=5000):
            window.show()
        assert window.notice.isVisible()
        text = window.notice.label.text()
        assert hidden.name in text and "20 draft(s)" in text and "chorus restore-drafts" in text
    finally:
        window.close()
        runner.shutdown()
        store.close()
