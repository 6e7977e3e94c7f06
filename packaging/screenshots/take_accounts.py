"""Take the accounts and publishing screenshots: the real window on a private Xvfb server, two linked
Mastodon accounts, and a publish with one target posted and one failed.

    .venv/bin/python packaging/screenshots/take_accounts.py

For each of light and dark, a child process on Xvfb (platform xcb) starts what the tests use: two
Mastodon-API test servers on 127.0.0.1 (tests/servers/mastodon_server.py) and a private Secret
Service keyring (tests/integration/secret_service.py). It builds the app's own window with the
services the app wires (``desktop.bootstrap.build_services``), links Jane's two accounts through the
real OAuth flow (the browser step played by tests/servers/mastodon_browser.py), writes a post,
makes the second server answer the post with HTTP 503, presses Publish, waits for both statuses
and grabs the screen around the window into packaging/screenshots/accounts-publish.png and
accounts-publish-dark.png. Needs Xvfb, dbus-daemon and gnome-keyring (``bash .ci/run`` installs them).

    .venv/bin/python packaging/screenshots/take_accounts.py --three

All three networks instead (accounts-three.png, light): Jane on the reference Bluesky PDS
(tests/servers/bluesky_pds.py, needs node and ``npm ci`` in tests/servers/bluesky), on a Mastodon-API
test server and on the LinkedIn contract server (tests/servers/linkedin_server.py), linked through
the app's own linking service (Bluesky with an app password; Mastodon and LinkedIn through OAuth,
the browser step played by the test drivers), then one Publish to all three, and the screen grab
once the three rows say posted.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from contextlib import closing
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from xvfb import shoot_with_child  # noqa: E402

POST = ("Our support team just answered its 10,000th ticket this year 🎉 The lesson: most “bugs” are "
        "missing docs. We're rewriting the getting-started guide next, ideas welcome!")
USER, PASSWORD, NAME = "jane", "jane-password-for-screenshots", "Jane Doe"
DOMAINS = ("mastodon.example", "fosstodon.example")
PORTS = (3001, 3002)  # tidy addresses in the post links when free


def _port(preferred: int) -> int:
    with closing(socket.socket()) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            sock.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]


def seed(profile: Path, theme: str) -> None:
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "policy.source": "acme-example",
        "composer.networks": ["mastodon", "bluesky", "linkedin"]}}), encoding="utf-8")
    store = DraftStore.open(paths.drafts_db)
    store.create("Reading list for the week: https://example.com/reading-list-for-product-managers")
    store.create("We're hiring two backend engineers in Lisbon, ask me anything about the team!")
    store.create(POST)
    store.close()


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: keyring, servers, the real window, a publish, then a screen grab."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QGuiApplication

    from desktop.bootstrap import build_services
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window
    from tests.integration.secret_service import SecretService
    from tests.servers.mastodon_browser import AuthorizeBrowser
    from tests.servers.mastodon_server import MastodonTestServer

    keyring_service = SecretService().start()
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = keyring_service.address
    from keyring.backends import SecretService as secret_service_backend

    from desktop.adapters.keyring_store import KeyringSecretStore

    servers = []
    for domain, port in zip(DOMAINS, PORTS, strict=True):
        server = MastodonTestServer(port=_port(port), users={}, domain=domain, max_characters=500)
        server.add_user(USER, PASSWORD, NAME)
        servers.append(server.start())
    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    settings = Settings(paths.settings_file)
    services = build_services(settings, store, paths.cache_dir,
                              secret_store=KeyringSecretStore(secret_service_backend.Keyring()))
    app, window, runner = create_window(settings, store, None, store.notices, policy_cache=paths.last_good_policy,
                                        services=services, open_url=lambda url: True, outbox_first_try_ms=-1)
    window.resize(1240, 760)
    window.move(20, 20)
    window.show()
    window.raise_()
    window.activateWindow()
    state: dict = {"step": "policy", "code": 1, "ticks": 0}
    linked: list = []

    def link_all() -> None:  # off the GUI thread, as the dialog's worker would
        for server in servers:
            browser = AuthorizeBrowser(USER, PASSWORD)
            try:
                linked.append(services.linking.link_with_browser("mastodon", server.url, browser, timeout=20))
            finally:
                browser.close()

    def tick() -> None:
        bar, panel, check = window.publish_bar, window.accounts_panel, window.composer.policy
        step = state["step"]
        if step == "policy":  # the policy first, undisturbed (its loader times its regexes)
            if window.active_policy is not None:
                if window.active_policy.policy is None:
                    print(f"the policy did not load: {window.active_policy.notice}", file=sys.stderr)
                    app.quit()
                    return
                threading.Thread(target=link_all, daemon=True).start()
                state["step"] = "link"
        elif step == "link":
            if len(linked) == 2 and check.state == "ok" and window.composer.draft is not None:
                panel.refresh()
                state["step"] = "accounts"
        elif step == "accounts":
            if len(panel.records) == 2 and all(row.image is not None for row in panel.rows.values()):
                for record in panel.records:
                    bar.picker.item_for(record.account.id).setCheckState(Qt.CheckState.Checked)
                servers[1].fail_next(status=503, path="/api/v1/statuses", method="POST")
                state["step"] = "publish"
        elif step == "publish":
            if bar.publish_button.isEnabled():
                bar.publish_button.click()
                state["step"] = "wait"
        elif step == "wait":
            run = bar.runs.get(window.composer.draft.id)
            if run is not None and not run.sending and len(run.statuses) == 2:
                window.composer.editor.setFocus()
                state["step"] = "settle"
        elif step == "settle":
            state["ticks"] += 1
            if state["ticks"] >= 8:  # a quiet moment for the last paint
                timer.stop()
                frame = window.frameGeometry().adjusted(-12, -12, 12, 12)
                image = QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(frame)
                image.save(str(target), "PNG")
                rows = {row.full_handle: (row.state, row.text.text()) for row in bar.status_view.rows.values()}
                print(json.dumps({"target": str(target), "size": [image.width(), image.height()],
                                  "accounts": [r.account.handle for r in panel.records], "rows": rows,
                                  "summary": bar.status_view.summary.text()}))
                state["code"] = 0
                window.close()
                app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    runner.shutdown()
    services.close()
    store.close()
    for server in servers:
        server.stop()
    keyring_service.stop()
    return state["code"]


THREE_POST = ("Shipped the new onboarding guide today 📚 Thanks to everyone who reviewed it, "
              "especially the support team! #docs https://example.com/guide")
LINKEDIN_PORT = 3003  # the loopback redirect registered for the test LinkedIn app


def seed_three(profile: Path, theme: str) -> None:
    seed(profile, theme)
    from desktop.core.paths import AppPaths

    paths = AppPaths.for_profile(profile)
    values = json.loads(paths.settings_file.read_text(encoding="utf-8"))
    values["values"].update({"linkedin.client_id": "86chorustestapp", "linkedin.redirect_port": _port(LINKEDIN_PORT)})
    paths.settings_file.write_text(json.dumps(values), encoding="utf-8")
    from desktop.core.drafts import DraftStore

    store = DraftStore.open(paths.drafts_db)
    store.create(THREE_POST)  # the newest: opened at start
    store.close()


def child_three(profile: Path, target: Path) -> int:
    """On the X server: the PDS, the Mastodon and LinkedIn test servers, three linked accounts, one publish."""
    import tempfile

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from desktop.bootstrap import build_services
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window
    from tests.integration.secret_service import SecretService
    from tests.servers.bluesky_pds import start_pds, stop_pds
    from tests.servers.linkedin_server import LinkedInTestServer, MemberBrowser
    from tests.servers.mastodon_browser import AuthorizeBrowser
    from tests.servers.mastodon_server import MastodonTestServer

    paths = AppPaths.for_profile(profile)
    settings = Settings(paths.settings_file)
    keyring_service = SecretService().start()
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = keyring_service.address
    from keyring.backends import SecretService as secret_service_backend

    from desktop.adapters.keyring_store import KeyringSecretStore

    secret_store = KeyringSecretStore(secret_service_backend.Keyring())
    pds_dir = tempfile.mkdtemp(prefix="chorus-pds-")
    pds = start_pds(Path(pds_dir), rate_limits=False)
    mastodon = MastodonTestServer(port=_port(PORTS[0]), users={}, domain=DOMAINS[0], max_characters=500)
    mastodon.add_user(USER, PASSWORD, NAME)
    mastodon.start()
    port = settings.get("linkedin.redirect_port")
    linkedin = LinkedInTestServer(members={}, redirect_uris=[f"http://127.0.0.1:{port}/callback"]).start()
    member = linkedin.add_member(USER, PASSWORD)
    member.given_name, member.family_name = "Jane", "Doe"
    secret_store.set(f"app:linkedin:{linkedin.client_id}", linkedin.client_secret)
    # Jane on the PDS, with her display name in her profile record and an app password for Chorus
    user = pds.create_account("jane")
    pds.post("com.atproto.repo.putRecord", {"repo": user.did, "collection": "app.bsky.actor.profile", "rkey": "self",
                                            "record": {"$type": "app.bsky.actor.profile", "displayName": NAME}},
             token=user.access)
    pds.create_app_password(user, "Chorus")

    store = DraftStore.open(paths.drafts_db)
    services = build_services(
        settings, store, paths.cache_dir, secret_store=secret_store,
        endpoints={"bluesky": {"service_url": pds.url, "plc_url": pds.plc_url},
                   "linkedin": {"authorization_url": f"{linkedin.url}/oauth/v2/authorization",
                                "token_url": f"{linkedin.url}/oauth/v2/accessToken", "api_base": linkedin.url}})
    app, window, runner = create_window(settings, store, None, store.notices, policy_cache=paths.last_good_policy,
                                        services=services, open_url=lambda url: True, outbox_first_try_ms=-1)
    window.resize(1240, 760)
    window.move(20, 20)
    window.show()
    window.raise_()
    window.activateWindow()
    state: dict = {"step": "policy", "code": 1, "ticks": 0}
    linked: list = []
    errors: list = []

    def link_all() -> None:  # off the GUI thread, as the dialogs' workers do
        try:
            linked.append(services.linking.link_with_password("bluesky", user.handle, user.app_passwords["Chorus"]))
            browser = AuthorizeBrowser(USER, PASSWORD)
            try:
                linked.append(services.linking.link_with_browser("mastodon", mastodon.url, browser, timeout=20))
            finally:
                browser.close()
            browser = MemberBrowser(USER, PASSWORD)
            try:
                linked.append(services.linking.link_with_browser("linkedin", None, browser, timeout=20))
            finally:
                browser.close()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def tick() -> None:
        bar, panel, check = window.publish_bar, window.accounts_panel, window.composer.policy
        step = state["step"]
        if errors:
            print(f"linking failed: {errors[0]!r}", file=sys.stderr)
            app.quit()
            return
        if step == "policy":
            if window.active_policy is not None:
                if window.active_policy.policy is None:
                    print(f"the policy did not load: {window.active_policy.notice}", file=sys.stderr)
                    app.quit()
                    return
                threading.Thread(target=link_all, daemon=True).start()
                state["step"] = "link"
        elif step == "link":
            if len(linked) == 3 and check.state == "ok" and window.composer.draft is not None:
                panel.refresh()
                state["step"] = "accounts"
        elif step == "accounts":
            # the avatars served here (LinkedIn's test picture URL points nowhere: its initial is drawn)
            if len(panel.records) == 3 and all(row.image is not None for row in panel.rows.values()
                                               if "127.0.0.1" in row.record.account.avatar_url):
                for record in panel.records:
                    bar.picker.item_for(record.account.id).setCheckState(Qt.CheckState.Checked)
                state["step"] = "publish"
        elif step == "publish":
            if bar.publish_button.isEnabled():
                bar.publish_button.click()
                state["step"] = "wait"
        elif step == "wait":
            run = bar.runs.get(window.composer.draft.id)
            if run is not None and not run.sending and len(run.statuses) == 3:
                window.composer.editor.setFocus()
                state["step"] = "settle"
        elif step == "settle":
            state["ticks"] += 1
            if state["ticks"] >= 8:
                timer.stop()
                frame = window.frameGeometry().adjusted(-12, -12, 12, 12)
                image = QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(frame)
                image.save(str(target), "PNG")
                rows = {row.full_handle: (row.state, row.text.text()) for row in bar.status_view.rows.values()}
                print(json.dumps({"target": str(target), "size": [image.width(), image.height()],
                                  "accounts": [r.account.handle for r in panel.records], "rows": rows,
                                  "summary": bar.status_view.summary.text(),
                                  "on_servers": {"bluesky": len(pds.list_posts(user.did)),
                                                 "mastodon": len(mastodon.statuses_of(USER)),
                                                 "linkedin": len(linkedin.posts)}}))
                state["code"] = 0 if all(s == "sent" for s, _ in rows.values()) else 1
                window.close()
                app.quit()

    from PySide6.QtCore import Qt

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    def give_up() -> None:
        panel = window.accounts_panel
        shown = [(r.account.handle, r.account.avatar_url, row.image is not None)
                 for r, row in ((r, panel.rows.get(r.id)) for r in panel.records) if row]
        print(f"gave up at step {state['step']}: {len(linked)} linked, panel {shown}", file=sys.stderr)
        app.quit()

    QTimer.singleShot(90_000, give_up)
    app.exec()
    runner.shutdown()
    services.close()
    store.close()
    mastodon.stop()
    linkedin.stop()
    stop_pds(pds.process)
    keyring_service.stop()
    return state["code"]


def shoot(name: str, theme: str) -> dict:
    return shoot_with_child(__file__, name, theme, seed, timeout=120)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2]), Path(sys.argv[3])))
    if len(sys.argv) == 4 and sys.argv[1] == "--child-three":
        sys.exit(child_three(Path(sys.argv[2]), Path(sys.argv[3])))
    if sys.argv[1:] == ["--three"]:
        import subprocess

        from xvfb import SCREENSHOTS, display_env, start_xvfb

        with __import__("tempfile").TemporaryDirectory(prefix="chorus-shot-") as tmp:
            seed_three(Path(tmp), "light")
            xvfb, display = start_xvfb()
            try:
                out = subprocess.run([sys.executable, __file__, "--child-three", tmp,
                                      str(SCREENSHOTS / "accounts-three.png")],
                                     env=display_env(display), capture_output=True, text=True, timeout=240)
            finally:
                xvfb.terminate()
                xvfb.wait(timeout=10)
        if out.returncode != 0:
            raise SystemExit(f"screenshot child failed ({out.returncode}):\n{out.stderr[-3000:]}\n{out.stdout[-2000:]}")
        print(out.stdout.strip().splitlines()[-1])
        sys.exit(0)
    print(json.dumps({"light": shoot("accounts-publish.png", "light"),
                      "dark": shoot("accounts-publish-dark.png", "dark")}))
