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
from shots import grab, main, open_window, run_steps, seed_profile, wait  # noqa: E402
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

    seed_profile(profile, theme, {"policy.source": "default", "publishing.time_zone": ZONE,
                                  "tour.show_at_start": False, "tips.show_at_start": False})
    store = DraftStore.open(AppPaths.for_profile(profile).drafts_db)
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
    from desktop.bootstrap import build_services
    from desktop.core.publishing.schedule import local_time

    opened = open_window(profile, (1180, 700), services=lambda settings, store, paths: build_services(
        settings, store, paths.cache_dir), outbox_first_try_ms=-1)
    window = opened.window
    feature = window.schedule
    mode = target.name.split("-")[1].split(".")[0]
    state: dict = {"shown": None}

    def show() -> bool:  # once the newest draft (OPEN_POST) is open, its account chosen and checked
        if not (window.accounts_panel is not None and window.accounts_panel.loaded
                and window.composer.policy.state == "ok" and bool(window.publish_bar.chosen())
                and window.composer.text() == OPEN_POST):
            return False
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
        return True

    def centre() -> bool:
        if mode == "missed":
            if feature.missed_dialog is None:
                return False
            state["shown"] = feature.missed_dialog
        if mode == "view" and feature.view.table.rowCount() < 4:
            return False
        shown = state["shown"]
        shown.move(window.frameGeometry().center() - shown.rect().center())
        return True

    def shot() -> bool:
        shown = state["shown"]
        details = grab(target, window, shown)
        if mode == "dialog":
            details["zone"] = shown.zone.text()
        elif mode == "view":
            details["rows"] = [[shown.table.item(r, c).text() for c in (0, 3)] for r in range(shown.table.rowCount())]
        else:
            details["missed"] = [shown.list.item(r).text() for r in range(shown.list.count())]
        print(json.dumps(details))
        shown.close()
        feature._quitting = True  # noqa: SLF001 - a screenshot run quits without the tray question
        return True

    done = run_steps(opened, [show, centre, wait(10), shot], timeout_s=40)
    opened.close()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    return {name: shoot_with_child(__file__, f"{name}.png", "dark" if name.endswith("dark") else "light", seed, timeout=90)
            for name in ("schedule-dialog", "schedule-dialog-dark", "schedule-view", "schedule-view-dark",
                         "schedule-missed", "schedule-missed-dark")}


if __name__ == "__main__":
    main(child, shots)
