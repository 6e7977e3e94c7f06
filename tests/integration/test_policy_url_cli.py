"""``chorus check --policy https://…``: the policy IT serves, downloaded by the command line for the
run, against the real HTTPS test server (its CA trusted through OpenSSL's SSL_CERT_FILE, which the
operating system's trust store on Linux honours)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_policy_url import ACME, PROXY_VARIABLES, PolicyServer, make_pki

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(tmp_path):
    pki = make_pki(tmp_path)
    server = PolicyServer(pki)
    server.served.body = ACME.encode()
    try:
        yield server, pki
    finally:
        server.stop()


def _check(url: str, text: str, ca: Path | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    if ca is not None:
        env["SSL_CERT_FILE"] = str(ca)
    return subprocess.run([sys.executable, "-m", "desktop", "check", "--policy", url, "--format", "json"],
                          input=text, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_check_downloads_the_policy_and_applies_it(served):
    server, pki = served
    flagged = _check(server.url, "the NIGHTJAR team ships soon", pki.ca_pem)
    assert flagged.returncode == 1, flagged.stderr  # the served (Acme) policy blocks its codename
    report = json.loads(flagged.stdout)
    assert report["policy"]["id"] == "acme-example"
    assert [f["rule_id"] for f in report["files"][0]["findings"]] == ["R3-codename"]
    clean = _check(server.url, "Lovely weather for the team picnic today.", pki.ca_pem)
    assert clean.returncode == 0, clean.stderr
    assert [r["path"] for r in server.served.requests] == ["/policy.toml", "/policy.toml"]


def test_an_untrusted_or_unreachable_policy_server_is_a_clear_error(served):
    server, _ = served
    untrusted = _check(server.url, "hello", None)
    assert untrusted.returncode == 2
    assert f"cannot use the policy at {server.url}" in untrusted.stderr and "certificate" in untrusted.stderr
    server.stop()
    gone = _check(server.url, "hello", None)
    assert gone.returncode == 2 and "cannot use the policy" in gone.stderr


def test_plain_http_to_another_computer_is_refused_before_any_connection():
    done = _check("http://policy.example.invalid/social.toml", "hello", None)
    assert done.returncode == 2 and "https" in done.stderr
