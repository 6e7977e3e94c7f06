"""What the screenshot scripts' children share: a seeded profile, the real window, steps on a timer, a grab.

A script's ``seed(profile, theme)`` runs in the parent (usually :func:`seed_profile`); its
``child(profile, target)`` runs on the private Xvfb, opens the app's own window with
:func:`open_window`, drives it with :func:`run_steps` and writes the PNG with :func:`grab`.
:func:`main` is the scripts' ``__main__``: the ``--child`` call, or the parent's shots as one JSON line.
Qt and the app are imported inside the functions, so the parent never loads Qt.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xvfb import REPO, display_env, start_xvfb

Step = Callable[[], bool]


def seed_profile(profile: Path, theme: str, values: dict | None = None, drafts: Iterable[str] = ()) -> list:
    """The profile's settings (*theme* and *values*; the tip of the day off unless *values* say) and its
    *drafts*, oldest first; the drafts made.
    With no drafts the drafts database is not made, so a script can bring its own (or its own clock)."""
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    # no tip of the day over the editor (a shot shows one thing; the tips' own shots turn it on)
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "tips.show_at_start": False, **(values or {})}}), encoding="utf-8")
    bodies = list(drafts)
    if not bodies:
        return []
    store = DraftStore.open(paths.drafts_db)
    made = [store.create(body) for body in bodies]
    store.close()
    return made


@dataclass
class Opened:
    """The app's own window and what it runs on; :meth:`close` shuts them down in the app's order."""

    app: Any
    window: Any
    runner: Any
    store: Any
    settings: Any
    paths: Any
    services: Any = None

    def close(self) -> None:
        self.runner.shutdown()
        if self.services is not None:
            self.services.close()
        self.store.close()


def open_window(profile: Path, size: tuple[int, int], at: tuple[int, int] = (20, 30), *, activate: bool = False,
                settings: Any = None, services: Callable[[Any, Any, Any], Any] | None = None,
                **options: Any) -> Opened:
    """The app's window (``create_window``) on *profile*, *size* pixels at *at*, shown.

    *services* builds the composition root's services from (settings, store, paths), when the shot
    needs accounts or publishing; *options* go to ``create_window``. *activate* raises and activates
    the window: with no window manager on Xvfb, Qt shows tooltips for the active window only.
    """
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window

    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    settings = settings if settings is not None else Settings(paths.settings_file)
    built = services(settings, store, paths) if services is not None else None
    app, window, runner = create_window(settings, store, None, store.notices, policy_cache=paths.last_good_policy,
                                        services=built, **options)
    window.resize(*size)
    window.move(*at)
    window.show()
    if activate:
        window.raise_()
        window.activateWindow()
    return Opened(app, window, runner, store, settings, paths, built)


def wait(ticks: int) -> Step:
    """A step that is done on its *ticks*-th call: a quiet moment for a tooltip's delay or the last paint."""
    count = [0]

    def step() -> bool:
        count[0] += 1
        return count[0] >= ticks

    return step


def run_steps(opened: Opened, steps: Sequence[Step], timeout_s: float = 30, close: bool = True,
              gave_up: Callable[[], str] | None = None) -> bool:
    """Run the event loop, calling the current step every 100 ms until it returns True, then the next
    (on the next tick); True once the last one did. The loop quits then (closing the window first
    when *close*), or after *timeout_s*, or when a step quits the app itself (see :func:`fail`)."""
    from PySide6.QtCore import QTimer

    app, window = opened.app, opened.window
    state = {"at": 0}

    def tick() -> None:
        if not steps[state["at"]]():
            return
        state["at"] += 1
        if state["at"] == len(steps):
            timer.stop()
            if close:
                window.close()
            app.quit()

    def give_up() -> None:
        if state["at"] < len(steps):
            name = getattr(steps[state["at"]], "__name__", "?")
            print(f"gave up at step {state['at']} ({name}){': ' + gave_up() if gave_up else ''}", file=sys.stderr)
        app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(int(timeout_s * 1000), give_up)
    app.exec()
    timer.stop()
    return state["at"] == len(steps)


def fail(opened: Opened, message: str) -> bool:
    """A step that cannot go on: say why on stderr and quit the loop (:func:`run_steps` returns False)."""
    print(message, file=sys.stderr)
    opened.app.quit()
    return False


def grab(target: Path, *widgets: Any, margin: int = 8) -> dict:
    """The screen around *widgets* (their frames, *margin* pixels more) saved to *target* as PNG;
    the start of the JSON line a child prints: the target and the image's size."""
    from PySide6.QtGui import QGuiApplication

    frame = widgets[0].frameGeometry()
    for widget in widgets[1:]:
        frame = frame.united(widget.frameGeometry())
    image = QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(frame.adjusted(-margin, -margin, margin, margin))
    image.save(str(target), "PNG")
    return {"target": str(target), "size": [image.width(), image.height()]}


