"""Take the Tips panel screenshots: the real window on a private Xvfb server, a post with findings.

    .venv/bin/python packaging/screenshots/take_tips.py

For each of light and dark, at a normal (1240x720) and a small (820x560) window: seeds a throw-away
profile (the acme-example policy, the composer's networks Mastodon and Bluesky, a draft with a
codename and an endorsement without disclosure), starts this script again as a child on Xvfb, brings
the Tips panel forward once the tips are ranked for the findings, leaves the tip of the day showing,
and grabs the window into packaging/screenshots/tips-*.png. Needs Xvfb.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from shots import grab, main, open_window, run_steps, seed_profile, wait  # noqa: E402
from xvfb import shoot_with_child  # noqa: E402

POST = ("Demoed Project Bluebird to the team today and honestly, Acme Vault is the best backup tool "
        "out there. #opensource")
SIZES = {"normal": (1240, 720), "small": (820, 560)}


def seed(profile: Path, theme: str) -> None:
    seed_profile(profile, theme, {"policy.source": "acme-example", "composer.networks": ["mastodon", "bluesky"],
                                  "tips.show_at_start": True},
                 ["Reading list for the week: https://example.com/reading-list-for-product-managers", POST])


def child(profile: Path, target: Path) -> int:
    opened = open_window(profile, SIZES["small" if "small" in target.name else "normal"])
    window = opened.window
    tips = window.tips

    def tips_for_findings() -> bool:
        check = window.composer.policy
        if check.state != "ok" or not check.findings or not tips.panel.ranked:
            return False
        if tips.panel.group(tips.panel.ranked[0].id) != "finding":
            return False
        window.tips_dock.raise_()
        return True

    def shot() -> bool:
        print(json.dumps({**grab(target, window), "first_tips": tips.panel.tip_ids()[:5], "card": tips.card.isVisible(),
                          "findings": [f.finding.rule_id for f in window.composer.findings]}))
        return True

    done = run_steps(opened, [tips_for_findings, wait(9), shot])
    opened.close()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    return {key: shoot_with_child(__file__, file, theme, seed, timeout=90) for key, file, theme in (
        ("light", "tips-panel.png", "light"), ("dark", "tips-panel-dark.png", "dark"),
        ("small", "tips-panel-small.png", "light"), ("small-dark", "tips-panel-small-dark.png", "dark"))}


if __name__ == "__main__":
    main(child, shots)
