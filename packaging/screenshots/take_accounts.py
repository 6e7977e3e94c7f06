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
import socket
import sys
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from shots import (  # noqa: E402
    Opened,
    Step,
    fail,
    grab,
    link_with_browser,
    main,
    open_window,
    private_keyring,
    run_steps,
    seed_profile,
    wait,
)
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
    seed_profile(profile, theme, {"policy.source": "acme-example", "composer.networks": ["mastodon", "bluesky", "linkedin"]},
                 ["Reading list for the week: https://example.com/reading-list-for-product-managers",
                  "We're hiring two backend engineers in Lisbon, ask me anything about the team!", POST])


def publish_to_all(opened: Opened, count: int, link_all: Callable[[], None], linked: list, errors: list,
                   avatars_in: Callable[[Any], bool], before_publish: Callable[[], None] = lambda: None) -> list[Step]:
    """The steps from the policy to *count* statuses: link the accounts off the GUI thread once the policy
    is in (undisturbed: its loader times its regexes), choose them all once the Accounts panel shows
    them with their avatars, press Publish and wait until every target has answered."""
    from PySide6.QtCore import Qt

    window = opened.window
    bar, check = window.publish_bar, window.composer.policy

    def start_linking() -> bool:
        if window.active_policy is None:
            return False
        if window.active_policy.policy is None:
            return fail(opened, f"the policy did not load: {window.active_policy.notice}")
        threading.Thread(target=link_all, daemon=True).start()
        return True

    def all_linked() -> bool:
        if errors:
            return fail(opened, f"linking failed: {errors[0]!r}")
        if len(linked) != count or check.state != "ok" or window.composer.draft is None:
            return False
        window.accounts_panel.refresh()
        return True

    def choose_all() -> bool:
        panel = window.accounts_panel
        if len(panel.records) != count or not all(avatars_in(row) for row in panel.rows.values()):
            return False
        for record in panel.records:
            bar.picker.item_for(record.account.id).setCheckState(Qt.CheckState.Checked)
        before_publish()
        return True

    def publish() -> bool:
        if not bar.publish_button.isEnabled():
            return False
        bar.publish_button.click()
        return True

    def answered() -> bool:
        run = bar.runs.get(window.composer.draft.id)
        if run is None or run.sending or len(run.statuses) != count:
            return False
        window.composer.editor.setFocus()
        return True

    return [start_linking, all_linked, choose_all, publish, answered, wait(7)]  # then a quiet moment for the last paint


