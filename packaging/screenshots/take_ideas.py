"""Take the Ideas screenshots: the real window on a private Xvfb server, light and dark.

    .venv/bin/python packaging/screenshots/take_ideas.py [OUTPUT_FOLDER]

Seeds a throw-away profile with a company JSON Feed file (items with suggested copy), an intranet
feed whose server is down (its items kept from 3 Dec, so the panel shows the offline line), and a
folder with a CHANGELOG and a note. Grabs the Ideas panel (``ideas-panel*.png``), then chooses
"Write about this" on the release item and grabs the editor with the reference pane beside it
(``ideas-write*.png``). Needs Xvfb. Default output: packaging/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from xvfb import shoot_with_child  # noqa: E402

INTRANET = "http://127.0.0.1:9/news/rss.xml"  # nothing listens on port 9 (discard): the feed is "down"


def _stamp(day: int, hour: int = 9) -> float:
    return dt.datetime(2026, 12, day, hour, tzinfo=dt.UTC).timestamp()


def seed(profile: Path, theme: str) -> None:
    from desktop.core.drafts import DraftStore
    from desktop.core.ideas import IdeaStore, ParsedFeed
    from desktop.core.ideas.feeds import FeedItem
    from desktop.core.paths import AppPaths

    feed = profile / "acme-releases.json"
    feed.write_text(json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Acme Releases",
        "items": [
            {"id": "r-2-0", "url": "https://acme.example/releases/2.0", "title": "Acme Sync 2.0 is out",
             "summary": "Two-way sync for shared folders, 40% faster first upload, and an offline mode for field teams.",
             "date_published": "2026-12-04T08:00:00Z",
             "_chorus": {"suggested_copy": "Acme Sync 2.0 is here! Faster uploads, offline mode and more. "
                                           "Upgrade today #AcmeSync #productivity"}},
            {"id": "talk-lyon", "url": "https://acme.example/events/lyon", "title": "Meet us at DevDays Lyon",
             "summary": "Our platform team gives two talks on policy checks at typing speed.",
             "date_published": "2026-12-02T10:00:00Z"},
            {"id": "jobs", "url": "https://acme.example/jobs", "title": "We are hiring: 3 SREs in Lyon and Berlin",
             "summary": "Join the team that keeps Acme Sync running for 2 million people.",
             "date_published": "2026-11-28T09:00:00Z",
             "_chorus": {"suggested_copy": "Join our amazing team! We're hiring SREs. #hiring"}},
        ]}), encoding="utf-8")
    notes = profile / "my-notes"
    notes.mkdir()
    (notes / "CHANGELOG.md").write_text("# Changelog\n\n## 1.4.0 — 2026-12-03\n- Offline drafts on the shop floor.\n"
                                        "- Start-up twice as fast.\n\n## 1.3.0 — 2026-10-02\n- Scheduled posts.\n",
                                        encoding="utf-8")
    visit = notes / "customer-visit.md"
    visit.write_text("# Visit at the Lyon plant\n\nThey now use offline drafts on the shop floor: no more lost notes "
                     "when the Wi-Fi drops.\n", encoding="utf-8")
    os.utime(visit, (_stamp(1),) * 2)
    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "ideas.feeds": [str(feed), INTRANET], "ideas.folders": [str(notes)],
        "tips.show_at_start": False, "tour.show_at_start": False}}), encoding="utf-8")
    store = DraftStore.open(paths.drafts_db)
    store.create("Reading list for the week: https://example.com/reading-list")
    ideas = IdeaStore(store, clock=lambda: _stamp(3, 16))
    ideas.save_feed(INTRANET, ParsedFeed("Intranet news", [
        FeedItem("n1", "Quarterly all-hands: the recording is up", "https://intranet.example/allhands", _stamp(3, 14),
                 "Missed it? The recording and slides are on the intranet."),
        FeedItem("n2", "New office in Porto opens in January", "https://intranet.example/porto", _stamp(1, 11),
                 "Twenty desks, a view of the river."),
    ]), None, None)
    store.close()


def child(profile: Path, target: Path) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from desktop.adapters.feeds import HttpFeedFetcher
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window

    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    app, window, runner = create_window(Settings(paths.settings_file), store, None, store.notices,
                                        policy_cache=paths.last_good_policy)
    window.ideas.service.fetcher = HttpFeedFetcher(deadline=5.0)
    window.resize(1240, 720)
    window.move(20, 30)
    window.show()
    writing = "write" in target.name
    state: dict = {"step": 0, "code": 1, "refreshed": False}
    window.ideas.refreshed.connect(lambda: state.__setitem__("refreshed", True))

    def grab() -> None:
        frame = window.frameGeometry().adjusted(-8, -8, 8, 8)
        image = QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(frame)
        image.save(str(target), "PNG")
        print(json.dumps({"target": str(target), "size": [image.width(), image.height()],
                          "ideas": window.ideas.panel.titles(), "status": window.ideas.panel.status.text(),
                          "editor": window.composer.text(), "reference": window.ideas.reference.isVisible()}))
        state["code"] = 0

    def tick() -> None:
        step = state["step"]
        panel = window.ideas.panel
        if step == 0:
            if not state["refreshed"] or not panel.ideas:
                return
            window.ideas_dock.raise_()
            panel.select(panel.ideas[0].key)
            if writing:
                panel.write_button.click()
            state["step"] = 1
        elif step < 12:
            state["step"] = step + 1
        else:
            timer.stop()
            grab()
            window.close()
            app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    runner.shutdown()
    store.close()
    return state["code"]


def shoot(name: str, theme: str, folder: Path) -> dict:
    return shoot_with_child(__file__, str(folder / name), theme, seed, timeout=120)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2]), Path(sys.argv[3])))
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else REPO / "packaging" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    print(json.dumps({name: shoot(f"{name}.png", theme, out) for name, theme in (
        ("ideas-panel", "light"), ("ideas-panel-dark", "dark"), ("ideas-write", "light"),
        ("ideas-write-dark", "dark"))}))
