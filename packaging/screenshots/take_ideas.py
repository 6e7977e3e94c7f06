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
from shots import grab, main, open_window, out_folder, run_steps, seed_profile, wait  # noqa: E402
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
    seed_profile(profile, theme, {"ideas.feeds": [str(feed), INTRANET], "ideas.folders": [str(notes)],
                                  "tips.show_at_start": False, "tour.show_at_start": False},
                 ["Reading list for the week: https://example.com/reading-list"])
    store = DraftStore.open(AppPaths.for_profile(profile).drafts_db)
    ideas = IdeaStore(store, clock=lambda: _stamp(3, 16))
    ideas.save_feed(INTRANET, ParsedFeed("Intranet news", [
        FeedItem("n1", "Quarterly all-hands: the recording is up", "https://intranet.example/allhands", _stamp(3, 14),
                 "Missed it? The recording and slides are on the intranet."),
        FeedItem("n2", "New office in Porto opens in January", "https://intranet.example/porto", _stamp(1, 11),
                 "Twenty desks, a view of the river."),
    ]), None, None)
    store.close()


def child(profile: Path, target: Path) -> int:
    from desktop.adapters.feeds import HttpFeedFetcher

    opened = open_window(profile, (1240, 720))
    window = opened.window
    window.ideas.service.fetcher = HttpFeedFetcher(deadline=5.0)  # before the event loop, so before any refresh
    writing = "write" in target.name
    state: dict = {"refreshed": False}
    window.ideas.refreshed.connect(lambda: state.__setitem__("refreshed", True))
    panel = window.ideas.panel

    def first_idea() -> bool:
        if not state["refreshed"] or not panel.ideas:
            return False
        window.ideas_dock.raise_()
        panel.select(panel.ideas[0].key)
        if writing:
            panel.write_button.click()
        return True

    def shot() -> bool:
        print(json.dumps({**grab(target, window), "ideas": panel.titles(), "status": panel.status.text(),
                          "editor": window.composer.text(), "reference": window.ideas.reference.isVisible()}))
        return True

    done = run_steps(opened, [first_idea, wait(11), shot], timeout_s=60)
    opened.close()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    out = out_folder(args, REPO / "packaging" / "screenshots")
    return {name: shoot_with_child(__file__, str(out / f"{name}.png"), theme, seed, timeout=120) for name, theme in (
        ("ideas-panel", "light"), ("ideas-panel-dark", "dark"), ("ideas-write", "light"), ("ideas-write-dark", "dark"))}


if __name__ == "__main__":
    main(child, shots)
