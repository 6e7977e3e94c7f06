"""KeyringSecretStore against a real Secret Service (gnome-keyring-daemon on a private D-Bus bus).

These run in CI (``bash .ci/run`` installs dbus and gnome-keyring); if the daemon cannot start
they fail. Locally, ``CHORUS_ALLOW_SKIP=1`` turns that into a skip. They never touch the
developer's own keyring: see tests/integration/secret_service.py.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from desktop.adapters.keyring_store import KeyringSecretStore
from desktop.core.accounts import AccountService, AccountStore, AppRegistration
from desktop.core.accounts.secrets import MAX_SECRET_BYTES, SecretTooLargeError
from desktop.core.drafts import DraftStore
from desktop.core.logs import configure_logging
from desktop.core.paths import AppPaths
from desktop.core.ports import Account, SecretStoreError
from desktop.core.publishing.store import PublishStore
from tests.integration.secret_service import SecretService

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def secret_service():
    service = SecretService().start()
    yield service
    service.stop()


@pytest.fixture
def fresh_secret_service():
    """A Secret Service of its own, for a test that locks it (it cannot be unlocked without a prompt)."""
    service = SecretService().start()
    yield service
    service.stop()


def store_on(service: SecretService, monkeypatch) -> KeyringSecretStore:
    """A KeyringSecretStore on keyring's Secret Service backend, talking to *service* only."""
    from keyring.backends import SecretService as secret_service_backend

    # secretstorage opens a new connection to $DBUS_SESSION_BUS_ADDRESS on every call
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
    return KeyringSecretStore(secret_service_backend.Keyring())


@pytest.fixture
def store(secret_service, monkeypatch) -> KeyringSecretStore:
    return store_on(secret_service, monkeypatch)


def items(service: SecretService, key: str, secrets: bool = True) -> list[dict]:
    """The Secret Service items filed under Chorus/<key>, read with secretstorage directly."""
    import secretstorage

    with closing(service.connection()) as connection:
        collection = secretstorage.get_default_collection(connection)
        return [
            {"label": item.get_label(), "attributes": item.get_attributes(),
             "secret": item.get_secret().decode() if secrets else None}
            for item in collection.search_items({"service": "Chorus", "username": key})
        ]


def unique_key() -> str:
    return "acct-test-" + uuid.uuid4().hex[:12]


