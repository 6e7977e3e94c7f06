"""Accounts and publishing in the real window: linking through the Accounts panel, publishing from the
composer, per-target statuses, Retry, Re-link, unlinking, the outbox, the history.

Real parts only: the real MainWindow with the services the composition root builds
(desktop.bootstrap.build_services), the Mastodon-API test servers on 127.0.0.1
(tests/servers/mastodon_server.py), a real Secret Service keyring on a private D-Bus
(tests/integration/secret_service.py), the real drafts database and the acme-example policy. The
browser step is played by the test (tests/servers/mastodon_browser.py), injected as the window's
``open_url``. Tests wait on signals and conditions, never on sleeps.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.adapters.keyring_store import KeyringSecretStore
from desktop.bootstrap import build_services
from desktop.core import networks
from desktop.core.drafts import Acknowledgement
from desktop.core.policy import load_policy
from tests.integration.secret_service import SecretService
from tests.integration.test_keyring import items, store_on
from tests.servers.linkedin_server import LinkedInTestServer, MemberBrowser
from tests.servers.mastodon_browser import AuthorizeBrowser, read_oob_code
from tests.servers.mastodon_server import MastodonTestServer

PASSWORD = "alice-password-for-ui-tests"
STATUSES = "/api/v1/statuses"
CLEAN = "Loved the team offsite this week. Great people, great ideas! 🌊"
BLOCKED = "Can't wait for Project Bluebird 🐦"
ACME = {"policy.source": "acme-example"}
WAIT = 15_000


# ---------------------------------------------------------------------------------------------
# The test's browser, keyring and servers
# ---------------------------------------------------------------------------------------------
class DrivenBrowser:
    """The window's ``open_url`` in these tests: records every page Chorus opens; :meth:`approve`
    signs alice in and presses Authorize on that page, on a thread of its own, as a person in a
    separate browser would. With *auto*, every authorization page is approved at once. *driver*
    plays the network's sign-in pages (Mastodon's by default; LinkedIn's MemberBrowser)."""

    def __init__(self, username: str = "alice", password: str = PASSWORD, auto: bool = False,
                 driver=AuthorizeBrowser) -> None:
        self.username, self.password, self.auto, self.driver = username, password, auto, driver
        self.opened: list[str] = []
        self.finished: list[object] = []  # the last response of each approval, or its exception
        self._threads: list[threading.Thread] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        if self.auto and ("/oauth/authorize" in url or "/oauth/v2/authorization" in url):
            self.approve(url)
        return True

    def approve(self, url: str | None = None, *, approve: bool = True) -> None:
        url = url or self.opened[-1]
        driver = self.driver(self.username, self.password, approve=approve)

        def go() -> None:
            try:
                driver(url)
                self.finished.append(driver.last)
            except Exception as exc:  # noqa: BLE001 - reported to the test through finished
                self.finished.append(exc)
            finally:
                driver.close()

        thread = threading.Thread(target=go, name="test-browser", daemon=True)
        self._threads.append(thread)
        thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join(15)


@pytest.fixture(scope="module")
def secret_service() -> Iterator[SecretService]:
    service = SecretService().start()
    yield service
    service.stop()


@pytest.fixture
def keyring(secret_service, monkeypatch) -> KeyringSecretStore:
    return store_on(secret_service, monkeypatch)


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def servers() -> Iterator[list[MastodonTestServer]]:
    running = [
        MastodonTestServer(port=free_port(), users={"alice": PASSWORD}, domain="social.example", max_characters=640,
                           characters_reserved_per_url=30).start(),
        MastodonTestServer(users={"alice": PASSWORD}, domain="fosstodon.example", max_characters=1000).start(),
    ]
    yield running
    for server in running:
        server.stop()


@pytest.fixture
def browser() -> Iterator[DrivenBrowser]:
    driver = DrivenBrowser()
    yield driver
    driver.join()


def with_keyring(secret_store, **options):
    def build(settings, store, paths):
        return build_services(settings, store, paths.cache_dir, secret_store=secret_store, **options)

    return build


