"""Take the Preview panel screenshots: the real window on a private Xvfb server.

    .venv/bin/python packaging/screenshots/take_preview.py

For light and dark, at a large (1240x820) and a small (820x560) window: seeds a throw-away profile
(the composer's networks Bluesky, Mastodon and LinkedIn) with a draft just over Bluesky's 300
graphemes that has a mention, hashtags, a link and emoji, starts this script again as a child on
Xvfb, attaches two images to the preview (one without alt text), brings the Preview panel forward
and grabs the window into packaging/screenshots/preview-*.png. Needs Xvfb.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from shots import grab, main, open_window, run_steps, seed_profile, wait  # noqa: E402
from xvfb import shoot_with_child  # noqa: E402

POST = ("Release day 🎉 Chorus 2.0 is out, with previews for every network before you post. Thanks "
        "@alice.bsky.social for the design and the whole team for testing it on three networks at once. "
        "Notes: https://example.com/blog/2026/chorus-2-release-notes #Chorus #release\n"
        "Next up: threads for long posts, scheduling, and a window that works at any size. Tell us what "
        "you would like to see, we read everything. 🙌")
SIZES = {"large": (1240, 820), "small": (820, 560)}


def seed(profile: Path, theme: str) -> None:
    seed_profile(profile, theme, {"tips.show_at_start": False, "composer.networks": ["bluesky", "mastodon", "linkedin"]},
                 [POST])


def child(profile: Path, target: Path) -> int:
    from PySide6.QtCore import Qt

    from desktop.core.preview import PreviewImage

    width, height = SIZES["small" if "small" in target.name else "large"]
    opened = open_window(profile, (width, height))
    window = opened.window
    panel = window.preview.panel

    def attach_images() -> bool:
        if window.composer.draft is None:
            return False
        window.preview.set_images([PreviewImage("The new preview panel beside the editor", "preview.png", "",
                                                1600, 900), PreviewImage("", "team.jpg", "", 1200, 800)])
        window.preview_dock.raise_()
        if width >= 1200:
            window.resizeDocks([window.preview_dock], [520], Qt.Orientation.Horizontal)
        return True

    def shot() -> bool:
        if not panel.previews:
            return False
        print(json.dumps({**grab(target, window),
                          "counts": {k: [p.count.used, p.count.limit] for k, p in panel.previews.items()},
                          "cuts": {k: p.cut.index if p.cut else None for k, p in panel.previews.items()}}))
        return True

    done = run_steps(opened, [attach_images, wait(11), shot])
    opened.close()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    return {f"{size}{suffix}": shoot_with_child(__file__, f"preview-{size}{suffix}.png", theme, seed, timeout=90)
            for size in ("large", "small") for suffix, theme in (("", "light"), ("-dark", "dark"))}


if __name__ == "__main__":
    main(child, shots)