def within(seconds: float, call, *args):
    """Run *call* on a thread; a keyring call that waits on a prompt must fail the test, not hang CI."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(call, *args).result(timeout=seconds)
    finally:
        pool.shutdown(wait=False)


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=60)


# -- the real Secret Service ---------------------------------------------------------------------
def test_store_get_replace_and_delete(store, secret_service):
    key = unique_key()
    assert store.get(key) is None
    store.set(key, "first-secret-value")
    assert store.get(key) == "first-secret-value"
    [item] = items(secret_service, key)
    assert item["attributes"]["service"] == "Chorus" and item["attributes"]["username"] == key
    assert item["secret"] == "first-secret-value"

    store.set(key, "second-secret-value")  # replaces, never adds a second item
    assert store.get(key) == "second-secret-value"
    assert len(items(secret_service, key)) == 1

    store.delete(key)
    assert store.get(key) is None and items(secret_service, key) == []
    store.delete(key)  # deleting what is not there is not an error


def test_keyrings_default_choice_on_this_machine_is_the_secret_service(secret_service):
    """No backend given: keyring detects the Secret Service by itself (as the app does)."""
    code = (
        "from desktop.adapters.keyring_store import KeyringSecretStore\n"
        "s = KeyringSecretStore()\n"
        "print(s.check())\n"
        "s.set('acct-default-choice', 'default-choice-secret')\n"
        "print(s.get('acct-default-choice'))\n"
        "s.delete('acct-default-choice')\n"
        "print(s.get('acct-default-choice'))\n"
    )
    result = run_python(code, secret_service.env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "keyring.backends.SecretService.Keyring", "default-choice-secret", "None",
    ]


@pytest.mark.parametrize(
    "value",
    [
        "pässwörd-ÄÖÜß",
        "🔑 emoji 👩‍👩‍👧‍👦 family and 🇫🇷 flag",
        "日本語のトークン-中文-한국어",
        "RTL עברית العربية",
        "e\u0301 combining and \u200d zero-width joiner",
        " leading and trailing spaces ",
    ],
)
def test_unicode_values_round_trip_exactly(store, value):
    key = unique_key()
    store.set(key, value)
    try:
        assert store.get(key) == value
    finally:
        store.delete(key)


def test_values_over_the_size_limit_are_refused_and_nothing_is_written(store, secret_service):
    key = unique_key()
    largest_ascii = "a" * 1280  # 2,560 bytes in UTF-16: exactly Windows Credential Manager's limit
    store.set(key, largest_ascii)
    assert store.get(key) == largest_ascii

    too_long = "b" * 1281
    with pytest.raises(SecretTooLargeError) as caught:
        store.set(key, too_long)
    assert too_long not in str(caught.value) and "b" * 40 not in str(caught.value)
    assert "too large" in str(caught.value) and caught.value.advice
    assert store.get(key) == largest_ascii  # the old value is untouched

    cjk_2000 = "ab" + "語" * 666  # exactly 2,000 UTF-8 bytes (and 1,336 in UTF-16)
    assert len(cjk_2000.encode()) == MAX_SECRET_BYTES
    store.set(key, cjk_2000)
    assert store.get(key) == cjk_2000
    cjk_2001 = "語" * 667  # 2,001 UTF-8 bytes
    with pytest.raises(SecretStoreError, match="2,001 bytes"):
        store.set(key, cjk_2001)
    assert store.get(key) == cjk_2000
    store.delete(key)


def test_a_locked_collection_is_reported_with_what_to_do(fresh_secret_service, monkeypatch, profile):
    store = store_on(fresh_secret_service, monkeypatch)
    key = unique_key()
    store.set(key, "value-before-locking")
    fresh_secret_service.lock()

    for call, args in ((store.get, (key,)), (store.set, (key, "new-value-while-locked")), (store.delete, (key,))):
        with pytest.raises(SecretStoreError) as caught:
            within(30, call, *args)
        assert "locked" in str(caught.value).lower()
        assert "unlock your login keyring" in caught.value.advice.lower()
        assert "new-value-while-locked" not in str(caught.value)

    # linking while locked writes nothing: no account in the database, nothing in the keyring
    drafts = DraftStore.open(profile / "drafts.db")
    try:
        service = AccountService(store, AccountStore(drafts))
        with pytest.raises(SecretStoreError) as caught:
            within(30, service.link, Account("", "mastodon", "@alice@social.example", "https://social.example",
                                             "109"), "mastodon-token-while-locked")
        assert "unlock your login keyring" in caught.value.advice.lower()
        assert service.accounts() == []
    finally:
        drafts.close()
    assert len(items(fresh_secret_service, key, secrets=False)) == 1  # still there, still locked


# -- no usable keyring ---------------------------------------------------------------------------
def test_the_fail_backend_is_refused_with_plain_advice():
    from keyring.backends import fail

    store = KeyringSecretStore(fail.Keyring())
    for call, args in ((store.get, ("k",)), (store.set, ("k", "a-secret-value")), (store.delete, ("k",)),
                       (store.check, ())):
        with pytest.raises(SecretStoreError) as caught:
            call(*args)
        assert "no secure keyring is available" in str(caught.value).lower()
        assert "GNOME Keyring" in caught.value.advice and "KWallet" in caught.value.advice


@pytest.mark.parametrize(
    "env_change",
    [
        {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/chorus-test-bus"},  # no D-Bus session at all
        {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
        {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},  # `keyring --disable`
    ],
    ids=["no-dbus", "fail-backend", "null-backend"],
)
def test_without_a_usable_keyring_linking_is_refused(secret_service, env_change, tmp_path):
    """keyring's own detection in a fresh process: the store refuses and the account is not linked."""
    env = secret_service.env()
    env.update(env_change)
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from desktop.adapters.keyring_store import KeyringSecretStore\n"
        "from desktop.core.accounts import AccountService, AccountStore\n"
        "from desktop.core.drafts import DraftStore\n"
        "from desktop.core.ports import Account, SecretStoreError\n"
        "drafts = DraftStore.open(Path(sys.argv[1]))\n"
        "service = AccountService(KeyringSecretStore(), AccountStore(drafts))\n"
        "try:\n"
        "    service.link(Account('', 'bluesky', 'alice.test', 'https://pds.test', 'did:plc:abc'), 'app-pass-1234')\n"
        "except SecretStoreError as exc:\n"
        "    print(json.dumps({'message': str(exc), 'advice': exc.advice, 'accounts': len(service.accounts())}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "drafts.db")], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["accounts"] == 0
    assert "no secure keyring is available" in outcome["message"].lower()
    assert "install and unlock GNOME Keyring" in outcome["advice"]


