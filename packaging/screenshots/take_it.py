"""Take the IT-deployment screenshots: managed settings, a policy served from the intranet, Diagnostics,
and linking turned off, each in light and dark, on a private Xvfb server.

    .venv/bin/python packaging/screenshots/take_it.py           # all of them (run as root)
    .venv/bin/python packaging/screenshots/take_it.py it-status  # the shots whose name starts so

For each shot, a throw-away profile is seeded (the theme, two drafts), then this script starts again
as a child on Xvfb (platform xcb). The child plays the organisation's IT: it makes a certificate
authority for the run and serves the acme-example policy (and a proxy auto-config script) from an
HTTPS server on 127.0.0.1 (tests/integration/test_policy_url.py ``make_pki``/``PolicyServer``), and
writes managed settings into a folder laid out like ``/etc/xdg/chorus`` inside the profile
(``managed/10-acme.json`` mandatory, ``recommended/10-acme.json`` recommended; root-owned and not
group- or world-writable, as the reader demands, so the script must run as root). The settings are
read by the real Linux reader (``desktop.adapters.managed_settings.LinuxJsonFolder`` pointed at that
folder) through ``desktop.adapters.managed_settings.load_settings``, the services are the composition root's
(``build_services`` with a private Secret Service keyring, tests/integration/secret_service.py, and
``make_diagnose``), and the window is the app's own (``create_window``).

Shots (``-dark`` for the dark theme), in packaging/screenshots/:
  it-settings           Settings on a 1280x800 screen with policy.source, accounts.allowed_networks,
                        network.proxy and network.ca_certificates mandatory and policy.refresh_hours
                        recommended, scrolled to the accounts; the pointer rests on the lock note of
                        the policy so its origin shows.
  it-status-800 / -1600 the main window at 800x520 and 1600x1000 with the served policy in force.
  it-diagnostics        Help → Diagnostics once its report is in.
  it-linking-off        accounts.linking_allowed false: the Accounts panel, the pointer on Link account….
Needs Xvfb, dbus-daemon and gnome-keyring (``bash .ci/run`` installs them).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from shots import fail, grab, main, open_window, private_keyring, run_steps, seed_profile, wait  # noqa: E402
from xvfb import shoot_with_child  # noqa: E402

DRAFTS = ("Reading list for the week: https://example.com/reading-list-for-product-managers",
          "Proud of the support team: 10,000 tickets answered this year, most within a day. Thank you all!")
PAC = b'function FindProxyForURL(url, host) { return "DIRECT"; }'
POLICY_VERSION = "2026.12.1"

# name -> (screen, window size, what the child does, managed values beyond the common ones)
SHOTS: dict[str, dict] = {
    "it-settings": {"screen": "1280x800", "window": [1100, 700], "kind": "settings"},
    "it-status-800": {"screen": "1280x800", "window": [800, 520], "kind": "status"},
    "it-status-1600": {"screen": "1680x1080", "window": [1600, 1000], "kind": "status"},
    "it-diagnostics": {"screen": "1280x800", "window": [1100, 700], "kind": "diagnostics"},
    "it-linking-off": {"screen": "1280x800", "window": [1100, 700], "kind": "linking",
                       "mandatory": {"accounts.linking_allowed": False}},
}


def seed_for(shot: dict):
    def seed(profile: Path, theme: str) -> None:
        seed_profile(profile, theme, drafts=DRAFTS)
        (profile / "shot.json").write_text(json.dumps(shot), encoding="utf-8")

    return seed


def write_managed(base: Path, level_folder: str, values: dict) -> Path:
    """One managed file under *base* (like /etc/xdg/chorus), owned by root and writable by root only."""
    folder = base / level_folder
    folder.mkdir(parents=True, exist_ok=True)
    for each in (folder, *folder.parents):
        if each == base.parent:
            break
        os.chown(each, 0, 0)
        os.chmod(each, 0o755)
    path = folder / "10-acme.json"
    path.write_text(json.dumps(values, indent=2), encoding="utf-8")
    os.chown(path, 0, 0)
    os.chmod(path, 0o644)
    return path


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: IT's policy server and managed files, the real window, then a screen grab."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QCursor

    from desktop.adapters.managed_settings import LinuxJsonFolder, load_settings
    from desktop.bootstrap import build_services, make_diagnose
    from desktop.core.paths import AppPaths
    from tests.integration.test_policy_url import PROXY_VARIABLES, PolicyServer, acme_version, make_pki

    shot = json.loads((profile / "shot.json").read_text(encoding="utf-8"))
    kind = shot["kind"]
    for name in PROXY_VARIABLES:
        os.environ.pop(name, None)
    pki_dir = profile / "pki"
    pki_dir.mkdir()
    server = PolicyServer(make_pki(pki_dir))
    server.served.body = acme_version(POLICY_VERSION)
    server.served.pac = PAC
    base = profile / "etc" / "xdg" / "chorus"
    origin = f"https://127.0.0.1:{server.port}"
    mandatory = {"policy.source": server.url, "accounts.allowed_networks": ["mastodon", "linkedin"],
                 "network.proxy": f"pac+{origin}/proxy.pac", "network.ca_certificates": str(pki_dir / "intranet-ca.pem"),
                 **shot.get("mandatory", {})}
    write_managed(base, "managed", mandatory)
    write_managed(base, "recommended", {"policy.refresh_hours": 2})
    keyring_service, secret_store = private_keyring()

    def services(settings, store, paths):
        built = build_services(settings, store, paths.cache_dir, secret_store=secret_store,
                               policy_download=paths.policy_download)
        built.diagnose = make_diagnose(paths, settings, store, built.remote_policy)
        return built

    settings = load_settings(AppPaths.for_profile(profile),
                             [LinuxJsonFolder("mandatory", base), LinuxJsonFolder("recommended", base)])
    # activated: with no window manager on Xvfb, Qt shows tooltips for the active window only
    opened = open_window(profile, tuple(shot["window"]), (20, 20), activate=True, settings=settings,
                         services=services, open_url=lambda url: True, outbox_first_try_ms=-1)
    window = opened.window
    state: dict = {"dialog": None, "facts": {}}

    def hover(widget) -> None:
        widget.window().activateWindow()
        QCursor.setPos(widget.mapToGlobal(QPoint(widget.width() // 2, widget.height() // 2)))

    def policy_in() -> bool:
        active = window.active_policy
        if active is None or window.composer.draft is None:
            return False
        if active.policy is None:
            return fail(opened, f"the policy did not load: {active.notice}")
        state["facts"]["status"] = window.policy_label.text()
        if kind == "settings":
            window.show_settings()
            from desktop.ui.shell.settings_dialog import SettingsDialog

            state["dialog"] = window.findChild(SettingsDialog)
        elif kind == "diagnostics":
            window.show_diagnostics()
            state["dialog"] = window.diagnostics_dialog
        return True

    def ready() -> bool:
        if kind == "diagnostics" and state["dialog"].report is None:
            return False
        if kind == "settings":  # the locked network and accounts rows in view, the policy's origin shown
            dialog = state["dialog"]
            dialog.scroll_area.ensureWidgetVisible(dialog.notes["accounts.allowed_networks"])
            hover(dialog.notes["policy.source"])
            state["facts"]["dialog"] = [dialog.width(), dialog.height()]
        if kind == "linking":
            panel = window.accounts_panel
            if panel is None or not panel.loaded:
                return False
            hover(panel.link_button)
            state["facts"]["linking"] = [panel.link_button.isEnabled(), panel.link_refusal]
        return True

    def shot_taken() -> bool:
        dialog = state["dialog"]
        # a dialog: the window around it too, as the user sees it
        state["facts"].update(grab(target, *([window] if dialog is None else [dialog, window]), margin=12))
        if kind == "diagnostics":
            state["facts"]["summary"] = dialog.summary.text()
        state["facts"]["status_shown"] = window.policy_label.text()
        print(json.dumps(state["facts"]))
        if dialog is not None:
            dialog.close()
        return True

    # ~1.4 s before the grab: a tooltip's delay, and a quiet moment for the last paint
    done = run_steps(opened, [policy_in, ready, wait(13), shot_taken], timeout_s=60)
    opened.close()
    server.stop()
    keyring_service.stop()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    if os.geteuid() != 0:
        raise SystemExit("take_it.py writes managed-settings files owned by root, as IT does: run it as root")
    wanted = [name for name in SHOTS if not args or any(name.startswith(a) for a in args)]
    return {name: {theme: shoot(name, theme) for theme in ("light", "dark")} for name in wanted}


def shoot(name: str, theme: str) -> dict:
    shot = SHOTS[name]
    file = f"{name}{'-dark' if theme == 'dark' else ''}.png"
    return shoot_with_child(__file__, file, theme, seed_for(shot), timeout=120, screen=shot["screen"])


if __name__ == "__main__":
    main(child, shots, indent=1)
