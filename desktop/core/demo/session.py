"""A demo's life: a fresh temporary profile, the bundle's sample state put in it (and put back by
Reset demo), and the profile deleted at the end, also when an earlier demo crashed.

The profile is a folder ``chorus-demo-*`` in the system's temporary folder holding ``demo.lock``,
locked (an OS file lock) for as long as its demo runs. The OS lets go of the lock when the process
ends in any way, so a later demo finds a crashed one's folder unlocked and deletes it
(:func:`clean_stale`). Nothing goes to the person's real profile: every Chorus file lives under
the demo profile, the secrets in memory only (desktop.core.accounts.secrets.MemorySecretStore).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from desktop.core.demo.bundle import DemoBundle
from desktop.core.demo.feed import SandboxPosts, account_server
from desktop.core.demo.ideas import write_feeds

if TYPE_CHECKING:
    from desktop.core.accounts.service import AccountService
    from desktop.core.drafts import DraftStore

log = logging.getLogger(__name__)

PREFIX = "chorus-demo-"
LOCK_FILE = "demo.lock"
POLICY_FILE = "demo-policy.toml"
SANDBOX_FILE = "sandbox.db"
# a folder this young without its lock may be a demo starting right now (made, not yet locked)
STARTING_GRACE_S = 60.0
DEMO_SECRET = "sandbox-demo-credential"  # what the sandbox accounts "sign in" with (memory only)
BANNER = "Demo — nothing is published"
# tables holding the state a demo changes; emptied by Reset demo (children before parents). The ideas'
# tables too: the bundle's ideas come back unread and undismissed, their feeds read again from the files
_TABLES = ("outbox", "publish_history", "acknowledgements", "policy_rule_usage", "policy_false_positives",
           "draft_ideas", "drafts", "accounts", "app_registrations", "idea_marks", "idea_items", "idea_feeds")


def demo_parent() -> Path:
    return Path(tempfile.gettempdir())


def _try_lock(handle: IO[bytes]) -> bool:
    """Take the OS lock on *handle* without waiting; False when another process holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def clean_stale(parent: Path | None = None, *, now: float | None = None) -> list[Path]:
    """Delete the demo profiles no running demo holds (left by a crash); returns those deleted."""
    parent = parent or demo_parent()
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        candidates = [p for p in parent.glob(f"{PREFIX}*") if p.is_dir() and not p.is_symlink()]
    except OSError:
        return removed
    for folder in candidates:
        lock = folder / LOCK_FILE
        try:
            if not lock.exists():
                if now - folder.stat().st_mtime < STARTING_GRACE_S:
                    continue
                shutil.rmtree(folder)
                removed.append(folder)
                continue
            with open(lock, "rb+") as handle:
                if not _try_lock(handle):
                    continue  # a demo running now
            shutil.rmtree(folder)
            removed.append(folder)
        except OSError as exc:
            log.warning("could not remove the old demo profile %s: %s", folder, exc)
    return removed


@dataclass
class DemoProfile:
    """The temporary profile of one demo (``--profile`` for everything else), locked while it runs."""

    root: Path
    _lock: IO[bytes] | None = field(default=None, repr=False)

    @classmethod
    def create(cls, parent: Path | None = None) -> DemoProfile:
        parent = parent or demo_parent()
        removed = clean_stale(parent)
        if removed:
            log.info("removed %d demo profile(s) left by an earlier demo", len(removed))
        root = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
        handle = open(root / LOCK_FILE, "wb+")  # noqa: SIM115 - held open (and locked) for the demo's life
        if not _try_lock(handle):  # nobody else can know this folder yet
            handle.close()
            raise OSError(f"cannot lock the new demo profile {root}")
        handle.write(str(os.getpid()).encode())
        handle.flush()
        return cls(root, handle)

    @property
    def policy_file(self) -> Path:
        return self.root / POLICY_FILE

    @property
    def sandbox_file(self) -> Path:
        return self.root / SANDBOX_FILE

    def remove(self) -> None:
        """Delete the profile (at the end of the demo). Safe to call twice."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        shutil.rmtree(self.root, ignore_errors=True)


class DemoSession:
    """What demo mode knows while it runs: the bundle, its profile, the sandbox's posts; puts the
    sample state in place (:meth:`reset`)."""

    def __init__(self, bundle: DemoBundle, profile: DemoProfile) -> None:
        self.bundle = bundle
        self.profile = profile
        self.posts = SandboxPosts(profile.sandbox_file)
        self.banner = BANNER

    def prepare(self, settings_file: Path) -> None:
        """Before the settings are read: the bundle's policy and ideas (feed files) in the profile, and the
        settings naming them."""
        self.profile.policy_file.write_text(self.bundle.policy_text, encoding="utf-8")
        values: dict[str, object] = {"policy.source": str(self.profile.policy_file)}
        feeds = self.idea_feeds()
        if feeds:
            values["ideas.feeds"] = [str(path) for path in feeds]
        settings_file.parent.mkdir(parents=True, exist_ok=True)
        document = {"schema_version": 1, "values": values}
        settings_file.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")

    def idea_feeds(self) -> list[Path]:
        """(Re)write the bundle's ideas as feed files in the profile (desktop.core.demo.ideas); the files."""
        return write_feeds(self.bundle.ideas, self.profile.root)

    def account_id(self, demo_id: str) -> str:
        return f"demo-{demo_id}"

    def reset(self, store: DraftStore, accounts: AccountService) -> None:
        """The bundle's sample state, whatever the demo did: its drafts (in the bundle's order, the
        first on top), its accounts linked, the feed holding only its feed items, its ideas unread and
        undismissed (read again from their files, so the Ideas panel has them at once). Blocking (disk)."""
        from desktop.core.ideas import IdeasService, IdeaStore
        from desktop.core.ports import Account

        now = time.time()
        drafts = self.bundle.drafts
        every = [self.account_id(a.id) for a in self.bundle.accounts]
        with store.transaction() as db:
            for table in _TABLES:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            # listed newest first, then last inserted first: inserted in reverse, the first comes on top
            db.executemany(
                "INSERT INTO drafts (id, body, created_at, updated_at, targets) VALUES (?, ?, ?, ?, ?)",
                [(os.urandom(16).hex(), draft.text, now, now,
                  json.dumps([self.account_id(a) for a in draft.accounts] or every)) for draft in reversed(drafts)])
        for demo in self.bundle.accounts:
            accounts.link(Account(self.account_id(demo.id), "sandbox", demo.handle, account_server(demo.looks_like),
                                  remote_id=demo.handle, display_name=demo.name), DEMO_SECRET)
        self.posts.reset(self.bundle.feed)
        ideas = IdeasService(IdeaStore(store), None)  # feed files only: a demo downloads nothing
        for feed in self.idea_feeds():
            ideas.refresh(str(feed))
