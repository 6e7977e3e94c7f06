"""The window's commands: every action with its shortcut and tip, the menus and the toolbar, and the
two small dialogs of the Help menu (keyboard shortcuts, about)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMessageBox, QTableWidget, QTableWidgetItem, QToolBar, QVBoxLayout

from desktop import APP_NAME, __version__
from desktop.core import networks

if TYPE_CHECKING:
    from desktop.ui.shell.main_window import MainWindow


def _action(window: MainWindow, text: str, shortcut: Any, slot: Callable[[], object], tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(f"{tip or text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                      if shortcut else tip or text)
    action.setStatusTip(tip or text)
    action.triggered.connect(slot)
    window.addAction(action)
    return action


def build_actions(window: MainWindow) -> None:
    """The actions (``window.act_*``), the File, Edit, View and Help menus (``window.menu_view`` takes the
    panels' toggles) and the drafts toolbar."""
    w = window
    w.act_new = _action(w, "&New draft", QKeySequence.StandardKey.New, w.new_draft, "Start a new draft")
    w.act_duplicate = _action(w, "D&uplicate draft", "Ctrl+D", w.duplicate_draft, "Copy the current draft into a new one")
    w.act_delete = _action(w, "&Delete draft", "Ctrl+Shift+Delete", w.delete_draft,
                           "Delete the current draft (you can undo)")
    w.act_restore = _action(w, "&Restore deleted draft", "Ctrl+Shift+T", w.undo_delete,
                            "Bring back the draft you deleted last")
    w.act_restore.setEnabled(False)
    w.act_search = _action(w, "&Search drafts", QKeySequence.StandardKey.Find, w.focus_search, "Find a draft by its text")
    w.act_editor = _action(w, "&Go to editor", "Ctrl+E", w.focus_editor, "Move the cursor to the post text")
    w.act_publish = _action(w, "&Publish", "Ctrl+Return", w.publish, "Publish the post to the chosen accounts")
    w.act_history = _action(w, "Publish &history…", "Ctrl+Shift+H", w.show_history,
                            "Where and when this draft was published")
    names = [network.display_name for network in networks.linkable()]
    which = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)
    w.act_link = _action(w, "&Link account…", None, w.link_account, f"Link a {which} account")
    for act in (w.act_publish, w.act_history, w.act_link):
        act.setVisible(False)  # shown when accounts and publishing are available
    w.act_settings = _action(w, "Se&ttings…", "Ctrl+,", w.show_settings, "Change Chorus's settings")
    w.act_shortcuts = _action(w, "&Keyboard shortcuts", "F1", lambda: show_shortcuts(w), "List every keyboard shortcut")
    w.act_about = _action(w, "&About Chorus", None, lambda: show_about(w))
    w.act_quit = _action(w, "&Quit", "Ctrl+Q", w.close, "Quit Chorus")
    # Del removes the selected draft while the list has the focus.
    delete_in_list = QAction(w.drafts.view)
    delete_in_list.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
    delete_in_list.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    delete_in_list.triggered.connect(w.delete_draft)
    w.drafts.view.addAction(delete_in_list)

    bar = w.menuBar()
    menu_file = bar.addMenu("&File")
    for act in (w.act_new, w.act_duplicate, w.act_delete, w.act_restore):
        menu_file.addAction(act)
    menu_file.addSeparator()
    for act in (w.act_publish, w.act_history, w.act_link):
        menu_file.addAction(act)
    menu_file.addSeparator()
    menu_file.addAction(w.act_settings)
    menu_file.addSeparator()
    menu_file.addAction(w.act_quit)
    menu_edit = bar.addMenu("&Edit")
    menu_edit.addAction(w.act_search)
    menu_edit.addAction(w.act_editor)
    w.menu_view = bar.addMenu("&View")
    menu_help = bar.addMenu("&Help")
    menu_help.addAction(w.act_shortcuts)
    menu_help.addAction(w.act_about)

    toolbar = QToolBar("Drafts", w)
    toolbar.setObjectName("drafts-toolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for act in (w.act_new, w.act_duplicate, w.act_delete):
        toolbar.addAction(act)
    w.addToolBar(toolbar)
    w.menu_view.addAction(toolbar.toggleViewAction())


def show_shortcuts(window: MainWindow) -> None:
    dialog = QDialog(window)
    dialog.setWindowTitle("Keyboard shortcuts")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    actions = [a for a in window.actions() if not a.shortcut().isEmpty() and a.isVisible()]
    table = QTableWidget(len(actions), 2, dialog)
    table.setHorizontalHeaderLabels(["Action", "Shortcut"])
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for row, action in enumerate(actions):
        table.setItem(row, 0, QTableWidgetItem(action.text().replace("&", "").rstrip("…")))
        table.setItem(row, 1, QTableWidgetItem(action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    dialog.resize(420, 360)
    dialog.open()


def show_about(window: MainWindow) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, f"About {APP_NAME}",
                      f"<b>{APP_NAME} {__version__}</b><p>Write posts, check them against your company's "
                      "social-media policy, and publish them to your own accounts.</p>",
                      QMessageBox.StandardButton.Ok, window)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
