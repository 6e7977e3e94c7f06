"""The tour as a feature of the main window: Help → Take the tour (Shift+F1), and the tour on the first start.

The ``tour.show_at_start`` setting says whether the next start shows the tour; it is turned off as soon as
the tour has been shown once (whether the person finished it, skipped it or ignored it), so it never
comes back uninvited. Turning the setting on again shows it at the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMenu

from desktop.core.settings import SettingLockedError, Settings
from desktop.ui.tour.tour import GuidedTour

log = logging.getLogger(__name__)

SETTING = "tour.show_at_start"
SHORTCUT = "Shift+F1"
# on the first start, a dialog in front (the policy summary to acknowledge, modal or not) is answered first
WAIT_FOR_DIALOG_MS = 500


class TourFeature(QObject):
    """Owns the Help menu's "Take the tour" action and builds the tour when it is first asked for."""

    def __init__(self, window: QMainWindow, settings: Settings, save_settings: Callable[[], object],
                 help_menu: QMenu | None = None) -> None:
        super().__init__(window)
        self.window, self.settings, self._save = window, settings, save_settings
        self.tour: GuidedTour | None = None
        self.action = QAction("Take the &tour", window)
        self.action.setObjectName("take-the-tour")
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setToolTip(f"A short tour of the window ({SHORTCUT}; while the tour is open: go to it)")
        self.action.setStatusTip("A short tour of the window: drafts, editor, findings, ideas, tips, accounts, publishing")
        self.action.triggered.connect(self.take)
        window.addAction(self.action)
        if help_menu is not None:
            first = help_menu.actions()[0] if help_menu.actions() else None
            if first is None:
                help_menu.addAction(self.action)
            else:
                help_menu.insertAction(first, self.action)
        self._waiting = QTimer(self)
        self._waiting.setSingleShot(True)
        self._waiting.setInterval(WAIT_FOR_DIALOG_MS)
        self._waiting.timeout.connect(self.offer_at_start)

    def guided_tour(self) -> GuidedTour:
        if self.tour is None:
            self.tour = GuidedTour(self.window)
        return self.tour

    def take(self) -> None:
        """Help → Take the tour: from the start, the keyboard on the callout; while it runs, go to it."""
        tour = self.guided_tour()
        if tour.running:
            tour.focus()
        else:
            tour.start(take_keyboard=True)

    def offer_at_start(self) -> bool:
        """Show the tour if this is the first start (the setting is on); True if it was shown. The keyboard
        stays where it is, so a person who starts typing at once is not interrupted."""
        if not self.settings.get(SETTING) or (self.tour is not None and self.tour.running):
            return False
        if QApplication.activeModalWidget() is not None or not self.window.isVisible() or any(
                isinstance(widget, QDialog) and widget.isVisible() for widget in QApplication.topLevelWidgets()):
            self._waiting.start()  # after the dialog in front is answered
            return False
        self.guided_tour().start(take_keyboard=False)
        try:
            self.settings.set(SETTING, False)
        except SettingLockedError:
            log.info("the guided tour is shown at every start: set so by your organisation")
            return True
        self._save()
        return True

