from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.paths import AppPaths
from desktop.core.settings import Settings
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import apply_theme
from desktop.ui.shell.main_window import MainWindow


@pytest.fixture
def make_window(qtbot, qapp, profile) -> Callable[..., MainWindow]:
    """Build the real main window over an isolated profile; waits until the drafts are loaded."""
    opened: list[tuple[MainWindow, TaskRunner, DraftStore]] = []

    def make(managed=None, networks=None, store: DraftStore | None = None, checker=None,
             policy_version: str = "", values: dict | None = None, load_policy: bool = False,
             services=None, **window_options) -> MainWindow:
        """*values*: user settings written to the profile first; *load_policy*: load the configured policy
        (``policy.source``) as the app does, with the profile's last good copy, and wait for it.
        *services*: ``services(settings, store, paths)`` builds the accounts and publishing services
        (desktop.bootstrap.build_services with a test keyring); *window_options* go to MainWindow."""
        paths = AppPaths.for_profile(profile)
        paths.ensure()
        if values is not None:
            paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": values}), encoding="utf-8")
        settings = Settings(paths.settings_file, managed=managed)
        store = store or DraftStore.open(paths.drafts_db)
        runner = TaskRunner()
        apply_theme(qapp, settings.get("appearance.theme"))
        built = services(settings, store, paths) if services is not None else None
        window = MainWindow(settings, store, runner, networks=networks, notices=store.notices, checker=checker,
                            policy_version=policy_version, policy_cache=paths.last_good_policy, services=built,
                            **window_options)
        qtbot.addWidget(window)
        if load_policy:
            window.load_policy()
        with qtbot.waitSignal(window.drafts_loaded, timeout=5000):
            window.show()
        qtbot.waitUntil(lambda: window.composer.draft is not None, timeout=5000)
        if load_policy:
            qtbot.waitUntil(lambda: window.active_policy is not None, timeout=10_000)
        opened.append((window, runner, store))
        return window

    yield make
    for window, runner, store in opened:
        window.close()  # flushes the autosave, as quitting does
        runner.shutdown()
        if window.services is not None:
            window.services.close()
        store.close()
    apply_theme(qapp, "light")
