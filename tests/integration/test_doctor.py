"""``chorus doctor`` run as a real process: a real Secret Service on a private D-Bus, a real HTTPS
policy server on 127.0.0.1 whose certificate is signed by a CA made for the test, a linked account
in a real profile database, and a proxy setting with a password that must never be printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core.accounts.store import AccountStore
from desktop.core.drafts import DraftStore
from desktop.core.ports import Account
from tests.integration.secret_service import SecretService
from tests.integration.test_policy_url import ACME, PROXY_VARIABLES, PolicyServer, make_pki

REPO = Path(__file__).resolve().parents[2]
PROXY_PASSWORD = "Zq8-proxy-pass-word"


@pytest.fixture(scope="module")
def secret_service():
    service = SecretService().start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path)


@pytest.fixture
def server(pki):
    server = PolicyServer(pki)
    server.served.body = ACME.encode()
    try:
        yield server
    finally:
        server.stop()


def _profile(tmp_path: Path, values: dict, accounts: list[Account] = ()) -> Path:
    profile = tmp_path / "profile"
    (profile / "config").mkdir(parents=True)
    (profile / "config" / "settings.json").write_text(json.dumps({"schema_version": 1, "values": values}))
    (profile / "data").mkdir()
    store = DraftStore.open(profile / "data" / "drafts.db")
    try:
        for account in accounts:
            AccountStore(store).save_account(account)
    finally:
        store.close()
    return profile


def _doctor(profile: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in env.items() if k not in PROXY_VARIABLES}
    return subprocess.run([sys.executable, "-m", "desktop", "doctor", "--profile", str(profile), *extra],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def _items(report: dict) -> dict[str, dict]:
    return {f"{section['title']}/{item['label']}": item for section in report["sections"] for item in section["items"]}


def test_doctor_reports_policy_url_keyring_and_tls_with_the_company_ca(tmp_path, secret_service, server, pki):
    account = Account("acct-1", "mastodon", "@alice@127.0.0.1", f"https://127.0.0.1:{server.port}", "42")
    profile = _profile(tmp_path, {"policy.source": server.url, "network.ca_certificates": str(pki.ca_pem)},
                       [account])
    done = _doctor(profile, secret_service.env(), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    items = _items(report)
    assert report["problems"] == 0
    assert items["Policy/In use"]["status"] == "ok"
    assert "Acme" in items["Policy/In use"]["value"] and "127.0.0.1" in items["Policy/In use"]["value"]
    assert items["Policy/Freshness"]["value"].startswith("updated")
    assert items["Keyring/Keyring"]["status"] == "ok" and "unlocked" in items["Keyring/Keyring"]["value"]
    tls = items["Network/TLS to 127.0.0.1 (policy server)"]
    assert tls["status"] == "ok" and tls["value"] == "connected; certificate trusted"
    assert items["Accounts/mastodon"]["value"] == "@alice@127.0.0.1 on 127.0.0.1"


def test_without_the_company_ca_tls_is_a_problem_with_advice_and_exit_1(tmp_path, secret_service, server):
    profile = _profile(tmp_path, {"policy.source": server.url})
    done = _doctor(profile, secret_service.env())
    assert done.returncode == 1, done.stdout + done.stderr
    text = done.stdout
    tls_line = next(line for line in text.splitlines() if "TLS to 127.0.0.1" in line)
    assert tls_line.startswith(" XX") and "does not trust the certificate" in tls_line
    assert "network.ca_certificates" in text
    # no policy could be downloaded and there is no kept copy: publishing is refused, said plainly
    assert "none: publishing is refused" in text


def test_doctor_never_prints_the_proxy_password_or_a_client_secret(tmp_path, secret_service):
    profile = _profile(tmp_path, {"network.proxy": f"http://support:{PROXY_PASSWORD}@127.0.0.1:9"})
    account = Account("acct-2", "bluesky", "@bob.test", "https://127.0.0.1:9", "did:plc:abc")
    store = DraftStore.open(profile / "data" / "drafts.db")
    AccountStore(store).save_account(account)
    store.close()
    for fmt in ("text", "json"):
        done = _doctor(profile, secret_service.env(), "--format", fmt)
        assert PROXY_PASSWORD not in done.stdout + done.stderr
        assert done.returncode == 1  # the account server cannot be reached through that proxy
    assert "support:***@127.0.0.1:9" in done.stdout


def test_a_keyring_that_is_not_there_is_a_problem_with_what_to_do(tmp_path):
    profile = _profile(tmp_path, {})
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path / 'no-bus'}"
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    done = _doctor(profile, env, "--format", "json")
    items = _items(json.loads(done.stdout))
    assert items["Keyring/Keyring"]["status"] == "problem"
    assert "gnome-keyring" in items["Keyring/Keyring"]["advice"]
    assert done.returncode == 1
