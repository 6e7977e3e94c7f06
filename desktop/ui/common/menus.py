"""Putting a feature's command in the main window's menus, without the feature importing the shell."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu


def add_to_help_menu(window: QMainWindow, action: QAction) -> None:
    """Put *action* in the Help menu, before its first separator (above About); a window without a Help
    menu keeps it as a window action (its shortcut still works)."""
    for item in window.menuBar().actions():
        menu = item.menu()
        if isinstance(menu, QMenu) and item.text().replace("&", "") == "Help":
            separator = next((a for a in menu.actions() if a.isSeparator()), None)
            if separator is not None:
                menu.insertAction(separator, action)
            else:
                menu.addAction(action)
            return
    window.addAction(action)
