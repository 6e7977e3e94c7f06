"""What the outbox-claim and quit-grace fault tests share: a drafts database with alice linked on a
real Mastodon-API test server (token in a real Secret Service), and Chorus's publishing code run
in separate Python processes on that database, driven line by line over stdin/stdout.

A child process prints ``ready`` once set up; what it does next is the test's script (SENDER).
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from desktop.adapters.networks.mastodon import MastodonClient
from desktop.core.accounts import AccountService, AccountStore
from desktop.core.drafts import DraftStore
from tests.conftest import REPO
from tests.integration.secret_service import SecretService
from tests.integration.test_keyring import store_on
from tests.servers.mastodon_browser import AuthorizeBrowser
from tests.servers.mastodon_server import MastodonTestServer

PASSWORD = "alice-password-for-fault-tests"
STATUSES = "/api/v1/statuses"
CLEAN = "Loved the team offsite this week. Great people, great ideas! 🌊"
DEADLINE_S = 60.0  # for a step on a busy two-core machine; never a speed target

# The set-up every child runs: the real store, keyring, Mastodon client, policy and publishing service.
SENDER = r"""
import json, sys, threading, time
from keyring.backends import SecretService as secret_service_backend
from desktop.adapters.keyring_store import KeyringSecretStore
from desktop.adapters.networks.mastodon import MastodonClient
from desktop.core.accounts import AccountService, AccountStore
from desktop.core.drafts import DraftStore
from desktop.core.policy import load_policy
from desktop.core.publishing.service import PublishService

store = DraftStore.open(sys.argv[1])
accounts = AccountService(KeyringSecretStore(secret_service_backend.Keyring()), AccountStore(store))
client = MastodonClient()
policy = load_policy("acme-example")
service = PublishService(accounts, {"mastodon": client}, lambda: policy)
service.close_grace_s = float(sys.argv[2])
def say(*words):
    print(*words, flush=True)
def told():
    return sys.stdin.readline().strip()
say("ready")
"""


@dataclass
class Linked:
    db: Path
    account_id: str
    draft_id: str


def link_alice(tmp_path: Path, secret_service: SecretService, monkeypatch, server: MastodonTestServer) -> Linked:
    """A drafts database with alice linked on *server* and one draft (CLEAN); the database is closed after."""
    db = tmp_path / "drafts.db"
    drafts = DraftStore.open(db)
    client = MastodonClient()
    try:
        accounts = AccountService(store_on(secret_service, monkeypatch), AccountStore(drafts))
        registration, client_secret = client.register_app(server.url)
        accounts.save_app_registration(registration, client_secret)
        browser = AuthorizeBrowser("alice", PASSWORD)
        try:
            account, token = client.link_with_browser(registration, client_secret, browser, timeout=10)
        finally:
            browser.close()
        record = accounts.link(account, token)
        draft = drafts.create(CLEAN, targets=[record.id])
        return Linked(db, record.id, draft.id)
    finally:
        client.http.close()
        drafts.close()


class Child:
    """A Python process running SENDER + *script* on the database; its output lines arrive on a queue."""

    def __init__(self, script: str, secret_service: SecretService, db: Path, grace_s: float = 3.0,
                 *args: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", SENDER + script, str(db), str(grace_s), *args],
                                        cwd=REPO, env=secret_service.env(), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self, timeout: float = DEADLINE_S) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no word from the child within {timeout} s") from None
        if line is None:
            raise AssertionError(f"the child exited ({self.process.wait()}): {self.stderr()}")
        return line

    def tell(self, word: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(word + "\n")
        self.process.stdin.flush()

    def stderr(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stderr.read() if self.process.stderr else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._reader.join(timeout=DEADLINE_S)  # it ends at the end of the output
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
