"""Managed settings in the window, from real files under /etc/xdg/chorus read the way the app reads
them (desktop.adapters.managed_settings.load_settings, which open_profile calls): a mandatory value is locked in the
Settings dialog with "Managed by your organisation" and its origin, a recommended one is shown as a
default the user may change; linking turned off or limited by IT shows in the Accounts panel and the
Mastodon link dialog."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from desktop.adapters.managed_settings import load_settings
from desktop.bootstrap import build_services
from desktop.core.accounts import MemorySecretStore
from desktop.core.accounts.linking import LINKING_OFF
from desktop.core.drafts import DraftStore
from desktop.core.paths import AppPaths
from desktop.ui.accounts.link_dialogs import BrowserDialog
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.shell.main_window import MainWindow
from desktop.ui.shell.settings_dialog import LOCKED_NOTE, RECOMMENDED_NOTE, SECRET_SET, SettingsDialog
from tests.unit.managed_etc import etc_managed


@pytest.fixture
def start_app(qtbot, profile) -> Iterator[Callable[[], MainWindow]]:
    """The window over settings built as the app builds them, with the accounts panel in place."""
    opened: list[tuple[MainWindow, TaskRunner, DraftStore]] = []

    def start() -> MainWindow:
        paths = AppPaths.for_profile(profile)
        paths.ensure()
        settings = load_settings(paths)
        store = DraftStore.open(paths.drafts_db)
        runner = TaskRunner()
        services = build_services(settings, store, paths.cache_dir, secret_store=MemorySecretStore())
        window = MainWindow(settings, store, runner, notices=store.notices, policy_cache=paths.last_good_policy,
                            services=services, outbox_first_try_ms=-1)
        qtbot.addWidget(window)
        opened.append((window, runner, store))
        with qtbot.waitSignal(window.drafts_loaded, timeout=5000):
            window.show()
        qtbot.waitUntil(lambda: window.accounts is not None and window.accounts.panel.loaded, timeout=10_000)
        return window

    yield start
    for window, runner, store in opened:
        window.close()
        runner.shutdown()
        if window.services is not None:
            window.services.close()
        store.close()


def open_dialog(window: MainWindow) -> SettingsDialog:
    window.act_settings.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_a_mandatory_value_from_etc_is_locked_in_the_dialog_with_its_origin(start_app, qtbot):
    with (etc_managed({"editor.font_size": 17, "mastodon.allowed_instances": ["social.example.org", "*.example.com"],
                       "linkedin.client_secret": "it-secret"}) as managed,
          etc_managed({"tips.folder": "/srv/chorus-tips"}, level="recommended") as recommended):
        window = start_app()
    assert window.composer.editor.font().pointSize() == 17
    dialog = open_dialog(window)
    font = dialog.editors["editor.font_size"]
    assert not font.isEnabled() and font.value() == 17
    note = dialog.notes["editor.font_size"]
    assert note.isVisible() and LOCKED_NOTE in note.text() and note.toolTip() == f"Set in {managed}"
    assert f"{LOCKED_NOTE}. Set in {managed}." in font.toolTip()
    servers = dialog.editors["mastodon.allowed_instances"]
    assert not servers.isEnabled() and servers.text() == "social.example.org, *.example.com"
    secret = dialog.editors["linkedin.client_secret"]
    assert not secret.isEnabled() and secret.text() == SECRET_SET  # never the secret itself

    tips = dialog.editors["tips.folder"]
    assert tips.isEnabled() and tips.text() == "/srv/chorus-tips"
    assert dialog.notes["tips.folder"].text() == RECOMMENDED_NOTE
    assert str(recommended) in dialog.notes["tips.folder"].toolTip()
    assert dialog.editors["appearance.theme"].isEnabled() and "appearance.theme" not in dialog.notes

    tips.setText("/home/me/tips")  # the user may change a recommendation; Restore Defaults goes back to it
    dialog.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    assert tips.text() == "/srv/chorus-tips" and font.value() == 17
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.settings.source("tips.folder") == "recommended"  # untouched: still following IT
    assert window.settings.source("editor.font_size") == "mandatory"


def test_linking_turned_off_by_it_shows_in_the_accounts_panel(start_app, qtbot):
    with etc_managed({"accounts.linking_allowed": False}):
        window = start_app()
    panel = window.accounts.panel
    assert not panel.link_button.isEnabled() and panel.link_button.toolTip() == LINKING_OFF
    assert panel.empty.isVisible() and LINKING_OFF in panel.empty.text()
    assert panel.link_menu.actions() == []
    window.act_link.trigger()
    assert window.statusBar().currentMessage() == LINKING_OFF


def test_only_allowed_networks_are_offered_and_mastodon_refuses_other_servers(start_app, qtbot):
    with etc_managed({"accounts.allowed_networks": ["mastodon", "linkedin"],
                      "mastodon.allowed_instances": ["social.example.org"]}):
        window = start_app()
    panel = window.accounts.panel
    assert panel.link_button.isEnabled()
    assert [action.data() for action in panel.link_menu.actions()] == ["mastodon", "linkedin"]
    assert "Link your Mastodon or LinkedIn account" in panel.empty.text()
    dialog = panel.open_link_dialog("mastodon")
    assert isinstance(dialog, BrowserDialog)
    dialog.server.setText("alice@mastodon.social")
    dialog.continue_button.click()
    assert not dialog.is_busy and dialog.error.isVisible()
    assert dialog.error.text() == ("Your organisation allows Mastodon accounts only on these servers: "
                                   "social.example.org; mastodon.social is not one of them. Ask IT if you need "
                                   "another server.")
    dialog.reject()
