"""Take the publish-later screenshots: the real window on a private Xvfb server, with scheduled posts.

    .venv/bin/python packaging/screenshots/take_schedule.py

For each of light and dark: seeds a throw-away profile (the default policy, times chosen in
Europe/Paris, one linked Mastodon account as metadata only, since nothing is sent, and scheduled
posts in the outbox: two waiting, one held by the policy of the day, one missed while Chorus was
closed), starts this script again as a child on Xvfb and grabs the screen around the window:

- schedule-dialog*.png: File → Publish later… on the open draft, a time chosen for tomorrow 09:00;
- schedule-view*.png: File → Scheduled posts… (waiting, held with its reason, missed);
- schedule-missed*.png: the question at start about the post missed while Chorus was closed.
Needs Xvfb.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from xvfb import shoot_with_child  # noqa: E402

ZONE = "Europe/Paris"
OPEN_POST = ("Our accessibility audit is done: every form in the app now works with a screen reader. "
             "Thanks to everyone who tested with us! #a11y")
POSTS = (
    ("Release notes for 4.2 are up: faster search, a dark mode that follows your system, and fewer clicks "
     "to share a report. #release", 1, 9, 0),
    ("Join us Thursday for the community call: we'll walk through the new plugin API and take questions.", 3, 17, 30),
)
HELD = "Our demo of Project Bluebird went well today, thanks team!"
MISSED = "Friday reading: how we cut our build times in half with remote caching."


def _tomorrow_at(days: int, hour: int, minute: int) -> float:
    from desktop.core.publishing.schedule import to_utc

    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    day = today + dt.timedelta(days=days)
    return to_utc(dt.datetime(day.year, day.month, day.day, hour, minute), ZONE)


def seed(profile: Path, theme: str) -> None:
    from desktop.core.accounts import AccountStore
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.ports import Account
    from desktop.core.publishing.store import PublishStore

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "policy.source": "default", "publishing.time_zone": ZONE,
        "tour.show_at_start": False, "tips.show_at_start": False}}), encoding="utf-8")
    store = DraftStore.open(paths.drafts_db)
    account = AccountStore(store).save_account(Account(
        "acct-jane", "mastodon", "@jane@mastodon.example", "https://mastodon.example", remote_id="1",
        display_name="Jane Doe", limits={"max_characters": 500})).account
    publications = PublishStore(store)
    for text, days, hour, minute in POSTS:
        draft = store.create(text)
        publications.schedule(draft.id, [account.id], text, _tomorrow_at(days, hour, minute), ZONE)
    held = store.create(HELD)
    entry = publications.schedule(held.id, [account.id], HELD, _tomorrow_at(2, 8, 0), ZONE)
    publications.hold(entry.id, "Held, not sent: Publishing is refused: the policy blocks this post (Confidential "
                                "codename: Project Bluebird). Block findings cannot be overridden: change the text "
                                "to publish.")
    missed = store.create(MISSED)
    publications.schedule(missed.id, [account.id], MISSED, time.time() - 2 * 3600, ZONE)
    draft = store.create(OPEN_POST)
    store.set_targets(draft.id, [account.id])
    store.close()


def child(profile: Path, target: Path) -> int:
    from PySide6.QtCore import QRect, QTimer
    from PySide6.QtGui import QGuiApplication

    from desktop.bootstrap import build_services
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.publishing.schedule import local_time
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window

    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    settings = Settings(paths.settings_file)
    services = build_services(settings, store, paths.cache_dir)
    app, window, runner = create_window(settings, store, None, store.notices, policy_cache=paths.last_good_policy,
                                        services=services, outbox_first_try_ms=-1)
    window.resize(1180, 700)
    window.move(20, 30)
    window.show()
    mode = target.name.split("-")[1].split(".")[0]
    state: dict = {"step": 0, "code": 1, "shown": None}

    def ready() -> bool:
        return (window.accounts_panel is not None and window.accounts_panel.loaded
                and window.composer.policy.state == "ok" and bool(window.publish_bar.chosen())
                and window.composer.text() == OPEN_POST)

    def tick() -> None:
        step = state["step"]
        feature = window.schedule
        if step == 0:
            if not ready():  # the newest draft (OPEN_POST) opens at start
                return
            if mode == "dialog":
                feature.act_later.trigger()
                at = local_time(time.time() + 86400, ZONE)
                feature.dialog.set_wall_time(dt.datetime(at.year, at.month, at.day, 9, 0))
                state["shown"] = feature.dialog
            elif mode == "view":
                feature.show_scheduled()
                state["shown"] = feature.view
            else:
                feature.start()
            state["step"] = 1
        elif step == 1:
            if mode == "missed":
                if feature.missed_dialog is None:
                    return
                state["shown"] = feature.missed_dialog
            if mode == "view" and feature.view.table.rowCount() < 4:
                return
            shown = state["shown"]
            shown.move(window.frameGeometry().center() - shown.rect().center())
            state["step"] = 2
        elif step < 12:
            state["step"] = step + 1
        else:
            timer.stop()
            frame: QRect = window.frameGeometry().united(state["shown"].frameGeometry()).adjusted(-8, -8, 8, 8)
            image = QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(frame)
            image.save(str(target), "PNG")
            shown = state["shown"]
            details: dict = {"target": str(target), "size": [image.width(), image.height()]}
            if mode == "dialog":
                details["zone"] = shown.zone.text()
            elif mode == "view":
                details["rows"] = [[shown.table.item(r, c).text() for c in (0, 3)] for r in range(shown.table.rowCount())]
            else:
                details["missed"] = [shown.list.item(r).text() for r in range(shown.list.count())]
            print(json.dumps(details))
            state["code"] = 0
            shown.close()
            window.schedule._quitting = True  # noqa: SLF001 - a screenshot run quits without the tray question
            window.close()
            app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(40_000, app.quit)
    app.exec()
    runner.shutdown()
    services.close()
    store.close()
    return state["code"]


def shoot(name: str, theme: str) -> dict:
    return shoot_with_child(__file__, name, theme, seed, timeout=90)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2]), Path(sys.argv[3])))
    print(json.dumps({name: shoot(f"{name}.png", "dark" if name.endswith("dark") else "light")
                      for name in ("schedule-dialog", "schedule-dialog-dark", "schedule-view", "schedule-view-dark",
                                   "schedule-missed", "schedule-missed-dark")}))