def publish_report(target: Path, opened: Opened) -> dict:
    """The screen grab, and what the publish bar and the Accounts panel show."""
    bar, panel = opened.window.publish_bar, opened.window.accounts_panel
    rows = {row.full_handle: (row.state, row.text.text()) for row in bar.status_view.rows.values()}
    return {**grab(target, opened.window, margin=12), "accounts": [r.account.handle for r in panel.records],
            "rows": rows, "summary": bar.status_view.summary.text()}


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: keyring, servers, the real window, a publish, then a screen grab."""
    from desktop.bootstrap import build_services
    from tests.servers.mastodon_browser import AuthorizeBrowser
    from tests.servers.mastodon_server import MastodonTestServer

    keyring_service, secret_store = private_keyring()
    servers = []
    for domain, port in zip(DOMAINS, PORTS, strict=True):
        server = MastodonTestServer(port=_port(port), users={}, domain=domain, max_characters=500)
        server.add_user(USER, PASSWORD, NAME)
        servers.append(server.start())
    opened = open_window(profile, (1240, 760), (20, 20), activate=True, open_url=lambda url: True,
                         outbox_first_try_ms=-1, services=lambda settings, store, paths: build_services(
                             settings, store, paths.cache_dir, secret_store=secret_store))
    linked: list = []

    def link_all() -> None:  # off the GUI thread, as the dialog's worker would
        for server in servers:
            linked.append(link_with_browser(opened.services, "mastodon", server.url, AuthorizeBrowser(USER, PASSWORD)))

    def shot() -> bool:
        print(json.dumps(publish_report(target, opened)))
        return True

    steps = publish_to_all(opened, 2, link_all, linked, [], lambda row: row.image is not None,
                           lambda: servers[1].fail_next(status=503, path="/api/v1/statuses", method="POST"))
    done = run_steps(opened, [*steps, shot], timeout_s=60)
    opened.close()
    for server in servers:
        server.stop()
    keyring_service.stop()
    return 0 if done else 1


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

    from desktop.bootstrap import build_services
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from tests.servers.bluesky_pds import start_pds, stop_pds
    from tests.servers.linkedin_server import LinkedInTestServer, MemberBrowser
    from tests.servers.mastodon_browser import AuthorizeBrowser
    from tests.servers.mastodon_server import MastodonTestServer

    settings = Settings(AppPaths.for_profile(profile).settings_file)
    keyring_service, secret_store = private_keyring()
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

    opened = open_window(profile, (1240, 760), (20, 20), activate=True, settings=settings, open_url=lambda url: True,
                         outbox_first_try_ms=-1, services=lambda settings, store, paths: build_services(
                             settings, store, paths.cache_dir, secret_store=secret_store,
                             endpoints={"bluesky": {"service_url": pds.url, "plc_url": pds.plc_url},
                                        "linkedin": {"authorization_url": f"{linkedin.url}/oauth/v2/authorization",
                                                     "token_url": f"{linkedin.url}/oauth/v2/accessToken",
                                                     "api_base": linkedin.url}}))
    linking = opened.services.linking
    linked: list = []
    errors: list = []

    def link_all() -> None:  # off the GUI thread, as the dialogs' workers do
        try:
            linked.append(linking.link_with_password("bluesky", user.handle, user.app_passwords["Chorus"]))
            linked.append(link_with_browser(opened.services, "mastodon", mastodon.url, AuthorizeBrowser(USER, PASSWORD)))
            linked.append(link_with_browser(opened.services, "linkedin", None, MemberBrowser(USER, PASSWORD)))
        except Exception as exc:  # noqa: BLE001 - reported by the steps
            errors.append(exc)

    def avatar_in(row: Any) -> bool:  # the avatars served here (LinkedIn's test picture URL points nowhere: its initial is drawn)
        return row.image is not None or "127.0.0.1" not in row.record.account.avatar_url

    state: dict = {"sent": False}

    def shot() -> bool:
        report = publish_report(target, opened)
        report["on_servers"] = {"bluesky": len(pds.list_posts(user.did)), "mastodon": len(mastodon.statuses_of(USER)),
                                "linkedin": len(linkedin.posts)}
        print(json.dumps(report))
        state["sent"] = all(s == "sent" for s, _ in report["rows"].values())
        return True

    def gave_up() -> str:
        panel = opened.window.accounts_panel
        shown = [(r.account.handle, r.account.avatar_url, row.image is not None)
                 for r, row in ((r, panel.rows.get(r.id)) for r in panel.records) if row]
        return f"{len(linked)} linked, panel {shown}"

    done = run_steps(opened, [*publish_to_all(opened, 3, link_all, linked, errors, avatar_in), shot], timeout_s=90,
                     gave_up=gave_up)
    opened.close()
    mastodon.stop()
    linkedin.stop()
    stop_pds(pds.process)
    keyring_service.stop()
    return 0 if done and state["sent"] else 1


def shots(args: list[str]) -> dict:
    if args == ["--three"]:  # the child knows it by the file's name
        return shoot_with_child(__file__, "accounts-three.png", "light", seed_three, timeout=240)
    return {"light": shoot_with_child(__file__, "accounts-publish.png", "light", seed, timeout=120),
            "dark": shoot_with_child(__file__, "accounts-publish-dark.png", "dark", seed, timeout=120)}


if __name__ == "__main__":
    main(lambda profile, target: (child_three if target.stem == "accounts-three" else child)(profile, target), shots)
