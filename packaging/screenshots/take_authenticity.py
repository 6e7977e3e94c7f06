"""Take the authenticity-check screenshots: a draft that repeats one of the author's own posts.

    .venv/bin/python packaging/screenshots/take_authenticity.py [FOLDER]

For each of light and dark: seeds a throw-away profile (the default policy, one post published to
Mastodon two days ago: a sent publish record, and a new draft that repeats it with a greeting and
an emoji), then starts this script again as a child on Xvfb (platform xcb). The child builds the
app's own window, waits until the live check has read the own posts on the db lane and shows the
hint, selects it in the Policy panel, rests the mouse on the underline so Qt shows its tooltip, and
grabs the screen around the window into FOLDER/authenticity.png and authenticity-dark.png (default
FOLDER: packaging/screenshots). Needs Xvfb.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from shots import grab, hover_text, main, open_window, out_folder, run_steps, seed_profile, select_finding, themed, wait  # noqa: E402
from xvfb import shoot_with_child  # noqa: E402

OWN = ("Three years at Acme today. I started on the support desk and now I help build the sync engine; thank you "
       "to everyone who answered my questions along the way.")
DRAFT = "Hello again, friends! 🎉 " + OWN.replace("today", "this week")
HOVER = "support desk"


def seed(profile: Path, theme: str) -> None:
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.ports import Account
    from desktop.core.publishing.store import PublishStore

    seed_profile(profile, theme, {"policy.source": "default", "composer.networks": ["mastodon", "linkedin"]})
    paths = AppPaths.for_profile(profile)
    two_days_ago = time.time() - 2 * 86_400
    store = DraftStore.open(paths.drafts_db, clock=lambda: two_days_ago)
    published = store.create(OWN)
    history = PublishStore(store)
    history.begin_publication(published.id, Account("acct-m", "mastodon", "@sam@social.example",
                                                    "https://social.example"), "shot-1")
    history.mark_sent("shot-1", "https://social.example/@sam/1", "1")
    store.close()
    store = DraftStore.open(paths.drafts_db)
    store.create(DRAFT)
    store.close()


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: the real window, the hint selected, a tooltip, then a screen grab."""
    opened = open_window(profile, (1240, 720), activate=True)
    window = opened.window
    check = window.composer.policy

    def hint() -> list:
        return [f for f in check.findings if f.finding.rule_id == "own-words"]

    def select_and_hover() -> bool:  # once the policy, the own posts and the check with them are in
        if check.state != "ok" or window.composer.draft is None or not hint():
            return False
        select_finding(window, hint()[0])
        hover_text(window.composer.editor, window.composer.text(), HOVER)
        return True

    def shot() -> bool:
        print(json.dumps({**grab(target, window, margin=12),
                          "findings": [(f.severity, f.finding.rule_id, f.finding.message) for f in hint()]}))
        return True

    # ~1.2 s after the hover: the tooltip's delay, and a quiet moment for the last paint
    done = run_steps(opened, [select_and_hover, wait(11), shot], timeout_s=60)
    opened.close()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    out = out_folder(args, REPO / "packaging" / "screenshots")
    return {theme: shoot_with_child(__file__, str(out / file), theme, seed, timeout=120)
            for file, theme in themed("authenticity")}


if __name__ == "__main__":
    main(child, shots)