def select_finding(window: Any, item: Any) -> None:
    """*item* selected in the Policy panel (its details shown), the editor focused with the caret at the
    end and nothing selected, as after typing the post."""
    from PySide6.QtGui import QTextCursor

    editor = window.composer.editor
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.clearSelection()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    panel = window.findings_panel
    panel.list.setCurrentRow(panel.row_of(item))
    editor.setTextCursor(cursor)  # the caret back at the end, no selection


def hover_text(editor: Any, body: str, word: str) -> None:
    """The real mouse pointer rested on *word* in *editor* (two characters in), so Qt shows its tooltip."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QCursor, QTextCursor

    at = QTextCursor(editor.document())
    index = body.index(word) + 2
    at.setPosition(index + sum(1 for ch in body[:index] if ord(ch) > 0xFFFF))  # Qt counts UTF-16 units
    rect = editor.cursorRect(at)
    QCursor.setPos(editor.viewport().mapToGlobal(QPoint(rect.left() + 3, rect.center().y())))


def private_keyring() -> tuple[Any, Any]:
    """A private Secret Service (tests/integration/secret_service.py) on its own D-Bus, and the app's
    keyring secret store on it; stop the first when done."""
    from tests.integration.secret_service import SecretService

    service = SecretService().start()
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = service.address
    from keyring.backends import SecretService as secret_service_backend

    from desktop.adapters.keyring_store import KeyringSecretStore

    return service, KeyringSecretStore(secret_service_backend.Keyring())


def link_with_browser(services: Any, network: str, url: str | None, browser: Any) -> Any:
    """One account linked through the real OAuth flow, *browser* (a test driver) playing the user's step."""
    try:
        return services.linking.link_with_browser(network, url, browser, timeout=20)
    finally:
        browser.close()


def out_folder(args: Sequence[str], default: Path) -> Path:
    """The folder named first in *args* (else *default*), made if missing."""
    out = Path(args[0]).resolve() if args else default
    out.mkdir(parents=True, exist_ok=True)
    return out


def themed(name: str) -> list[tuple[str, str]]:
    """*name*'s light and dark files and their themes: (name.png, light), (name-dark.png, dark)."""
    return [(f"{name}.png", "light"), (f"{name}-dark.png", "dark")]


def main(child: Callable[[Path, Path], int], shots: Callable[[list[str]], Any], indent: int | None = None) -> None:
    """A script's ``__main__``: ``--child PROFILE TARGET`` runs *child* on the X server; otherwise
    *shots* takes the other arguments, takes its screenshots and its result is printed as JSON."""
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--child":
        sys.exit(child(Path(args[1]), Path(args[2])))
    print(json.dumps(shots(args), indent=indent))


# -- the real `chorus --demo` ------------------------------------------------------------------------
def run_demo(theme: str, step: Callable[[Any], bool], timeout_s: float = 60) -> None:
    """Run the real ``chorus --demo`` in this process (a child on Xvfb) in *theme*, its window 1280×780:
    *step(window)* is called every 50 ms until it returns True, then the window closes and the app ends.
    The app's own start-up (bootstrap, the demo profile) is not imitated: its window factory is wrapped."""
    import time

    from PySide6.QtCore import QTimer

    import desktop.ui.shell.app as app_module
    from desktop.bootstrap import main as app_main
    from desktop.ui.common.theme import apply_theme

    create_window = app_module.create_window

    def drive(*args: Any, **kwargs: Any) -> Any:
        app, window, runner = create_window(*args, **kwargs)
        apply_theme(app, theme)
        window.resize(1280, 780)
        deadline = time.monotonic() + timeout_s

        def tick() -> None:
            if time.monotonic() > deadline:
                raise SystemExit("the demo did not reach its screenshot in time")
            if step(window):
                window.close()
                return
            QTimer.singleShot(50, tick)

        QTimer.singleShot(50, tick)
        return app, window, runner

    app_module.create_window = drive
    raise SystemExit(app_main(["--demo"]))


def shoot_demo(script: str, *args: str) -> None:
    """Run *script* ``--child *args`` on a private Xvfb (1400×900) with Qt's X11 platform."""
    import subprocess

    xvfb, display = start_xvfb("1400x900")
    try:
        subprocess.run([sys.executable, script, "--child", *args], env=display_env(display), check=True, cwd=REPO,
                       timeout=180)
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
