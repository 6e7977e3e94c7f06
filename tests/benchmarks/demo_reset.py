"""Demo benchmark: how long Reset demo takes to bring back the built-in bundle's sample state
(issue 13: under a second).

    python -m tests.benchmarks.demo_reset [--runs 7]

Two figures, medians over ``--runs`` after a trainer-like session each time (a draft edited, the
clean sample published to the three sandbox accounts):
- ``reset_s``: the disk work (DemoSession.reset on the db lane: tables emptied, 8 drafts, 3 accounts
  linked with the memory secret store, the feed reset);
- ``window_reset_s``: in the real window (Qt offscreen), from Demo → Reset demo to the first sample
  open in the editor, the drafts listed and the feed showing the bundle's posts again.
Baseline, same run: ``baseline_s``, making the same 8 drafts and linking the same 3 accounts one by
one through DraftStore.create and AccountService.link (what the person's own clicks cost);
``ratio`` = reset_s / baseline_s. Prints one JSON line. Target: window_reset_s < 1.0.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    from PySide6.QtWidgets import QApplication

    from desktop.bootstrap import build_services
    from desktop.core.accounts.secrets import MemorySecretStore
    from desktop.core.demo import DemoProfile, DemoSession, load_bundle
    from desktop.core.demo.feed import account_server
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.ports import Account
    from desktop.core.settings import Settings
    from desktop.ui.common.tasks import TaskRunner
    from desktop.ui.shell.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    bundle = load_bundle(None)
    with tempfile.TemporaryDirectory() as parent:
        profile = DemoProfile.create(Path(parent))
        session = DemoSession(bundle, profile)
        paths = AppPaths.for_profile(profile.root / "profile")
        paths.ensure()
        session.prepare(paths.settings_file)
        settings = Settings(paths.settings_file)
        store = DraftStore.open(paths.drafts_db)
        services = build_services(settings, store, paths.cache_dir, secret_store=MemorySecretStore(),
                                  endpoints={"sandbox": {"posts": str(session.posts.path)}}, demo=True)
        accounts = services.accounts
        session.reset(store, accounts)
        runner = TaskRunner()
        window = MainWindow(settings, store, runner, policy_cache=paths.last_good_policy, services=services,
                            outbox_first_try_ms=-1, demo=session)
        feature = window.demo
        assert feature is not None and window.publish_bar is not None
        window.load_policy()
        window.show()

        def wait(condition, timeout: float = 30.0) -> None:
            deadline = time.monotonic() + timeout
            while not condition():
                if time.monotonic() > deadline:
                    raise SystemExit("timed out waiting for the window")
                app.processEvents()
                time.sleep(0.002)

        clean = bundle.drafts[0].text
        posts = lambda: [post.text for post in feature.feed.posts()]  # noqa: E731
        disk, windowed, baseline = [], [], []
        for _ in range(runs):
            wait(lambda: window.publish_bar.publish_button.isEnabled() and window.composer.text() == clean)
            window.publish()
            wait(lambda: posts().count(clean) == 3)
            window.composer.editor.setPlainText(clean + " edited")
            done: list[float] = []
            feature.reset_done.connect(done.append)
            started = time.perf_counter()
            feature.act_reset.trigger()
            wait(lambda done=done: bool(done) and len(posts()) == len(bundle.feed)
                 and window.composer.text() == clean and window.drafts.model.rowCount() == len(bundle.drafts))
            windowed.append(time.perf_counter() - started)
            disk.append(done[0])
            feature.reset_done.disconnect(done.append)

            with tempfile.TemporaryDirectory() as other:  # baseline: the same state made item by item
                plain = DraftStore.open(Path(other) / "drafts.db")
                plain_accounts = build_services(settings, plain, None, secret_store=MemorySecretStore()).accounts
                started = time.perf_counter()
                for draft in bundle.drafts:
                    plain.create(draft.text)
                for demo in bundle.accounts:
                    plain_accounts.link(Account(f"demo-{demo.id}", "sandbox", demo.handle,
                                                account_server(demo.looks_like), remote_id=demo.handle), "x")
                baseline.append(time.perf_counter() - started)
                plain.close()

        window.close()
        runner.shutdown()
        services.close()
        store.close()
        profile.remove()
    reset_s, window_s, base_s = statistics.median(disk), statistics.median(windowed), statistics.median(baseline)
    print(json.dumps({"benchmark": "demo_reset", "runs": runs, "drafts": len(bundle.drafts),
                      "accounts": len(bundle.accounts), "reset_s": round(reset_s, 4),
                      "window_reset_s": round(window_s, 4), "window_reset_max_s": round(max(windowed), 4),
                      "baseline_s": round(base_s, 4), "ratio": round(reset_s / base_s, 2),
                      "target_window_reset_s": 1.0, "meets_target": window_s < 1.0}))


if __name__ == "__main__":
    main()
