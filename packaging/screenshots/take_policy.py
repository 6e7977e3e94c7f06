"""Take the policy screenshots: the real window on a private Xvfb server, a post with findings of every severity.

    .venv/bin/python packaging/screenshots/take_policy.py

For each of light and dark: seeds a throw-away profile (the acme-example policy, a draft with block,
warn and info findings, one warning already acknowledged), then starts this script again as a child
on Xvfb (platform xcb). The child builds the app's own window (``desktop.ui.shell.app.create_window``, the
policy loaded on its lane as in the app), selects a warning in the Policy panel, rests the real
mouse pointer on an underlined word so Qt shows its tooltip, and grabs the screen around the
window into packaging/screenshots/policy-findings.png and policy-findings-dark.png. Needs Xvfb.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from shots import grab, hover_text, main, open_window, run_steps, seed_profile, select_finding, themed, wait  # noqa: E402
from xvfb import shoot_with_child  # noqa: E402

POST = (
    "Huge week for the team! 🚀 We demoed Project Bluebird to @Initech and they loved it. "
    "AcmeCloud ships next week, so mark your calendars. Our Q3 revenue grew 14% too.\n\n"
    "Honestly the old dashboard was crap, what the hell were we thinking 😅\n\n"
    "Questions? Mail me at jane.doe@gmail.com or call +44 20 7946 0958."
)
ACKNOWLEDGED = ("R16-personal-phone", "+44 20 7946 0958", "This is my own work mobile, on my public profile too")
SELECT = ("R11-customer-name", "@Initech")  # the finding shown in the panel's details
HOVER = "Bluebird"  # the word the mouse rests on


def seed(profile: Path, theme: str) -> None:
    from desktop.core.drafts import Acknowledgement, DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.policy import load_policy

    _, draft = seed_profile(profile, theme, {"policy.source": "acme-example", "composer.networks": ["linkedin", "x"]},
                            ["Reading list for the week: https://example.com/reading-list-for-product-managers", POST])
    store = DraftStore.open(AppPaths.for_profile(profile).drafts_db)
    rule_id, text, reason = ACKNOWLEDGED
    store.save_acknowledgement(Acknowledgement(draft.id, rule_id, text, 0, load_policy("acme-example").version_key,
                                               "acknowledged", reason))
    store.close()


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: the real window, a selected finding, a tooltip, then a screen grab."""
    opened = open_window(profile, (1240, 720), activate=True)
    window = opened.window
    check = window.composer.policy

    def select_and_hover() -> bool:  # once the policy, the draft and its acknowledgements are in
        if check.state != "ok" or window.composer.draft is None or not check.findings:
            return False
        rule_id, text = SELECT
        [item] = [f for f in check.findings if f.finding.rule_id == rule_id and f.finding.text == text]
        select_finding(window, item)
        hover_text(window.composer.editor, window.composer.text(), HOVER)
        return True

    def shot() -> bool:
        print(json.dumps({**grab(target, window, margin=12),
                          "findings": [(f.severity, f.finding.rule_id, f.status) for f in check.findings]}))
        return True

    # ~1.2 s after the hover: the tooltip's delay, and a quiet moment for the last paint
    done = run_steps(opened, [select_and_hover, wait(11), shot])
    opened.close()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    return {theme: shoot_with_child(__file__, file, theme, seed, timeout=90) for file, theme in themed("policy-findings")}


if __name__ == "__main__":
    main(child, shots)
