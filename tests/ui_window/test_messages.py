"""Messages that say what happened: "cannot reach" when offline (never "no account found"), error
texts with no repeated sentence and never cut off in the window, and tips that match their quick fix.

Real parts: the Bluesky adapter against a closed port on 127.0.0.1, the real keyring backends that
Chorus refuses (keyring's fail, null and chainer backends), the real link dialog in the real window,
the shipped policy files.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from keyring.backends import fail, null
from PySide6.QtCore import Qt

from desktop.adapters.keyring_store import KeyringSecretStore, no_keyring_advice, select_secure_backend
from desktop.adapters.networks.bluesky.identity import BlueskyIdentity
from desktop.core.errors import describe
from desktop.core.paths import resources_dir
from desktop.core.ports import Offline, SecretStoreError
from tests.ui.test_accounts_publishing import free_port

WAIT = 60_000


def sentences(text: str) -> list[str]:
    return [s.strip().lower() for s in re.split(r"(?<=[.!?:])\s+", text) if s.strip()]


def assert_says_it_once(text: str) -> None:
    said = sentences(text)
    assert len(said) == len(set(said)), f"a sentence is repeated in: {text}"
    opening = " ".join(said[0].split()[:4]).rstrip(".:")
    assert text.lower().count(opening) == 1, f"{opening!r} is said twice in: {text}"


# -- offline is "cannot reach" --------------------------------------------------------------------
@pytest.mark.parametrize("handle", ["alice.example", "alice.bsky.social"])
def test_an_unreachable_resolver_is_cannot_reach_never_no_account(handle):
    identity = BlueskyIdentity(service_url=f"http://127.0.0.1:{free_port()}", deadline=5)
    with pytest.raises(Offline) as raised:
        identity.resolve_handle(handle)
    text = describe(raised.value)
    assert "cannot reach" in text and "No Bluesky account" not in text
    assert_says_it_once(text)


def test_the_link_dialog_says_cannot_reach_when_offline(open_window, qtbot):
    window = open_window(endpoints={"bluesky": {"service_url": f"http://127.0.0.1:{free_port()}"}})
    dialog = window.accounts_panel.open_link_dialog("bluesky")
    dialog.identifier.setText("alice.example")
    dialog.password.setText("abcd-efgh-ijkl-mnop")
    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    text = dialog.error.text()
    assert "cannot reach" in text and "No Bluesky account" not in text
    assert window.services.accounts.accounts() == []


# -- keyring errors: once, and whole ----------------------------------------------------------------
@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring], ids=["fail", "null"])
def test_each_refused_keyring_message_says_each_sentence_once(backend):
    with pytest.raises(SecretStoreError) as raised:
        select_secure_backend(backend())
    assert_says_it_once(describe(raised.value))


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_the_keyring_advice_never_repeats_the_message(platform):
    advice = no_keyring_advice(platform)
    for message in ("No secure keyring is available.", "The keyring could not be opened (InitError).",
                    "No secure keyring is available (keyring found keyring.backends.fail.Keyring)."):
        assert_says_it_once(f"{message} {advice}")


def test_the_keyring_error_is_shown_whole_in_the_link_dialog(open_window, qtbot, servers):
    window = open_window(secret_store=KeyringSecretStore(fail.Keyring()))
    dialog = window.accounts_panel.open_link_dialog("mastodon")
    dialog.server.setText(servers[0].url)
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    label = dialog.error
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()), timeout=WAIT)
    text = label.text()
    assert text.startswith("No secure keyring is available.") and text.endswith("in a plain file.")
    assert_says_it_once(text)
    assert label.wordWrap() and label.rect().height() >= label.heightForWidth(label.width())
    assert dialog.rect().contains(label.geometry().translated(label.parentWidget().mapTo(dialog, label.pos())
                                                              - label.pos()))


# -- tips that match their quick fix ----------------------------------------------------------------
def test_a_tip_never_says_near_the_start_when_its_fix_adds_at_the_end():
    """The disclosure tips said "near the start of the post" while Fix appends the tag at the end."""
    checked = 0
    for name in ("default", "acme-example"):
        data = tomllib.loads((resources_dir() / "policies" / f"{name}.toml").read_text(encoding="utf-8"))
        for rule in data["rules"]:
            fix = rule.get("quick_fix") or {}
            if "append" in fix:
                checked += 1
                tip = rule.get("tip", "").lower()
                assert "near the start" not in tip and "at the start" not in tip, rule["id"]
    assert checked >= 3
    acme = tomllib.loads((resources_dir() / "policies" / "acme-example.toml").read_text(encoding="utf-8"))
    [disclosure] = [rule for rule in acme["rules"] if rule["id"] == "R9-missing-disclosure"]
    assert "at the end" in disclosure["tip"] and disclosure["quick_fix"]["append"] == " #AcmeEmployee"
