"""The installed Qt bindings keep Python's reference counts straight.

PySide6 6.12.0 on Python 3.11 dropped a reference to ``None`` on every call of a method returning
nothing and to ``True`` on every signal emit; the app then aborted with ``none_dealloc`` or
``bool_dealloc`` after about a minute of typing (Python 3.12 made these objects immortal, which
hid the bug there). pyproject excludes that release; this test catches any release like it before
users do.
"""

import sys

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit

CALLS = 500


class _Emitter(QObject):
    number = Signal(int)
    items = Signal(list)


def drift(action) -> dict[str, int]:
    before = {"None": sys.getrefcount(None), "True": sys.getrefcount(True), "False": sys.getrefcount(False)}
    for _ in range(CALLS):
        action()
    after = {"None": sys.getrefcount(None), "True": sys.getrefcount(True), "False": sys.getrefcount(False)}
    return {name: after[name] - before[name] for name in before}


def test_void_calls_and_signal_emits_do_not_lose_references(qapp):
    editor = QPlainTextEdit()
    editor.setPlainText("hello world " * 20)
    label = QLabel()
    timer = QTimer()
    emitter = _Emitter()
    received = []
    emitter.number.connect(received.append)
    emitter.items.connect(received.append)
    cursor = QTextCursor(editor.document())

    def void_calls() -> None:
        cursor.setPosition(3)
        label.setText("x")
        timer.start(1000)
        timer.stop()
        editor.setExtraSelections([QTextEdit.ExtraSelection()])

    def emits() -> None:
        emitter.number.emit(1)
        emitter.items.emit([1])

    for name, action in (("void calls", void_calls), ("signal emits", emits)):
        lost = {obj: -n for obj, n in drift(action).items() if n < -CALLS // 10}
        assert not lost, (f"{name}: the Qt bindings (PySide6 "
                          f"{__import__('PySide6').__version__}) lose references to {lost}; the app would abort")
    assert len(received) == 2 * CALLS
    editor.deleteLater()
    label.deleteLater()
