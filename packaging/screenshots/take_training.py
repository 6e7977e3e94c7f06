"""Take the training screenshots: the company policy's summary at first start, and the check of understanding.

    .venv/bin/python packaging/screenshots/take_training.py

For each of light and dark: seeds a throw-away profile (the acme-example policy, one draft; for the
quiz, the policy already acknowledged), then starts this script again as a child on Xvfb (platform
xcb). The child builds the app's own window (``desktop.ui.shell.app.create_window``) with the
services of the composition root and its policy gate (in-memory secrets: nothing is linked), and:
  training-summary  waits for the summary to open by itself (first start), then grabs the window and it;
  training-quiz     opens Help → Company policy → Check my understanding (seed 3), answers the first
                    question "Yes" and grabs the dialog showing the verdict and the rule's explanation.
Needs Xvfb.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from shots import grab, main, open_window, run_steps, seed_profile, wait  # noqa: E402
from xvfb import shoot_with_child  # noqa: E402

DRAFT = "Big week for the team: the new search is out, and the feedback has been lovely so far."


def seed_for(kind: str):
    def seed(profile: Path, theme: str) -> None:
        from desktop.core.drafts import DraftStore
        from desktop.core.paths import AppPaths
        from desktop.core.policy import load_policy
        from desktop.core.training import TrainingRecords, summarise

        seed_profile(profile, theme, {"policy.source": "acme-example"}, [DRAFT])
        if kind == "quiz":
            store = DraftStore.open(AppPaths.for_profile(profile).drafts_db)
            TrainingRecords(store).acknowledge(summarise(load_policy("acme-example")))
            store.close()
        (profile / "kind").write_text(kind, encoding="utf-8")

    return seed


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: the real window with its training feature, then a screen grab."""
    from desktop.bootstrap import build_services, make_policy_gate
    from desktop.core.accounts import MemorySecretStore

    kind = (profile / "kind").read_text(encoding="utf-8")
    opened = open_window(profile, (1100, 680), (10, 10), services=lambda settings, store, paths: build_services(
        settings, store, paths.cache_dir, secret_store=MemorySecretStore(), policy_gate=make_policy_gate(settings, store)))
    window = opened.window
    training = window.training
    assert training is not None
    training.seed = lambda: 3
    state: dict = {"dialog": None}

    def summary_open() -> bool:  # it opens by itself at the first start
        dialog = training.summary_dialog
        if dialog is None or not dialog.isVisible() or training.status is None:
            return False
        dialog.move(window.x() + 240, window.y() + 40)
        state["dialog"] = dialog
        return True

    def summary_shot() -> bool:
        print(json.dumps({**grab(target, window, state["dialog"]), "kind": kind}))
        return True

    def start_quiz() -> bool:
        if training.status is None or not training.status.acknowledged:
            return False
        training.quiz_shown.connect(lambda dialog: state.update(dialog=dialog))
        training.start_quiz()
        return True

    def answer_yes() -> bool:
        dialog = state["dialog"]
        if dialog is None:
            return False
        dialog.move(window.x() + 260, window.y() + 120)
        dialog.answer(True)
        return True

    def quiz_shot() -> bool:  # the dialog alone
        image = state["dialog"].grab().toImage()
        image.save(str(target), "PNG")
        print(json.dumps({"target": str(target), "size": [image.width(), image.height()], "kind": kind}))
        return True

    steps = [summary_open, wait(9), summary_shot] if kind == "summary" else \
        [start_quiz, answer_yes, wait(10), quiz_shot]
    done = run_steps(opened, steps, timeout_s=40, close=False)
    opened.close()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    return {f"{kind}-{theme}": shoot_with_child(__file__, f"training-{kind}{'-dark' if theme == 'dark' else ''}.png",
                                                theme, seed_for(kind), timeout=90)
            for kind in ("summary", "quiz") for theme in ("light", "dark")}


if __name__ == "__main__":
    main(child, shots)