@pytest.fixture
def open_window(make_window, keyring, browser, qtbot):
    def make(secret_store=None, values=None, endpoints=None, **options):
        window = make_window(values={**ACME, **(values or {})}, load_policy=True,
                             services=with_keyring(secret_store or keyring, endpoints=endpoints),
                             open_url=browser, outbox_first_try_ms=-1, **options)
        qtbot.waitUntil(lambda: window.accounts_panel is not None and window.accounts_panel.loaded, timeout=WAIT)
        return window

    return make


def closed(widget) -> bool:
    """A dialog opened with WA_DeleteOnClose is gone (or at least hidden)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


def link_directly(qtbot, window, server: MastodonTestServer):
    """alice on *server*, linked without the UI (as in an earlier session), then shown in the panel."""
    driver = AuthorizeBrowser("alice", PASSWORD)
    try:
        record = window.services.linking.link_with_browser("mastodon", server.url, driver, timeout=10)
    finally:
        driver.close()
    before = len(window.accounts_panel.records)
    window.accounts_panel.refresh()
    qtbot.waitUntil(lambda: len(window.accounts_panel.records) == before + 1, timeout=WAIT)
    return record


def write(qtbot, window, text: str) -> None:
    window.composer.editor.setPlainText(text)
    qtbot.waitUntil(lambda: window.composer.policy.state == "ok", timeout=WAIT)


def rows(window) -> dict:
    return window.publish_bar.status_view.rows


# ---------------------------------------------------------------------------------------------
# Linking
# ---------------------------------------------------------------------------------------------
def test_link_a_mastodon_account_through_the_panel_with_the_browser(open_window, qtbot, servers, browser,
                                                                    secret_service):
    window = open_window()
    panel = window.accounts_panel
    assert panel.empty.isVisible() and not panel.records
    assert window.publish_bar.why_not() == "Link an account in the Accounts panel to publish."
    # every network that can be linked, in the registry's order
    assert [a.text() for a in panel.link_menu.actions()] == [f"{n.display_name}…" for n in networks.linkable()]
    assert [a.text() for a in panel.link_menu.actions()][:3] == ["Bluesky…", "Mastodon…", "LinkedIn…"]

    dialog = panel.open_link_dialog("mastodon")
    assert dialog.isVisible() and not dialog.continue_button.isEnabled()
    qtbot.keyClicks(dialog.server, servers[0].url)
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)

    # Chorus registered itself, opened the server's sign-in page in "the browser", and waits
    qtbot.waitUntil(lambda: len(browser.opened) == 1, timeout=WAIT)
    assert browser.opened[0].startswith(f"{servers[0].url}/oauth/authorize?")
    assert dialog.busy.isVisible() and dialog.busy_label.text() == "Waiting for you to approve in the browser…"
    assert dialog.cancel_button.isEnabled() and not dialog.server.isEnabled()
    assert dialog.again.isVisible()  # "Don't see it? Open the page again"
    dialog.again.linkActivated.emit("#again")
    assert browser.opened == [browser.opened[0]] * 2

    with qtbot.waitSignal(panel.linked, timeout=WAIT) as linked:
        browser.approve()
    record = linked.args[0]
    assert record.account.handle == "@alice@social.example"
    qtbot.waitUntil(lambda: len(panel.records) == 1, timeout=WAIT)
    assert closed(dialog)
    row = panel.rows[record.account.id]
    assert row.name.full_text() == "Alice" and row.handle.full_text() == "@alice@social.example"
    assert "on Mastodon" in row.toolTip() and "Mastodon" in row.accessibleDescription()
    assert row.state.text() == "✓ Linked" and not row.relink_button.isVisible()
    assert not panel.empty.isVisible()
    # the token is in the keyring, and only there
    [item] = items(secret_service, record.account.id)
    (token,) = [t for t in servers[0].tokens_of("alice") if not t.revoked]
    assert item["secret"] == token.token
    profile_files = [p for p in Path(window.store.path).parent.parent.rglob("*") if p.is_file()]
    assert profile_files and all(token.token.encode() not in p.read_bytes() for p in profile_files)
    # the instance's limit (640) now drives the composer's Mastodon counter
    write(qtbot, window, "Hello")
    qtbot.waitUntil(lambda: window.composer.counter_labels["mastodon"].text() == "Mastodon 5/640", timeout=WAIT)
    # and the account is the publish target of this draft (the only one)
    assert window.publish_bar.picker.checked_ids() == [record.account.id]
    assert window.publish_bar.publish_button.isEnabled()


def test_waiting_for_the_browser_can_be_cancelled(open_window, qtbot, servers, browser):
    window = open_window()
    dialog = window.accounts_panel.open_link_dialog("mastodon")
    dialog.server.setText(servers[0].url)
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: bool(browser.opened) and dialog.is_busy, timeout=WAIT)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=WAIT)
    assert dialog.isVisible() and dialog.server.isEnabled() and not dialog.error.isVisible()
    assert window.services.accounts.accounts() == []
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # not busy: closes
    assert closed(dialog)


def test_paste_a_code_instead(open_window, qtbot, servers, browser):
    window = open_window()
    dialog = window.accounts_panel.open_link_dialog("mastodon")
    dialog.server.setText(servers[1].url)
    qtbot.mouseClick(dialog.code_mode_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1 and bool(browser.opened), timeout=WAIT)
    assert "redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob" in browser.opened[-1]
    assert dialog.code_button.isVisible() and not dialog.code_button.isEnabled()
    browser.approve()
    qtbot.waitUntil(lambda: bool(browser.finished), timeout=WAIT)
    code = read_oob_code(browser.finished[0])
    qtbot.keyClicks(dialog.code, code)
    with qtbot.waitSignal(window.accounts_panel.linked, timeout=WAIT) as linked:
        qtbot.mouseClick(dialog.code_button, Qt.MouseButton.LeftButton)
    assert linked.args[0].account.handle == "@alice@fosstodon.example"


def test_a_server_error_is_shown_with_its_reason_and_nothing_is_linked(open_window, qtbot, servers, browser):
    window = open_window()
    dialog = window.accounts_panel.open_link_dialog("mastodon")
    dialog.server.setText(servers[0].url)
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: bool(browser.opened), timeout=WAIT)
    browser.approve(approve=False)  # alice presses Deny
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert dialog.error.text() == f"You did not authorize Chorus on 127.0.0.1:{servers[0].port}."
    assert window.services.accounts.accounts() == [] and dialog.isVisible()

    dialog.server.setText("not a server")
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: "contains spaces" in dialog.error.text(), timeout=WAIT)


@pytest.mark.parametrize("kind", ["missing", "locked"])
def test_no_usable_keyring_says_what_to_do_and_links_nothing(open_window, qtbot, servers, browser, kind,
                                                             monkeypatch):
    if kind == "missing":
        from keyring.backends import fail

        secret_store = KeyringSecretStore(fail.Keyring())
        expected, advice = "No secure keyring is available.", "install and unlock GNOME Keyring"
        service = None
    else:
        service = SecretService().start()
        secret_store = store_on(service, monkeypatch)
        service.lock()
        expected, advice = "Your keyring is locked", "Unlock your login keyring"
    try:
        window = open_window(secret_store=secret_store)
        dialog = window.accounts_panel.open_link_dialog("mastodon")
        dialog.server.setText(servers[0].url)
        dialog.continue_button.click()
        qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=60_000)
        assert expected in dialog.error.text() and advice in dialog.error.text()
        assert browser.opened == []  # stopped before the browser: nothing to approve for nothing
        assert window.services.accounts.accounts() == [] and window.accounts_panel.records == []
        assert not dialog.is_busy and dialog.continue_button.isEnabled()
    finally:
        if service is not None:
            service.stop()


def test_linkedin_explains_what_it_needs_from_it(open_window, qtbot):
    window = open_window()
    dialog = window.accounts_panel.open_link_dialog("linkedin")
    qtbot.waitUntil(lambda: dialog.not_configured.isVisible(), timeout=WAIT)
    assert "IT must set linkedin.client_id" in dialog.not_configured.text()
    assert "not set up for Chorus on this computer" in dialog.explain.text()
    assert not dialog.continue_button.isEnabled()


@pytest.fixture
def linkedin(keyring) -> Iterator[tuple[LinkedInTestServer, dict, dict]]:
    """A LinkedIn-API test server, the settings IT would manage for it, and its client secret in the
    keyring (where IT's deployment puts it when there is no token-exchange service)."""
    port = free_port()
    with LinkedInTestServer(members={"alice": PASSWORD}, redirect_uris=[f"http://127.0.0.1:{port}/callback"]) as server:
        keyring.set(f"app:linkedin:{server.client_id}", server.client_secret)
        values = {"linkedin.client_id": server.client_id, "linkedin.redirect_port": port}
        endpoints = {"authorization_url": f"{server.url}/oauth/v2/authorization",
                     "token_url": f"{server.url}/oauth/v2/accessToken", "api_base": server.url}
        yield server, values, endpoints
        keyring.delete(f"app:linkedin:{server.client_id}")
        assert server.violations == []


def test_link_linkedin_through_the_panel_publish_and_re_link_before_the_token_expires(open_window, qtbot, linkedin,
                                                                                      browser):
    import dataclasses
    import time

    server, values, endpoints = linkedin
    browser.driver = MemberBrowser
    window = open_window(values=values, endpoints={"linkedin": endpoints})
    panel = window.accounts_panel
    dialog = panel.open_link_dialog("linkedin")
    qtbot.waitUntil(lambda: dialog.continue_button.isEnabled(), timeout=WAIT)
    assert not dialog.not_configured.isVisible()
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(browser.opened), timeout=WAIT)
    assert browser.opened[0].startswith(f"{server.url}/oauth/v2/authorization?")
    assert dialog.busy_label.text() == "Waiting for you to approve in the browser…"
    with qtbot.waitSignal(panel.linked, timeout=WAIT) as linked:
        browser.approve()
    record = linked.args[0]
    assert record.account.network == "linkedin" and record.account.expires_at > time.time() + 59 * 86400
    qtbot.waitUntil(lambda: record.id in panel.rows, timeout=WAIT)
    assert panel.rows[record.id].state.text() == "✓ Linked"

    write(qtbot, window, CLEAN)
    bar = window.publish_bar
    assert bar.picker.checked_ids() == [record.id]
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        bar.publish_button.click()
    row = rows(window)[record.id]
    assert row.state == "sent" and "linkedin.com/feed/update/urn:li:share:" in row.text.text()
    [stored] = server.posts
    assert "Loved the team offsite" in stored.commentary

    # 57 days later: the token ends in 3 days, and the panel says so and offers to link again
    accounts = window.services.accounts
    accounts.update(dataclasses.replace(accounts.store.get_account(record.id).account,
                                        expires_at=time.time() + 3 * 86400 + 600))
    panel.refresh()
    qtbot.waitUntil(lambda: panel.rows[record.id].state.text().startswith("⚠"), timeout=WAIT)
    assert panel.rows[record.id].state.text() == "⚠ Access expires in 3 days: link it again to keep posting."
    assert panel.rows[record.id].relink_button.isVisible()
    with qtbot.waitSignal(panel.dialog_opened, timeout=WAIT) as opened:
        qtbot.mouseClick(panel.rows[record.id].relink_button, Qt.MouseButton.LeftButton)
    again = opened.args[0]
    assert again.network == "linkedin"
    qtbot.waitUntil(lambda: again.continue_button.isEnabled(), timeout=WAIT)
    browser.auto = True
    with qtbot.waitSignal(panel.linked, timeout=WAIT):
        again.continue_button.click()
    qtbot.waitUntil(lambda: panel.rows[record.id].state.text() == "✓ Linked", timeout=WAIT)
    assert [r.id for r in panel.records] == [record.id]


