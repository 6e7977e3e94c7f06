"""Take the window-size screenshots: the real window at 640×480, 800×520, 1024×640 and 1920×1080, light and dark.

    .venv/bin/python packaging/screenshots/take_window.py [OUT_FOLDER]

For each theme a child process on a private 1920×1080 Xvfb (platform xcb) starts a Mastodon-API test
server on 127.0.0.1 (tests/servers/mastodon_server.py) and a private Secret Service keyring
(tests/integration/secret_service.py), builds the app's own window with the services the app wires,
links one account through the real OAuth flow, chooses it, opens a draft with policy findings, selects
a finding, then for each size resizes the window and grabs the screen around it into
``window-WxH.png`` (``window-WxH-dark.png``). Last it publishes and grabs ``window-posted.png``: the
Publish button disabled with its reason, the posted link in the theme's link colour. OUT_FOLDER
defaults to packaging/screenshots. Needs Xvfb, dbus-daemon and gnome-keyring.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
import xvfb  # noqa: E402

POST = ("Huge week for the team! 🚀 We demoed Project Bluebird to @Initech and they loved it. "
        "AcmeCloud ships next week, so mark your calendars. Our Q3 revenue grew 14% too. "
        "Questions? Mail me at jane.doe@gmail.com. " + "More notes from the offsite follow. " * 8)
CLEAN = "Loved the team offsite this week. Great people, great ideas! 🌊"
USER, PASSWORD, NAME = "jane", "jane-password-for-screenshots", "Jane Doe"
SIZES = ((640, 480), (800, 520), (1024, 640), (1920, 1080))


def seed(profile: Path, theme: str) -> None:
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "policy.source": "acme-example", "tips.show_at_start": False,
        "composer.networks": ["mastodon", "bluesky", "linkedin", "x"]}}), encoding="utf-8")
    store = DraftStore.open(paths.drafts_db)
    store.create("Reading list for the week: https://example.com/reading-list-for-product-managers")
    store.create(CLEAN)
    store.create(POST)
    store.close()


def child(profile: Path, target: Path) -> int:
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

    server = MastodonTestServer(users={}, domain="mastodon.example", max_characters=500)
    server.add_user(USER, PASSWORD, NAME)
    server.start()
    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    settings = Settings(paths.settings_file)
    dark = settings.get("appearance.theme") == "dark"
    services = build_services(settings, store, paths.cache_dir,
                              secret_store=KeyringSecretStore(secret_service_backend.Keyring()))
    app, window, runner = create_window(settings, store, None, store.notices, policy_cache=paths.last_good_policy,
                                        services=services, open_url=lambda url: True, outbox_first_try_ms=-1)
    window.resize(1240, 760)
    window.move(20, 20)
    window.show()
    window.raise_()
    window.activateWindow()
    state: dict = {"step": "policy", "code": 1, "ticks": 0, "size": 0, "shots": {}}
    linked: list = []

    def link() -> None:
        browser = AuthorizeBrowser(USER, PASSWORD)
        try:
            linked.append(services.linking.link_with_browser("mastodon", server.url, browser, timeout=20))
        finally:
            browser.close()

    def grab(name: str) -> None:
        out = target.parent / (name + ("-dark" if dark else "") + ".png")
        frame = window.frameGeometry().adjusted(-4, -4, 4, 4)
        QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(frame).save(str(out), "PNG")
        state["shots"][out.name] = [window.width(), window.height()]

    def tick() -> None:
        bar, panel, check = window.publish_bar, window.accounts_panel, window.composer.policy
        step = state["step"]
        if step == "policy":
            if window.active_policy is not None and window.active_policy.policy is not None:
                threading.Thread(target=link, daemon=True).start()
                state["step"] = "link"
        elif step == "link":
            if linked and check.state == "ok" and window.composer.draft is not None and panel is not None:
                panel.refresh()
                state["step"] = "accounts"
        elif step == "accounts":
            if len(panel.records) == 1:
                for record in panel.records:
                    bar.picker.item_for(record.account.id).setCheckState(Qt.CheckState.Checked)
                findings = window.findings_panel
                if findings.list.count() > 2:
                    findings.list.setCurrentRow(2)
                state["step"], state["ticks"] = "sizes", 0
        elif step == "sizes":
            w, h = SIZES[state["size"]]
            if state["ticks"] == 0:
                window.move(*((0, 0) if w + 20 > 1920 or h + 20 > 1080 else (20, 20)))  # wholly on the screen
                window.resize(w, h)
            state["ticks"] += 1
            if state["ticks"] >= 6:
                grab(f"window-{w}x{h}")
                state["size"] += 1
                state["ticks"] = 0
                if state["size"] == len(SIZES):
                    window.resize(1024, 640)
                    window.drafts.view.setCurrentIndex(window.drafts.view.model().index(1, 0))
                    state["step"] = "clean"
        elif step == "clean":
            if window.composer.text() == CLEAN and check.state == "ok" and bar.publish_button.isEnabled():
                bar.publish_button.click()
                state["step"] = "wait"
        elif step == "wait":
            run = bar.runs.get(window.composer.draft.id)
            if run is not None and not run.sending and run.statuses:
                state["ticks"] += 1
                if state["ticks"] >= 8:
                    grab("window-posted")
                    state["publish"] = [bar.publish_button.isEnabled(), bar.publish_button.toolTip()]
                    state["code"] = 0
                    timer.stop()
                    print(json.dumps({"shots": state["shots"], "publish_after_post": state["publish"],
                                      "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()]}))
                    window.close()
                    app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(90_000, lambda: (print(f"gave up at {state['step']}", file=sys.stderr), app.quit()))
    app.exec()
    runner.shutdown()
    services.close()
    store.close()
    server.stop()
    keyring_service.stop()
    return state["code"]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2]), Path(sys.argv[3])))
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if folder is not None:
        xvfb.SCREENSHOTS = folder
    print(json.dumps({theme: xvfb.shoot_with_child(__file__, "window", theme, seed, timeout=150, screen="1920x1080")
                      for theme in ("light", "dark")}))