# -- no secret anywhere on disk but the keyring ---------------------------------------------------
def test_after_linking_no_secret_is_in_any_file_of_the_profile_or_log_folders(store, secret_service, tmp_path):
    paths = AppPaths.for_profile(tmp_path / "profile")
    paths.ensure()
    secrets = {
        "bluesky": json.dumps({"app_password": "abcd-efgh-ijkl-mnop",
                               "refresh": "eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6InJlZnJlc2gifQ.c2lnLXJlZnJlc2gtdG9rZW4"}),
        "mastodon": "mastodon-access-token-Zq8v3K9xW2",
        "linkedin": "AQX-linkedin-access-token-7Hk2Lw9Pq",
    }
    client_secret = "mastodon-client-secret-Yp4Rt6Uv"
    all_secrets = [*secrets.values(), client_secret, "abcd-efgh-ijkl-mnop",
                   "eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6InJlZnJlc2gifQ.c2lnLXJlZnJlc2gtdG9rZW4"]
    configure_logging(paths.log_file, "debug")
    drafts = DraftStore.open(paths.drafts_db)
    try:
        accounts = AccountStore(drafts)
        service = AccountService(store, accounts)
        linked = {
            "bluesky": service.link(Account("", "bluesky", "alice.test", "https://pds.test", "did:plc:alice"),
                                    secrets["bluesky"]),
            "mastodon": service.link(Account("", "mastodon", "@alice@social.test", "https://social.test", "1091",
                                             limits={"max_characters": 500, "characters_reserved_per_url": 23}),
                                     secrets["mastodon"]),
            "linkedin": service.link(Account("", "linkedin", "Alice Example", "https://api.linkedin.com",
                                             "urn:li:person:abc", expires_at=2_000_000_000.0), secrets["linkedin"]),
        }
        service.save_app_registration(
            AppRegistration("mastodon", "https://social.test", "client-id-public", ("http://127.0.0.1/callback",),
                            "write:statuses"), client_secret)
        # what publishing writes: history and the outbox
        draft = drafts.create("Hello from Chorus", ["bluesky", "mastodon"])
        publications = PublishStore(drafts)
        publications.begin_publication(draft.id, linked["mastodon"].account, "idem-1", policy_version="p1")
        publications.mark_sent("idem-1", "https://social.test/@alice/1", "1")
        publications.enqueue(draft.id, [linked["bluesky"].id], draft.body)
        # careless code paths: a secret in a log argument, in an exception, a refused oversized value
        log = logging.getLogger("chorus.test")
        log.info("linked with %s", secrets["mastodon"])
        try:
            raise RuntimeError(f"server said no to {secrets['linkedin']}")
        except RuntimeError:
            log.exception("link failed")
        with pytest.raises(SecretTooLargeError) as caught:
            service.replace_secret(linked["linkedin"].id, "x" * 3000)
        log.error("refused: %s (%s)", caught.value, caught.value.advice)

        # the secrets are in the keyring, retrievable
        for network, record in linked.items():
            assert service.secret(record.id) == secrets[network]
        assert service.app_registration("mastodon", "https://social.test")[1] == client_secret
        assert_no_secret_in(tmp_path / "profile", all_secrets)  # while the WAL is still open
    finally:
        drafts.close()
        for handler in logging.getLogger().handlers:
            handler.flush()
    assert_no_secret_in(tmp_path / "profile", all_secrets)
    assert paths.log_file.stat().st_size > 0 and "linked with [REDACTED]" in paths.log_file.read_text()
    # the keyring's own file is encrypted: the secrets are not in it in the clear either
    assert_no_secret_in(secret_service.keyring_files, all_secrets)

    # unlinking removes the keyring entries
    drafts = DraftStore.open(paths.drafts_db)
    try:
        service = AccountService(store, AccountStore(drafts))
        for record in linked.values():
            service.unlink(record.id)
            assert items(secret_service, record.id) == []
        assert service.accounts() == []
    finally:
        drafts.close()
    configure_logging(None)


def assert_no_secret_in(folder: Path, secrets: list[str]) -> None:
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files, f"nothing to search in {folder}"
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            for encoding in ("utf-8", "utf-16-le"):
                assert secret.encode(encoding) not in data, f"a secret is in {path} ({encoding})"