@pytest.mark.parametrize("found", [True, False], ids=["its-there", "send-as-new"])
def test_may_have_been_posted_asks_the_person_and_never_posts_twice(open_window, qtbot, linkedin, found):
    server, values, endpoints = linkedin
    window = open_window(values=values, endpoints={"linkedin": endpoints})
    member = MemberBrowser("alice", PASSWORD)
    try:
        record = window.services.linking.link_with_browser("linkedin", None, member, timeout=10)
    finally:
        member.close()
    window.accounts_panel.refresh()
    qtbot.waitUntil(lambda: len(window.accounts_panel.records) == 1, timeout=WAIT)
    write(qtbot, window, CLEAN)
    bar = window.publish_bar
    server.fail_next(500)  # LinkedIn answers 500: Chorus cannot know whether the post arrived
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        bar.publish_button.click()
    row = rows(window)[record.id]
    assert row.state == "failed" and row.retry_button.isVisible()
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        qtbot.mouseClick(row.retry_button, Qt.MouseButton.LeftButton)
    row = rows(window)[record.id]
    # without the partner-only permission to read posts, Chorus asks instead of risking a duplicate
    assert row.state == "unconfirmed" and "May have been posted" in row.text.text()
    assert "Check your LinkedIn activity" in row.text.text() and "href=" in row.text.text()
    assert row.confirm_button.isVisible() and row.send_new_button.isVisible() and not row.retry_button.isVisible()
    assert bar.status_view.summary.text() == "1 to check"
    assert len(server.requests_to("/rest/posts", "POST")) == 1
    button = row.confirm_button if found else row.send_new_button
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert rows(window)[record.id].state == "sent"
    assert len(server.posts) == (0 if found else 1)  # the 500 stored nothing; "It's there" was the person's word
    assert len(server.requests_to("/rest/posts", "POST")) == (1 if found else 2)
    # Publish is disabled once the chosen account has the post; sending it again anyway never sends again
    assert not bar.publish_button.isEnabled() and "Already posted" in bar.publish_button.toolTip()
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        bar.retry(record.id)
    assert rows(window)[record.id].state == "sent"
    assert len(server.requests_to("/rest/posts", "POST")) == (1 if found else 2)


