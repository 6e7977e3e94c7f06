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
from xvfb import shoot_with_child  # noqa: E402

DRAFT = "Big week for the team: the new search is out, and the feedback has been lovely so far."


def seed_for(kind: str):
    def seed(profile: Path, theme: str) -> None:
        from desktop.core.drafts import DraftStore
        from desktop.core.paths import AppPaths
        from desktop.core.policy import load_policy
        from desktop.core.training import TrainingRecords, summarise

        paths = AppPaths.for_profile(profile)
        paths.ensure()
        paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
            "appearance.theme": theme, "policy.source": "acme-example"}}), encoding="utf-8")
        store = DraftStore.open(paths.drafts_db)
        store.create(DRAFT)
        if kind == "quiz":
            TrainingRecords(store).acknowledge(summarise(load_policy("acme-example")))
        store.close()
        (profile / "kind").write_text(kind, encoding="utf-8")

    return seed


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: the real window with its training feature, then a screen grab."""
    from PySide6.QtCore import QRect, QTimer
    from PySide6.QtGui import QGuiApplication

    from desktop.bootstrap import build_services, make_policy_gate
    from desktop.core.accounts import MemorySecretStore
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window

    kind = (profile / "kind").read_text(encoding="utf-8")
    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    settings = Settings(paths.settings_file)
    services = build_services(settings, store, paths.cache_dir, secret_store=MemorySecretStore(),
                              policy_gate=make_policy_gate(settings, store))
    app, window, runner = create_window(settings, store, None, store.notices, policy_cache=paths.last_good_policy,
                                        services=services)
    window.resize(1100, 680)
    window.move(10, 10)
    window.show()
    training = window.training
    assert training is not None
    training.seed = lambda: 3
    state: dict = {"step": 0, "code": 1, "dialog": None}

    def grab(rect: QRect | None, widget=None) -> None:
        image = widget.grab().toImage() if widget is not None else \
            QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(rect)
        image.save(str(target), "PNG")
        print(json.dumps({"target": str(target), "size": [image.width(), image.height()], "kind": kind}))
        state["code"] = 0

    def tick() -> None:
        step = state["step"]
        if kind == "summary":
            if step == 0:
                dialog = training.summary_dialog
                if dialog is None or not dialog.isVisible() or training.status is None:
                    return
                dialog.move(window.x() + 240, window.y() + 40)
                state["dialog"] = dialog
                state["step"] = 1
            elif step < 10:
                state["step"] = step + 1
            else:
                timer.stop()
                grab(window.frameGeometry().united(state["dialog"].frameGeometry()).adjusted(-8, -8, 8, 8))
                app.quit()
        else:
            if step == 0:
                if training.status is None or not training.status.acknowledged:
                    return
                training.quiz_shown.connect(lambda dialog: state.update(dialog=dialog))
                training.start_quiz()
                state["step"] = 1
            elif step == 1:
                dialog = state["dialog"]
                if dialog is None:
                    return
                dialog.move(window.x() + 260, window.y() + 120)
                dialog.answer(True)
                state["step"] = 2
            elif step < 12:
                state["step"] = step + 1
            else:
                timer.stop()
                grab(None, state["dialog"])
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


def shoot(name: str, kind: str, theme: str) -> dict:
    return shoot_with_child(__file__, name, theme, seed_for(kind), timeout=90)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2]), Path(sys.argv[3])))
    print(json.dumps({f"{kind}-{theme}": shoot(f"training-{kind}{'-dark' if theme == 'dark' else ''}.png", kind, theme)
                      for kind in ("summary", "quiz") for theme in ("light", "dark")}))
