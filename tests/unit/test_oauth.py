"""OAuth helpers: PKCE (RFC 7636), state values, and the one-shot loopback listener (127.0.0.1)."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time

import pytest
import requests

from desktop.adapters.oauth import (
    LoopbackCancelled,
    LoopbackListener,
    LoopbackTimeout,
    new_pkce,
    new_state,
    pkce_challenge,
    port_is_closed,
)


def test_pkce_matches_rfc_7636_appendix_b() -> None:
    assert pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_new_pkce_is_s256_over_a_43_character_unreserved_verifier() -> None:
    pairs = [new_pkce() for _ in range(50)]
    for pair in pairs:
        assert pair.method == "S256"
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", pair.verifier)  # RFC 7636 §4.1: 43..128 unreserved
        digest = base64.urlsafe_b64encode(hashlib.sha256(pair.verifier.encode()).digest()).rstrip(b"=").decode()
        assert pair.challenge == digest
        assert pair.verifier not in repr(pair)
    assert len({p.verifier for p in pairs}) == len(pairs)


def test_state_is_unguessable() -> None:
    states = {new_state() for _ in range(100)}
    assert len(states) == 100
    assert all(len(s) >= 43 for s in states)


def _get(url: str) -> requests.Response:
    return requests.get(url, timeout=5)


def test_listener_answers_once_then_closes() -> None:
    with LoopbackListener("expected-state") as listener:
        assert listener.redirect_uri.startswith("http://127.0.0.1:") and listener.redirect_uri.endswith("/callback")
        port = listener.port
        answers: list[requests.Response] = []
        browser = threading.Thread(target=lambda: answers.append(
            _get(f"{listener.redirect_uri}?code=the-code&state=expected-state")))
        browser.start()
        params = listener.wait(timeout=5)
        browser.join()
    assert params == {"code": "the-code", "state": "expected-state"}
    assert answers[0].status_code == 200 and "You can close this tab" in answers[0].text
    assert answers[0].headers["Cache-Control"] == "no-store"
    assert port_is_closed(port)


def test_listener_turns_away_wrong_state_other_paths_and_keeps_waiting() -> None:
    with LoopbackListener("expected-state") as listener:
        base = listener.redirect_uri
        forged = _get(f"{base}?code=stolen&state=forged")
        missing = _get(f"{base}?code=stolen")
        elsewhere = _get(base.replace("/callback", "/favicon.ico"))
        posted = requests.post(f"{base}?code=x&state=expected-state", timeout=5)
        assert (forged.status_code, missing.status_code, elsewhere.status_code, posted.status_code) == (400, 400, 404,
                                                                                                        405)
        assert "not belong to the sign-in" in forged.text
        assert listener.rejected == 2
        good: list[requests.Response] = []
        threading.Thread(target=lambda: good.append(_get(f"{base}?code=real&state=expected-state"))).start()
        assert listener.wait(timeout=5)["code"] == "real"


def test_listener_reports_an_error_redirect() -> None:
    with LoopbackListener("s" * 43) as listener:
        threading.Thread(target=lambda: _get(f"{listener.redirect_uri}?error=access_denied&state={'s' * 43}")).start()
        assert listener.wait(timeout=5)["error"] == "access_denied"


def test_listener_times_out_and_can_be_cancelled() -> None:
    listener = LoopbackListener("x").start()
    port = listener.port
    started = time.monotonic()
    with pytest.raises(LoopbackTimeout):
        listener.wait(timeout=0.3)
    assert time.monotonic() - started < 2
    assert port_is_closed(port)

    cancel = threading.Event()
    listener = LoopbackListener("x").start()
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(LoopbackCancelled):
        listener.wait(timeout=30, cancel=cancel)
    assert time.monotonic() - started < 2


def test_an_idle_connection_does_not_block_the_listener() -> None:
    import socket

    with LoopbackListener("st") as listener:
        idle = socket.create_connection(("127.0.0.1", listener.port))  # a browser's speculative pre-connect
        try:
            threading.Thread(target=lambda: _get(f"{listener.redirect_uri}?code=c&state=st")).start()
            assert listener.wait(timeout=12)["code"] == "c"
        finally:
            idle.close()