def test_bluesky_dialog_needs_both_fields_and_reports_an_unreachable_server(open_window, qtbot):
    window = open_window()
    dialog = window.accounts_panel.open_link_dialog("bluesky")
    assert not dialog.link_button.isEnabled() and not dialog.advanced.isVisible()
    assert "app password" in dialog.help.text() and "bsky.app/settings/app-passwords" in dialog.help.text()
    dialog.identifier.setText("alice.test")
    dialog.password.setText("abcd-efgh-ijkl-mnop")
    assert dialog.link_button.isEnabled()
    qtbot.mouseClick(dialog.advanced_toggle, Qt.MouseButton.LeftButton)
    assert dialog.advanced.isVisible()
    dialog.service_url.setText(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert "reach" in dialog.error.text()
    assert window.services.accounts.accounts() == []


# ---------------------------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------------------------
def test_publish_to_two_accounts_and_both_rows_turn_to_posted_with_links(open_window, qtbot, servers, browser):
    window = open_window()
    first, second = (link_directly(qtbot, window, server) for server in servers)
    bar = window.publish_bar
    # listed by handle: @alice@fosstodon.example, then @alice@social.example
    assert bar.picker.account_ids() == [second.id, first.id] and bar.picker.checked_ids() == []
    write(qtbot, window, CLEAN)
    assert not bar.publish_button.isEnabled()
    assert bar.publish_button.toolTip() == "Choose at least one account to publish to."
    for account_id in (first.id, second.id):
        bar.picker.item_for(account_id).setCheckState(Qt.CheckState.Checked)
    assert bar.publish_button.isEnabled() and window.act_publish.isEnabled()
    assert "@alice@social.example" in bar.publish_button.toolTip()

    with qtbot.waitSignal(bar.published, timeout=WAIT):
        qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.composer.text() == CLEAN  # Ctrl+Return published, it did not add a line
    view = bar.status_view
    assert view.isVisible() and view.summary.text() == "Posted to both accounts"
    for server, record in zip(servers, (first, second), strict=True):
        (status,) = server.statuses_of("alice")
        assert status.text == CLEAN
        row = rows(window)[record.id]
        url = f"{server.url}/@alice/{status.id}"
        assert row.state == "sent" and f"href='{url}'" in row.text.text() and "✓ Posted" in row.text.text()
        assert not row.retry_button.isVisible()
        row.text.linkActivated.emit(url)  # a click on the link
        assert browser.opened[-1] == url
    # remembered for this draft, in the database too
    assert window.store.get(window.composer.draft.id).targets == (second.id, first.id)
    history = window.services.publications.history(window.composer.draft.id)
    version = f"acme-example@{load_policy('acme-example').info.version}"
    assert [(h.status, h.policy_version) for h in history] == [("sent", version), ("sent", version)]


def test_a_block_finding_disables_publish_and_says_why(open_window, qtbot, servers):
    window = open_window()
    record = link_directly(qtbot, window, servers[0])
    bar = window.publish_bar
    assert bar.picker.checked_ids() == [record.id]  # the only account
    write(qtbot, window, BLOCKED)
    assert not bar.publish_button.isEnabled()
    assert "the policy blocks this post (Confidential codename: Project Bluebird)" in bar.publish_button.toolTip()
    # the action stays enabled so that Ctrl+Return says why in the status bar (tests/ui_window covers it)
    assert window.act_publish.isEnabled() and "Project Bluebird" in window.act_publish.statusTip()
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    bar.publish()
    assert bar.runs == {} and not servers[0].requests_to(STATUSES, "POST")
    write(qtbot, window, CLEAN)
    assert bar.publish_button.isEnabled()


def test_an_unacknowledged_warning_disables_publish_and_acknowledged_ones_go_into_the_history(open_window, qtbot,
                                                                                           servers):
    window = open_window()
    link_directly(qtbot, window, servers[0])
    text = "Questions about the meetup? Mail me at jane.doe@gmail.com"
    write(qtbot, window, text)
    bar = window.publish_bar
    assert not bar.publish_button.isEnabled() and "not acknowledged yet" in bar.publish_button.toolTip()
    [warning] = [f for f in window.composer.findings if f.severity == "warn"]
    window.composer.policy.acknowledge(warning, "My own address for meetup questions, on my profile too")
    qtbot.waitUntil(lambda: bar.publish_button.isEnabled(), timeout=WAIT)
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        bar.publish_button.click()
    [entry] = window.services.publications.history(window.composer.draft.id)
    [ack] = entry.acknowledged
    assert ack["rule_id"] == warning.finding.rule_id and ack["reason"].startswith("My own address")
    assert Acknowledgement(**ack).kind == "acknowledged"


def test_a_failure_shows_retry_and_retry_succeeds_without_a_duplicate(open_window, qtbot, servers):
    window = open_window()
    first, second = (link_directly(qtbot, window, server) for server in servers)
    bar = window.publish_bar
    bar.picker.item_for(first.id).setCheckState(Qt.CheckState.Checked)
    bar.picker.item_for(second.id).setCheckState(Qt.CheckState.Checked)
    write(qtbot, window, CLEAN)
    servers[0].drop_next(path=STATUSES, method="POST")  # it creates the status, then hangs up
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        bar.publish_button.click()
    failed, sent = rows(window)[first.id], rows(window)[second.id]
    assert (failed.state, sent.state) == ("failed", "sent")
    assert "may or may not have been published" in failed.text.text()
    assert failed.retry_button.isVisible() and not failed.relink_button.isVisible()
    assert bar.status_view.summary.text() == "1 posted, 1 failed"
    assert len(servers[0].statuses_of("alice")) == 1  # it did arrive

    with qtbot.waitSignal(bar.published, timeout=WAIT):
        qtbot.mouseClick(failed.retry_button, Qt.MouseButton.LeftButton)
    assert rows(window)[first.id].state == "sent" and rows(window)[second.id].state == "sent"
    assert [len(server.statuses_of("alice")) for server in servers] == [1, 1]  # no duplicate
    assert len(servers[1].requests_to(STATUSES, "POST")) == 1  # Retry sent to the failed target only
    assert str(servers[0].statuses_of("alice")[0].id) in rows(window)[first.id].text.text()
    assert bar.status_view.summary.text() == "Posted to both accounts"


def test_a_revoked_token_offers_re_link_in_the_status_and_the_panel(open_window, qtbot, servers, browser):
    window = open_window()
    record = link_directly(qtbot, window, servers[0])
    servers[0].revoke_tokens("alice")
    write(qtbot, window, CLEAN)
    bar = window.publish_bar
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        bar.publish_button.click()
    row = rows(window)[record.id]
    assert row.state == "failed" and row.relink_button.isVisible() and not row.retry_button.isVisible()
    assert "Link the account again" in row.text.text()
    window.accounts_panel.refresh()
    panel_row = window.accounts_panel.rows[record.id]
    qtbot.waitUntil(lambda: panel_row.relink_button.isVisible(), timeout=WAIT)
    assert panel_row.state.text().startswith("✕ ") and "Link the account again" in panel_row.state.text()

    with qtbot.waitSignal(window.accounts_panel.dialog_opened, timeout=WAIT) as opened:
        qtbot.mouseClick(row.relink_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert dialog.network == "mastodon" and dialog.server.text() == "@alice@social.example"
    dialog.server.setText(servers[0].url)  # the handle's domain is not this test server's address
    browser.auto = True
    with qtbot.waitSignal(window.accounts_panel.linked, timeout=WAIT) as linked:
        dialog.continue_button.click()
    assert linked.args[0].id == record.id  # the same account, linked again
    qtbot.waitUntil(lambda: window.accounts_panel.rows[record.id].state.text() == "✓ Linked", timeout=WAIT)


def test_offline_posts_wait_in_the_outbox_and_go_when_the_network_is_back(open_window, qtbot, servers):
    window = open_window()
    record = link_directly(qtbot, window, servers[0])
    port = servers[0].port
    servers[0].stop()  # the network is gone: nothing listens
    write(qtbot, window, CLEAN)
    bar = window.publish_bar
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        bar.publish_button.click()
    row = rows(window)[record.id]
    assert row.state == "queued" and "Waits in the outbox" in row.text.text()
    assert bar.status_view.summary.text() == "1 waiting in the outbox"
    assert len(window.services.publications.outbox()) == 1

    servers[0].start()
    assert servers[0].port == port
    assert window.outbox is None  # this test starts it (the app does a few seconds after start)
    window.start_outbox(window.services)
    qtbot.waitUntil(lambda: not window.outbox.busy, timeout=WAIT)
    qtbot.waitUntil(lambda: rows(window)[record.id].state == "sent", timeout=WAIT)
    assert len(servers[0].statuses_of("alice")) == 1 and window.services.publications.outbox() == []


def test_the_outbox_is_sent_when_qt_reports_the_network_back(open_window, qtbot):
    window = open_window()
    window.start_outbox(window.services)
    outbox = window.outbox
    assert outbox.timer.isActive() and outbox.timer.interval() == 5 * 60 * 1000
    qtbot.waitUntil(lambda: not outbox.busy, timeout=WAIT)
    from PySide6.QtNetwork import QNetworkInformation

    if not outbox.network_watched:  # no backend on this system: the timer alone
        return
    with qtbot.waitSignal(outbox.sent, timeout=WAIT) as sent:
        QNetworkInformation.instance().reachabilityChanged.emit(QNetworkInformation.Reachability.Online)
    assert sent.args == [0]  # nothing waited


def test_targets_are_remembered_per_draft(open_window, qtbot, servers):
    window = open_window()
    first, second = (link_directly(qtbot, window, server) for server in servers)
    bar = window.publish_bar
    draft_a = window.composer.draft
    bar.picker.item_for(second.id).setCheckState(Qt.CheckState.Checked)
    window.new_draft()
    qtbot.waitUntil(lambda: window.composer.draft.id != draft_a.id, timeout=WAIT)
    assert bar.picker.checked_ids() == []
    bar.picker.item_for(first.id).setCheckState(Qt.CheckState.Checked)
    draft_b = window.composer.draft
    window.open_draft(window.drafts.model.drafts()[-1])
    assert window.composer.draft.id == draft_a.id and bar.picker.checked_ids() == [second.id]
    qtbot.waitUntil(lambda: window.store.get(draft_b.id).targets == (first.id,), timeout=WAIT)
    assert window.store.get(draft_a.id).targets == (second.id,)


def test_publish_history_lists_where_when_link_and_policy(open_window, qtbot, servers, browser):
    window = open_window()
    link_directly(qtbot, window, servers[0])
    write(qtbot, window, CLEAN)
    with qtbot.waitSignal(window.publish_bar.published, timeout=WAIT):
        window.publish_bar.publish_button.click()
    window.act_history.trigger()
    dialog = window.history_dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT)
    cells = [dialog.table.item(0, c).text() if dialog.table.item(0, c) else "" for c in range(6)]
    assert cells[1] == "@alice@social.example (Mastodon)" and cells[2] == "Posted"
    assert cells[4] == f"acme-example@{load_policy('acme-example').info.version}" and cells[5] == "—"
    link = dialog.table.cellWidget(0, 3)
    (status,) = servers[0].statuses_of("alice")
    assert status.id in link.text()
    link.linkActivated.emit(f"{servers[0].url}/@alice/{status.id}")
    assert browser.opened[-1].endswith(f"/@alice/{status.id}")


# ---------------------------------------------------------------------------------------------
# Unlinking
# ---------------------------------------------------------------------------------------------
def test_unlink_asks_then_deletes_the_keyring_entry_and_revokes_the_token(open_window, qtbot, servers,
                                                                          secret_service):
    window = open_window()
    record = link_directly(qtbot, window, servers[0])
    panel = window.accounts_panel
    assert len(items(secret_service, record.id, secrets=False)) == 1
    qtbot.mouseClick(panel.rows[record.id].unlink_button, Qt.MouseButton.LeftButton)
    box = window.findChild(QMessageBox, "confirm-unlink")
    assert box is not None and box.isVisible() and "Unlink @alice@social.example" in box.text()
    [unlink] = [b for b in box.buttons() if b.text() == "Unlink"]
    with qtbot.waitSignal(panel.unlinked, timeout=WAIT):
        qtbot.mouseClick(unlink, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.records == [], timeout=WAIT)
    assert items(secret_service, record.id) == []
    assert window.services.accounts.accounts() == [] and panel.empty.isVisible()
    assert all(token.revoked for token in servers[0].tokens_of("alice"))
    assert window.publish_bar.why_not() == "Link an account in the Accounts panel to publish."


def test_cancelling_the_unlink_question_keeps_the_account(open_window, qtbot, servers):
    window = open_window()
    record = link_directly(qtbot, window, servers[0])
    box = window.accounts_panel.confirm_unlink(window.accounts_panel.records[0])
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert [r.id for r in window.services.accounts.accounts()] == [record.id]


def test_a_locked_keyring_keeps_the_account_and_offers_to_remove_it_anyway(open_window, qtbot, servers, monkeypatch):
    service = SecretService().start()
    try:
        window = open_window(secret_store=store_on(service, monkeypatch))
        record = link_directly(qtbot, window, servers[0])
        service.lock()
        panel = window.accounts_panel
        panel.unlink(record.id)
        qtbot.waitUntil(lambda: panel.notice.isVisible(), timeout=60_000)
        text = panel.notice.label.text()
        assert text.startswith("@alice@social.example was not unlinked. Your keyring is locked")
        assert "Unlock your login keyring" in text
        assert [r.id for r in window.services.accounts.accounts()] == [record.id]
        assert panel.rows[record.id].isEnabled()
        assert panel.notice.action_button.text() == "Remove from Chorus anyway"
        with qtbot.waitSignal(panel.unlinked, timeout=60_000):
            qtbot.mouseClick(panel.notice.action_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.records == [], timeout=WAIT)
        assert window.services.accounts.accounts() == []
    finally:
        service.stop()
