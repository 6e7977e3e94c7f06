from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.paths import AppPaths
from desktop.core.settings import Settings
from desktop.ui.main_window import MainWindow
from desktop.ui.tasks import TaskRunner
from desktop.ui.theme import apply_theme


@pytest.fixture
def make_window(qtbot, qapp, profile) -> Callable[..., MainWindow]:
    """Build the real main window over an isolated profile; waits until the drafts are loaded."""
    opened: list[tuple[MainWindow, TaskRunner, DraftStore]] = []

    def make(managed=None, networks=None, store: DraftStore | None = None, checker=None,
             policy_version: str = "") -> MainWindow:
        paths = AppPaths.for_profile(profile)
        paths.ensure()
        settings = Settings(paths.settings_file, managed=managed)
        store = store or DraftStore.open(paths.drafts_db)
        runner = TaskRunner()
        apply_theme(qapp, settings.get("appearance.theme"))
        window = MainWindow(settings, store, runner, networks=networks, notices=store.notices, checker=checker,
                            policy_version=policy_version)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.drafts_loaded, timeout=5000):
            window.show()
        qtbot.waitUntil(lambda: window.composer.draft is not None, timeout=5000)
        opened.append((window, runner, store))
        return window

    yield make
    for window, runner, store in opened:
        window.close()  # flushes the autosave, as quitting does
        runner.shutdown()
        store.close()
    apply_theme(qapp, "light")
