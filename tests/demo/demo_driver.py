"""Runs ``chorus --demo`` (desktop.bootstrap.main, the real entry point) in this process and plays a
trainer: publish the clean sample, wait for it in the Sandbox feed, Reset demo, quit. Writes what it
saw as JSON to argv[1]. Started as a subprocess by test_demo_end_to_end.py."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from PySide6.QtCore import QTimer

import desktop.ui.shell.app as app_module
from desktop.bootstrap import main

seen: dict[str, Any] = {"steps": []}
create_window = app_module.create_window


def drive(*args: Any, **kwargs: Any) -> Any:
    app, window, runner = create_window(*args, **kwargs)
    feature = window.demo
    clean = feature.session.bundle.drafts[0].text
    seen["root"] = str(feature.session.profile.root)
    seen["title"] = window.windowTitle()
    deadline = time.monotonic() + 60
    state = {"step": "wait-summary"}
    training = window.training

    def texts() -> list[str]:
        return [post.text for post in feature.feed.posts()]

    def tick() -> None:
        step = state["step"]
        if time.monotonic() > deadline:
            seen["timeout_in"] = step
            window.close()
            return
        dialog = training.summary_dialog if training is not None else None
        if step == "wait-summary" and dialog is not None and dialog.isVisible() and dialog.acknowledge_button.isEnabled():
            # the policy summary opens by itself on the demo's first start; the trainer acknowledges it
            dialog.acknowledge_button.click()
            state["step"] = "wait-acknowledged"
        elif step == "wait-acknowledged" and training is not None and training.status is not None \
                and training.status.open:
            seen["acknowledged"] = True
            if dialog is not None:
                dialog.close()
            state["step"] = "wait-ready"
        elif step == "wait-ready" and window.publish_bar.publish_button.isEnabled() and window.composer.text() == clean:
            seen["feed_at_start"] = len(texts())
            window.publish()
            state["step"] = "wait-feed"
        elif step == "wait-feed" and texts().count(clean) == 3:
            seen["published"] = texts().count(clean)
            seen["styles"] = sorted({c.post.style for c in feature.feed.cards if c.post.text == clean})
            feature.reset_done.connect(lambda seconds: seen.update(reset_s=seconds))
            feature.act_reset.trigger()
            state["step"] = "wait-reset"
        elif step == "wait-reset" and "reset_s" in seen and len(texts()) == seen["feed_at_start"]:
            seen["feed_after_reset"] = len(texts())
            seen["drafts_after_reset"] = window.drafts.model.rowCount()
            state["step"] = "done"
            window.close()
            return
        seen["steps"].append(step) if not seen["steps"] or seen["steps"][-1] != step else None
        QTimer.singleShot(50, tick)

    QTimer.singleShot(50, tick)
    return app, window, runner


app_module.create_window = drive
code = main(["--demo", *sys.argv[2:]])
seen["exit_code"] = code
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(seen, out)
