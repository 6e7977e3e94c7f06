"""Fixtures of the demo tests: the built-in demo in the real window, built as ``chorus --demo`` builds it
(desktop.bootstrap.run_demo: a real temporary demo profile, real SQLite files, the real services with the
sandbox adapter, the acme-example policy), and the UI tests' real-window fixture for windows that are not
demos."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop.bootstrap import build_services
from desktop.core.accounts.secrets import MemorySecretStore
from desktop.core.demo import DemoProfile, DemoSession, load_bundle
from desktop.core.drafts import DraftStore
from desktop.core.paths import AppPaths
from desktop.core.settings import Settings
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.shell.main_window import MainWindow
from tests.ui.conftest import make_window

__all__ = ["WAIT", "Demo", "demo", "make_window"]

WAIT = 20_000


@dataclass
class Demo:
    window: MainWindow
    session: DemoSession
    secrets: MemorySecretStore
    store: DraftStore


@pytest.fixture
def demo(qtbot, qapp, tmp_path: Path) -> Iterator[Demo]:
    profile = DemoProfile.create(tmp_path)
    session = DemoSession(load_bundle(None), profile)
    paths = AppPaths.for_profile(profile.root / "profile")
    paths.ensure()
    session.prepare(paths.settings_file)
    settings = Settings(paths.settings_file)
    store = DraftStore.open(paths.drafts_db)
    secrets = MemorySecretStore()
    services = build_services(settings, store, paths.cache_dir, secret_store=secrets,
                              endpoints={"sandbox": {"posts": str(session.posts.path)}}, demo=True)
    session.reset(store, services.accounts)
    runner = TaskRunner()
    window = MainWindow(settings, store, runner, policy_cache=paths.last_good_policy, services=services,
                        outbox_first_try_ms=-1, demo=session)
    qtbot.addWidget(window)
    window.load_policy()
    with qtbot.waitSignal(window.drafts_loaded, timeout=WAIT):
        window.show()
    qtbot.waitUntil(lambda: window.active_policy is not None and window.publish_bar.publish_button.isEnabled(), timeout=WAIT)
    yield Demo(window, session, secrets, store)
    window.close()
    runner.shutdown()
    services.close()
    store.close()
    profile.remove()
    assert not profile.root.exists()
