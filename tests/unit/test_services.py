"""The composition root's services for the UI: built lazily, keyring calls on one thread, linking errors in words."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from desktop.core import networks
from desktop.core.accounts.linking import Linking, describe_error
from desktop.core.accounts.secrets import MemorySecretStore, SerialSecretStore
from desktop.core.ports import AuthError, Offline, SecretStoreError
from desktop.core.services import Services
from tests.conftest import REPO


class ThreadRecordingStore(MemorySecretStore):
    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()

    def get(self, key):
        self.threads.add(threading.get_ident())
        return super().get(key)

    def set(self, key, value):
        self.threads.add(threading.get_ident())
        super().set(key, value)


def test_every_secret_call_runs_on_one_thread_and_the_store_is_built_there_on_first_use():
    built: list[int] = []
    inner = ThreadRecordingStore()

    def make():
        built.append(threading.get_ident())
        return inner

    serial = SerialSecretStore(make)
    assert built == []  # nothing until the first call
    workers = [threading.Thread(target=lambda n=n: serial.set(f"acct-{n}", f"secret-{n}")) for n in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [serial.get(f"acct-{n}") for n in range(8)] == [f"secret-{n}" for n in range(8)]
    assert len(inner.threads) == 1 and built == list(inner.threads)
    assert threading.get_ident() not in inner.threads
    serial.delete("acct-0")
    assert serial.get("acct-0") is None


def test_secret_store_errors_reach_the_caller_and_a_closed_store_refuses_politely():
    inner = MemorySecretStore()
    inner.fail_with = SecretStoreError("Your keyring is locked.", advice="Unlock your login keyring.")
    serial = SerialSecretStore(lambda: inner)
    with pytest.raises(SecretStoreError, match="locked") as caught:
        serial.set("acct-1", "value")
    assert caught.value.advice == "Unlock your login keyring."
    serial.close()
    with pytest.raises(SecretStoreError, match="closing"):
        serial.get("acct-1")


def test_services_build_each_part_once_on_first_use():
    calls: list[str] = []

    def make_accounts():
        calls.append("accounts")
        return object()

    def make_linking(accounts):
        calls.append("linking")
        return ("linking", accounts)

    def make_publisher(accounts, policy):
        calls.append("publisher")
        return ("publisher", accounts, policy)

    services = Services(make_accounts, make_linking, make_publisher, linkable=("mastodon",))
    assert calls == [] and services.linkable == ("mastodon",)
    linking = services.linking
    assert services.linking is linking and linking[1] is services.accounts
    first = services.publisher(lambda: None)
    assert services.publisher(lambda: "other") is first
    assert calls == ["accounts", "linking", "publisher"]


def test_building_the_services_imports_no_keyring_http_or_network_adapter():
    code = (
        "import sys, tempfile, pathlib\n"
        "from desktop.bootstrap import build_services\n"
        "from desktop.core.drafts import DraftStore\n"
        "from desktop.core.settings import Settings\n"
        "tmp = pathlib.Path(tempfile.mkdtemp())\n"
        "services = build_services(Settings(tmp / 's.json'), DraftStore.open(tmp / 'd.db'), tmp)\n"
        "print(services.linkable)\n"
        "print(sorted(m for m in sys.modules if m in ('requests', 'keyring', 'PySide6') "
        "or m.startswith(('desktop.adapters.networks.', 'desktop.adapters.keyring', 'desktop.core.accounts'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    linkable, imported = out.stdout.splitlines()
    assert linkable == repr(tuple(network.id for network in networks.linkable()))
    assert linkable.startswith("('bluesky', 'mastodon', 'linkedin'")
    assert imported == "[]"


def test_linking_errors_are_told_in_the_users_words():
    assert describe_error(SecretStoreError("Your keyring is locked.", advice="Unlock it.")) == \
        "Your keyring is locked. Unlock it."
    assert describe_error(AuthError("You did not authorize Chorus on social.example.")) == \
        "You did not authorize Chorus on social.example."
    assert describe_error(Offline("Chorus cannot reach social.example.")) == "Chorus cannot reach social.example."
    assert describe_error(ValueError("“a b” is not a server name: it contains spaces.")).endswith("spaces.")


def test_a_network_this_build_cannot_link_is_refused_with_a_sentence():
    linking = Linking(accounts=None, clients={})  # type: ignore[arg-type]
    assert not linking.available("mastodon")
    with pytest.raises(Exception) as caught:
        linking.link_with_password("bluesky", "alice.test", "abcd-efgh-ijkl-mnop")
    assert describe_error(caught.value) == "This version of Chorus cannot link Bluesky accounts."
    assert linking.problem("linkedin") == "This version of Chorus cannot link LinkedIn accounts."
