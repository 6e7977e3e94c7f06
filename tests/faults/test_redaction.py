"""Log redaction against what the adapters really handle (issue 9: "log redaction misses cookies
and Bluesky's access/refresh/pw fields"): real lines through the real logging set-up into a real
log file, read back. Every secret value here is fresh (never registered), so only the patterns can
hide it, except where the test is about registration."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from desktop.core.logs import REDACTED, configure_logging, register_secret
from tests.servers.hostile import HostileServer


def fresh(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "logs" / "chorus.log"
    configure_logging(path, "debug")
    yield path
    configure_logging(None)  # detach the file handler


def written(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


log = logging.getLogger("tests.faults.redaction")


def test_the_bluesky_secret_as_stored_never_reaches_the_log(log_file):
    access, refresh, app_password = fresh("acc"), fresh("ref"), "abcd-efgh-ijkl-mnop"
    stored = json.dumps({"v": 1, "did": "did:plc:alice", "access": access, "refresh": refresh, "pw": app_password},
                        separators=(",", ":"))
    log.info("keyring value %s", stored)
    log.info("as a dict %s", json.loads(stored))  # Python repr: single quotes
    log.info("inside another JSON string %s", json.dumps({"kept": stored}))  # escaped quotes
    log.info("as keyword arguments: _Credentials(access=%r, refresh=%r, pw=%r)", access, refresh, app_password)
    content = written(log_file)
    for value in (access, refresh, app_password):
        assert value not in content
    assert content.count(REDACTED) == 12
    assert "did:plc:alice" in content  # not a secret: the log stays useful


def test_a_sign_in_body_loses_identifier_and_password_spaces_and_all(log_file):
    body = requests.Request("POST", "https://pds.example/xrpc/com.atproto.server.createSession",
                            json={"identifier": "alice@example.com", "password": "correct horse battery staple"}
                            ).prepare().body
    log.info("createSession body %s", body)
    form = "grant_type=password&identifier=alice%40example.com&pw=swordfish-42&password=hunter2-hunter2"
    log.info("form %s", form)
    content = written(log_file)
    for leaked in ("alice@example.com", "alice%40example.com", "correct", "horse", "battery", "staple",
                   "swordfish-42", "hunter2-hunter2"):
        assert leaked not in content, leaked
    assert "createSession body" in content and "grant_type=password" in content


def test_cookies_from_a_real_exchange_are_redacted(log_file):
    session_cookie, tracking = fresh("sid"), fresh("trk")
    with HostileServer("ok", answer_headers={"Set-Cookie": f"session={session_cookie}; Path=/; HttpOnly"}) as server:
        response = requests.get(f"{server.url}/login", headers={"Cookie": f"tracking={tracking}; theme=dark"},
                                timeout=5)
        response.close()
    assert response.headers["Set-Cookie"].startswith(f"session={session_cookie}")  # it really came back
    log.info("request headers %s", dict(response.request.headers))
    log.info("response headers %s", dict(response.headers))
    log.info("raw header line Set-Cookie: session=%s; Path=/", session_cookie)
    log.info("raw header line Cookie: tracking=%s", tracking)
    content = written(log_file)
    assert session_cookie not in content and tracking not in content
    assert "theme=dark" not in content  # the whole Cookie header, not only the first pair
    assert "Content-Type" in content  # the other headers stay


def test_oauth_form_fields_of_mastodon_and_linkedin_are_redacted(log_file):
    client_secret, code, verifier, token = fresh("cs"), fresh("code"), fresh("ver"), fresh("tok")
    log.info("POST /oauth/token grant_type=authorization_code&code=%s&client_secret=%s&code_verifier=%s",
             code, client_secret, verifier)
    log.info("token answer %s", json.dumps({"access_token": token, "token_type": "Bearer", "scope": "write"}))
    content = written(log_file)
    for value in (client_secret, code, verifier, token):
        assert value not in content


def test_registering_a_json_secret_also_hides_each_of_its_fields(log_file):
    app_password = fresh("app-pass")
    register_secret(json.dumps({"v": 1, "did": "did:plc:bob", "access": fresh("a"), "refresh": fresh("r"),
                                "pw": app_password}))
    log.info("the server said: %s is not valid", app_password)  # the field alone, in plain prose
    try:
        raise RuntimeError(f"rejected {app_password}")
    except RuntimeError:
        log.exception("sign-in failed")
    content = written(log_file)
    assert app_password not in content
    assert content.count(REDACTED) == 2


def test_ordinary_words_stay(log_file):
    line = "Chorus has no access to your account; refresh the page. The pw field is empty; identifier missing."
    log.info(line)
    assert line in written(log_file)
