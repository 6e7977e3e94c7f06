"""The window's commands: every action with its shortcut and tip, the menus and the toolbar, and the
two small dialogs of the Help menu (keyboard shortcuts, about)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_NAME, __version__
from desktop.core import networks


class Routes(Protocol):
    """The commands the actions call (the main window routes each to its feature)."""

    def new_draft(self) -> None: ...
    def duplicate_draft(self) -> None: ...
    def delete_draft(self) -> None: ...
    def undo_delete(self) -> None: ...
    def focus_search(self) -> None: ...
    def focus_editor(self) -> None: ...
    def publish(self) -> None: ...
    def show_history(self) -> None: ...
    def link_account(self) -> None: ...
    def show_settings(self) -> None: ...
    def show_diagnostics(self) -> None: ...
    def start_demo(self) -> None: ...


@dataclass(frozen=True)
class Actions:
    new: QAction
    duplicate: QAction
    delete: QAction
    restore: QAction
    search: QAction
    editor: QAction
    publish: QAction
    history: QAction
    link: QAction
    settings: QAction
    shortcuts: QAction
    about: QAction
    diagnostics: QAction
    start_demo: QAction  # Help → Start a demo (hidden where demo.available is off, and in a demo)
    quit: QAction
    menu_view: QMenu  # the panels add their toggles here
    edit: dict[str, QAction] = field(default_factory=dict)  # Undo … Select All, by method name (see EditRouter)


def _action(window: QMainWindow, text: str, shortcut: Any, slot: Callable[[], object], tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(f"{tip or text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                      if shortcut else tip or text)
    action.setStatusTip(tip or text)
    action.triggered.connect(slot)
    window.addAction(action)
    return action


def build_actions(window: QMainWindow, routes: Routes, drafts_view: QAbstractItemView) -> Actions:
    """The actions, the File, Edit, View and Help menus and the drafts toolbar of *window*; *routes*
    carries out the commands; Del in *drafts_view* deletes the selected draft."""
    w, r = window, routes
    new = _action(w, "&New draft", QKeySequence.StandardKey.New, r.new_draft, "Start a new draft")
    duplicate = _action(w, "D&uplicate draft", "Ctrl+D", r.duplicate_draft, "Copy the current draft into a new one")
    delete = _action(w, "&Delete draft", "Ctrl+Shift+Delete", r.delete_draft, "Delete the current draft (you can undo)")
    restore = _action(w, "&Restore deleted draft", "Ctrl+Shift+T", r.undo_delete, "Bring back the draft you deleted last")
    restore.setEnabled(False)
    search = _action(w, "&Search drafts", QKeySequence.StandardKey.Find, r.focus_search, "Find a draft by its text")
    editor = _action(w, "&Go to editor", "Ctrl+E", r.focus_editor, "Move the cursor to the post text")
    publish = _action(w, "&Publish", "Ctrl+Return", r.publish, "Publish the post to the chosen accounts")
    history = _action(w, "Publish &history…", "Ctrl+Shift+H", r.show_history, "Where and when this draft was published")
    names = [network.display_name for network in networks.linkable()]
    which = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)
    link = _action(w, "&Link account…", None, r.link_account, f"Link a {which} account")
    for act in (publish, history, link):
        act.setVisible(False)  # shown when accounts and publishing are available
    settings = _action(w, "Se&ttings…", "Ctrl+,", r.show_settings, "Change Chorus's settings")
    shortcuts = _action(w, "&Keyboard shortcuts", "F1", lambda: show_shortcuts(w), "List every keyboard shortcut")
    about = _action(w, "&About Chorus", None, lambda: show_about(w))
    diagnostics = _action(w, "&Diagnostics…", None, r.show_diagnostics,
                          "Check the policy, keyring and connections; copy a report for support")
    start_demo = _action(w, "Start a d&emo", None, r.start_demo,
                         "Open Chorus in demo mode in a new window: sample drafts and accounts that publish nowhere")
    quit_ = _action(w, "&Quit", "Ctrl+Q", w.close, "Quit Chorus")
    # Del removes the selected draft while the list has the focus.
    delete_in_list = QAction(drafts_view)
    delete_in_list.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
    delete_in_list.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    delete_in_list.triggered.connect(r.delete_draft)
    drafts_view.addAction(delete_in_list)

    bar = w.menuBar()
    menu_file = bar.addMenu("&File")
    for act in (new, duplicate, delete, restore):
        menu_file.addAction(act)
    menu_file.addSeparator()
    for act in (publish, history, link):
        menu_file.addAction(act)
    menu_file.addSeparator()
    menu_file.addAction(settings)
    menu_file.addSeparator()
    menu_file.addAction(quit_)
    menu_edit = bar.addMenu("&Edit")
    menu_edit.setObjectName("menu-edit")
    router = EditRouter(w, menu_edit)
    menu_edit.addSeparator()
    menu_edit.addAction(search)
    menu_edit.addAction(editor)
    menu_view = bar.addMenu("&View")
    menu_help = bar.addMenu("&Help")
    menu_help.setObjectName("menu-help")  # features add their entries (desktop.ui.tour)
    menu_help.addAction(shortcuts)
    menu_help.addAction(diagnostics)
    menu_help.addAction(start_demo)
    menu_help.addSeparator()
    menu_help.addAction(about)

    toolbar = QToolBar("Drafts", w)
    toolbar.setObjectName("drafts-toolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for act in (new, duplicate, delete):
        toolbar.addAction(act)
    w.addToolBar(toolbar)
    menu_view.addAction(toolbar.toggleViewAction())
    return Actions(new, duplicate, delete, restore, search, editor, publish, history, link, settings, shortcuts,
                   about, diagnostics, start_demo, quit_, menu_view, router.actions)


EDIT_COMMANDS = (  # method name, menu text, standard shortcut
    ("undo", "&Undo", QKeySequence.StandardKey.Undo),
    ("redo", "&Redo", QKeySequence.StandardKey.Redo),
    ("cut", "Cu&t", QKeySequence.StandardKey.Cut),
    ("copy", "&Copy", QKeySequence.StandardKey.Copy),
    ("paste", "&Paste", QKeySequence.StandardKey.Paste),
    ("selectAll", "Select &All", QKeySequence.StandardKey.SelectAll),
)


def text_target(widget: QWidget | None) -> QLineEdit | QPlainTextEdit | QTextEdit | None:
    """The text field the Edit commands act on for the focused *widget* (an editable combo box's line edit)."""
    if isinstance(widget, QComboBox) and widget.isEditable():
        widget = widget.lineEdit()
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
        return widget
    return None


class EditRouter(QObject):
    """Edit → Undo, Redo, Cut, Copy, Paste and Select All, for whichever text field has the focus.

    The actions carry the platform's standard shortcuts, but a focused text field takes those keys
    itself first, so the menu entries matter when the menu is used; each one is enabled only when
    the focused field can do it (updated as the focus moves and whenever the menu opens)."""

    def __init__(self, window: QMainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self.actions: dict[str, QAction] = {}
        for name, text, key in EDIT_COMMANDS:
            action = QAction(text, window)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setStatusTip(text.replace("&", "") + " in the focused text field")
            action.triggered.connect(lambda _checked=False, name=name: self.run(name))
            window.addAction(action)
            menu.addAction(action)
            if name in ("redo", "copy"):
                menu.addSeparator()
            self.actions[name] = action
        menu.aboutToShow.connect(self.update)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)  # a bound method: disconnected with the window
        self.update()

    def _focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        self.update()

    def run(self, name: str) -> None:
        target = text_target(QApplication.focusWidget())
        if target is not None and self.can(target, name):
            getattr(target, name)()
        self.update()

    @staticmethod
    def can(target: QLineEdit | QPlainTextEdit | QTextEdit, name: str) -> bool:
        read_only = target.isReadOnly()
        if isinstance(target, QLineEdit):
            has_text, selected = bool(target.text()), target.hasSelectedText()
            undo, redo = target.isUndoAvailable(), target.isRedoAvailable()
        else:
            document = target.document()
            has_text, selected = not document.isEmpty(), target.textCursor().hasSelection()
            undo, redo = document.isUndoAvailable(), document.isRedoAvailable()
        if not target.isEnabled():
            return False
        if name == "undo":
            return undo and not read_only
        if name == "redo":
            return redo and not read_only
        if name == "cut":
            return selected and not read_only
        if name == "copy":
            return selected
        if name == "paste":
            if isinstance(target, (QPlainTextEdit, QTextEdit)):  # asks the field: the editor also takes images
                return not read_only and target.canPaste()
            clipboard = QGuiApplication.clipboard()
            return not read_only and clipboard is not None and bool(clipboard.text())
        return has_text  # selectAll

    def update(self) -> None:
        target = text_target(QApplication.focusWidget())
        for name, action in self.actions.items():
            action.setEnabled(target is not None and self.can(target, name))


def show_shortcuts(window: QMainWindow) -> None:
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


def show_about(window: QMainWindow) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, f"About {APP_NAME}",
                      f"<b>{APP_NAME} {__version__}</b><p>Write posts, check them against your company's "
                      "social-media policy, and publish them to your own accounts.</p>",
                      QMessageBox.StandardButton.Ok, window)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
