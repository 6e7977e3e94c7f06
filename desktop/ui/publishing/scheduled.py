"""Publish later in the window: choosing a time, the Scheduled view, the missed-posts question, the
timer that sends due posts, and the tray icon that keeps Chorus running when the window is closed.

The rules (what is due, held, missed; time zones) are :mod:`desktop.core.publishing.schedule`'s;
this module shows them and hands the work to the task lanes:

- :class:`ScheduleDialog`: a date and time on the wall clock of the person's time zone (the
  ``publishing.time_zone`` setting, else this computer's), shown with the zone's name, abbreviation
  and offset *at the chosen date* (they change with daylight saving time); a time that does not
  exist or has passed is explained under the field and cannot be confirmed;
- :class:`ScheduledView`: every scheduled post with its time in the zone it was chosen in, its
  accounts, its state (waiting, missed, held with the reason); Change time…, Send now, Unschedule;
- :class:`MissedDialog`: at start, the posts whose time passed while Chorus was closed, each with
  Send now / Reschedule… / Keep as draft; closing it sends nothing;
- :class:`ScheduleFeature`: the actions (File → Publish later…, Scheduled posts…, also in View), a
  timer that asks the "io" lane to send what is due, and the tray: when the window is closed with
  posts waiting, Chorus asks once whether to keep running in the tray (``publishing.keep_running``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDateTime, QObject, Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSystemTrayIcon,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import describe as describe_error
from desktop.core.publishing import schedule as core
from desktop.ui.publishing.run import StatusBridge

if TYPE_CHECKING:
    from desktop.core.publishing.schedule import ScheduledPost, Scheduler
    from desktop.core.services import PolicyNow, Services
    from desktop.core.settings import Settings
    from desktop.ui.common.tasks import TaskRunner

log = logging.getLogger(__name__)

SCHEDULE_INTERVAL_MS = 15 * 1000  # how often due posts are looked for (a post goes out within this of its time)
SCHEDULE_FIRST_TRY_MS = 4000  # after start (the policy has loaded by then), like the outbox
STATE_TEXT = {
    core.WAITING: "Waiting",
    core.DUE: "Going out now",
    core.SENDING: "Sending",
    core.MISSED: "Missed",
    core.HELD: "Held by the policy",
}


def state_details(post: ScheduledPost) -> str:
    """The whole story of a post's state, for the line under the Scheduled view's table."""
    if post.state == core.HELD:
        return f"{post.entry.held} Edit the draft, then Change time… to schedule it again."
    if post.state == core.MISSED:
        return ("Missed: Chorus was not running at that time, so it was not sent. Send now, change the time, "
                "or unschedule it (it stays a draft).")
    if post.state == core.WAITING:
        return "Waiting: it goes out at that time if Chorus is running, after a check against that day's policy."
    return f"{STATE_TEXT[post.state]}."


def system_zone() -> str:
    """This computer's IANA time zone as Qt reads it ("UTC" when it has none zoneinfo knows)."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def chosen_zone(settings: Settings) -> str:
    """The zone scheduled times are chosen in: the setting, else this computer's."""
    return str(settings.get("publishing.time_zone") or "").strip() or system_zone()


def _naive(moment: dt.datetime) -> QDateTime:
    """A wall time for the date-time field, which works in UTC so that no wall time is adjusted by Qt's
    own idea of local daylight saving time (the zone is ours to apply)."""
    return QDateTime(moment.year, moment.month, moment.day, moment.hour, moment.minute, 0, 0, QTimeZone.utc())


class ScheduleDialog(QDialog):
    """Choose when a post goes out. See the module docstring. After ``accepted``: :attr:`at` (UTC
    seconds) and :attr:`zone_name`."""

    def __init__(self, zone_name: str, now: float, parent: QWidget | None = None, *, at: float | None = None,
                 title: str = "Publish later", confirm: str = "Schedule", lead_s: float = core.MIN_LEAD_S,
                 what: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("schedule-dialog")
        self.setWindowTitle(title)
        self.zone_name, self.now, self.lead_s = zone_name, now, lead_s
        self.at: float | None = None
        if at is None:  # the next full quarter hour at least an hour ahead
            at = (int(now + 3600) // 900 + 1) * 900
        self.edit = QDateTimeEdit(self)
        self.edit.setObjectName("schedule-time")
        self.edit.setTimeZone(QTimeZone.utc())
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("ddd d MMM yyyy   HH:mm")
        self.edit.setAccessibleName("Date and time to publish")
        self.edit.setDateTime(_naive(core.local_time(at, zone_name)))
        self.zone = QLabel(self)
        self.zone.setObjectName("schedule-zone")
        self.zone.setWordWrap(True)
        self.problem = QLabel(self)
        self.problem.setObjectName("schedule-problem")
        self.problem.setWordWrap(True)
        note = QLabel("The post goes out as the draft reads then, after Chorus checks it against the company "
                      "policy in force that day. Chorus must be running at that time: closing the window can "
                      "leave it running in the system tray.", self)
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.confirm = self.buttons.addButton(confirm, QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if what:  # which post, to which accounts
            self.what = QLabel(what, self)
            self.what.setObjectName("schedule-what")
            self.what.setWordWrap(True)
            layout.addWidget(self.what)
        layout.addWidget(QLabel("Publish on:", self))
        layout.addWidget(self.edit)
        layout.addWidget(self.zone)
        layout.addWidget(self.problem)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.edit.dateTimeChanged.connect(self._update)
        self._update()

    def wall_time(self) -> dt.datetime:
        value = self.edit.dateTime()
        date, clock = value.date(), value.time()
        return dt.datetime(date.year(), date.month(), date.day(), clock.hour(), clock.minute())

    def set_wall_time(self, moment: dt.datetime) -> None:
        self.edit.setDateTime(_naive(moment))

    def _update(self, *_args: object) -> None:
        wall = self.wall_time()
        problem = ""
        at: float | None = None
        try:
            at = core.to_utc(wall, self.zone_name)
        except core.ScheduleError as exc:
            problem = describe_error(exc)
        shown_at = at if at is not None else self.now
        zone_text = f"Time zone: {core.zone_label(self.zone_name, shown_at)}"
        if at is not None and core.is_ambiguous(wall, self.zone_name):
            zone_text += (f". {wall:%H:%M} happens twice that night (the clocks go back): Chorus uses the first, "
                          f"{core.local_time(at, self.zone_name).tzname()}.")
        if at is not None and at < self.now + self.lead_s:
            problem = ("That time has already passed: choose a later one." if at <= self.now else
                       "That is less than a minute from now: choose a later time, or publish now.")
        self.zone.setText(zone_text)
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.confirm.setEnabled(not problem)
        self.at = None if problem else at

    def accept(self) -> None:
        if self.at is None:
            return
        super().accept()


def _accounts_text(handles: list[str]) -> str:
    return ", ".join(handles) if handles else "(no linked account)"


def _post_title(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "(empty post)")
    return line if len(line) <= 80 else line[:79] + "…"


class ScheduledView(QDialog):
    """Every scheduled post: when (in the zone it was chosen in), where, what, where it stands."""

    def __init__(self, feature: ScheduleFeature, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.feature = feature
        self.setObjectName("scheduled-view")
        self.setWindowTitle("Scheduled posts")
        self.posts: list[ScheduledPost] = []
        self.summary = QLabel("Loading…", self)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("scheduled-table")
        self.table.setHorizontalHeaderLabels(["When", "Accounts", "Post", "State"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(column, mode)
        self.details = QLabel(self)  # the selected post: its state in full, and its whole text
        self.details.setObjectName("scheduled-details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.change = QPushButton("Change time…", self)
        self.send_now = QPushButton("Send now", self)
        self.unschedule = QPushButton("Unschedule (keep as draft)", self)
        close = QPushButton("Close", self)
        self.change.clicked.connect(lambda: self._with_selected(lambda post: self.feature.change_time(post)))
        self.send_now.clicked.connect(lambda: self._with_selected(self.feature.send_now))
        self.unschedule.clicked.connect(lambda: self._with_selected(self.feature.unschedule))
        close.clicked.connect(self.close)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        buttons = QHBoxLayout()
        for button in (self.change, self.send_now, self.unschedule):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        self.resize(980, 400)
        self._selection_changed()
        feature.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.feature.load_posts(self.show_posts)

    def show_posts(self, rows: list[tuple[ScheduledPost, list[str]]]) -> None:
        selected = self.selected()
        keep = selected.draft_id if selected is not None else None
        self.posts = [post for post, _ in rows]
        self.table.setRowCount(len(rows))
        for row, (post, handles) in enumerate(rows):
            items = (post.when, _accounts_text(handles), _post_title(post.entry.text), STATE_TEXT[post.state])
            for column, text in enumerate(items):
                item = QTableWidgetItem(text)
                item.setToolTip(post.entry.text if column == 2 else state_details(post) if column == 3 else text)
                self.table.setItem(row, column, item)
        count = len(rows)
        self.summary.setText("Nothing is scheduled. Use File → Publish later… on a draft." if not count else
                             f"{count} scheduled post{'s' if count != 1 else ''}. Each goes out only while "
                             "Chorus runs, after a check against the policy of that day.")
        for row, post in enumerate(self.posts):
            if post.draft_id == keep:
                self.table.selectRow(row)
        if self.selected() is None and self.posts:
            self.table.selectRow(0)
        self._selection_changed()

    def selected(self) -> ScheduledPost | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self.posts[min(rows)] if rows and min(rows) < len(self.posts) else None

    def _selection_changed(self) -> None:
        post = self.selected()
        self.details.setText(f"{state_details(post)}\n\n{post.entry.text}" if post is not None else "")
        self.details.setVisible(post is not None)
        for button in (self.change, self.send_now, self.unschedule):
            button.setEnabled(post is not None and post.state != core.SENDING)

    def _with_selected(self, action: Callable[[ScheduledPost], object]) -> None:
        post = self.selected()
        if post is not None:
            action(post)


class MissedDialog(QDialog):
    """At start: the posts whose time passed while Chorus was closed. Nothing is sent unless asked."""

    def __init__(self, feature: ScheduleFeature, posts: list[ScheduledPost], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.feature = feature
        self.setObjectName("missed-dialog")
        self.setWindowTitle("Scheduled posts that were not sent")
        count = len(posts)
        intro = self.intro = QLabel(f"Chorus was not running when {'this post was' if count == 1 else 'these posts were'} "
                                    "due, so nothing was sent. Choose what to do with "
                                    f"{'it' if count == 1 else 'each'}:", self)
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("missed-list")
        self.list.setWordWrap(True)
        for post in posts:
            item = QListWidgetItem(f"{post.when}\n{_post_title(post.entry.text)}")
            item.setData(Qt.ItemDataRole.UserRole, post)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.send = QPushButton("Send now", self)
        self.reschedule = QPushButton("Reschedule…", self)
        self.keep = QPushButton("Keep as draft", self)
        later = QPushButton("Decide later", self)
        later.setToolTip("Nothing is sent: File → Scheduled posts… lists them")
        self.send.clicked.connect(lambda: self._act(self.feature.send_now))
        self.reschedule.clicked.connect(self._reschedule)
        self.keep.clicked.connect(lambda: self._act(self.feature.unschedule))
        later.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.send, self.reschedule, self.keep):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(later)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.resize(620, 180 + 40 * min(count, 5))

    def current(self) -> ScheduledPost | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _act(self, action: Callable[[ScheduledPost], object]) -> None:
        post = self.current()
        if post is not None:
            action(post)
            self._decided(post)

    def _reschedule(self) -> None:
        post = self.current()
        if post is not None:  # off the list once rescheduled; a cancelled time dialog leaves it here
            self.feature.change_time(post, lambda: self._decided(post))

    def _decided(self, post: ScheduledPost) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) is post:
                self.list.takeItem(row)
                break
        if self.list.count() == 0:
            self.accept()


class ScheduleFeature(QObject):
    """Publish later in the main window. See the module docstring.

    *ready* says whether the policy has loaded (due posts are checked against it). *clock* is the
    time (injected by tests); *tray_available* whether the desktop shows tray icons (Qt's own check
    by default; the offscreen platform of the tests has none)."""

    changed = Signal()  # the scheduled posts changed (scheduled, sent, held, moved, unscheduled)
    held = Signal(list)  # [TargetStatus]: due posts the policy of the day refused

    def __init__(self, window: QMainWindow, services: Services, runner: TaskRunner, settings: Settings,
                 policy_now: PolicyNow, ready: Callable[[], bool], *, clock: Callable[[], float] = time.time,
                 tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
                 interval_ms: int = SCHEDULE_INTERVAL_MS) -> None:
        super().__init__(window)
        self.window, self.services, self.runner, self.settings = window, services, runner, settings
        self.policy_now, self.ready, self.clock = policy_now, ready, clock
        self.tray_available = tray_available
        self.started_at = clock()  # posts due before this were due while Chorus was closed
        self._scheduler: Scheduler | None = None
        self.busy = False
        self.pending_count = 0  # posts still to go out while Chorus runs (as of the last look)
        self.tray: QSystemTrayIcon | None = None
        self.close_question: QMessageBox | None = None
        self.missed_dialog: MissedDialog | None = None
        self.view: ScheduledView | None = None
        self.dialog: ScheduleDialog | None = None
        self._quitting = False
        self.bridge = StatusBridge(self)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self.act_later = QAction("Publish &later…", window)
        self.act_later.setShortcut(QKeySequence("Ctrl+Shift+Return"))
        self.act_later.setStatusTip("Choose a time for this post to go out to the chosen accounts")
        self.act_later.triggered.connect(self.schedule_current)
        self.act_scheduled = QAction("Sc&heduled posts…", window)
        self.act_scheduled.setStatusTip("The posts waiting for their time: change the time, send now or unschedule")
        self.act_scheduled.triggered.connect(self.show_scheduled)
        for act in (self.act_later, self.act_scheduled):
            window.addAction(act)
        self._add_to_menus()
        quit_action = getattr(window, "act_quit", None)
        if isinstance(quit_action, QAction):  # Quit quits, even when closing the window would keep Chorus in the tray
            quit_action.triggered.disconnect()
            quit_action.triggered.connect(self.quit)
        bar = getattr(window, "publish_bar", None)
        if bar is not None:
            self.bridge.status.connect(bar.outbox_status)

    def _add_to_menus(self) -> None:
        publish = getattr(self.window, "act_publish", None)
        for menu in self.window.menuBar().findChildren(QMenu):
            actions = menu.actions()
            if publish in actions:
                following = actions[actions.index(publish) + 1] if actions.index(publish) + 1 < len(actions) else None
                menu.insertActions(following, [self.act_later, self.act_scheduled])  # type: ignore[arg-type]
                break
        view = getattr(self.window, "menu_view", None)
        if isinstance(view, QMenu):
            view.addAction(self.act_scheduled)

    # -- the scheduler (built on a worker: the publishing service may build the accounts service) ------
    def scheduler(self) -> Scheduler:
        if self._scheduler is None:
            from desktop.core.publishing.schedule import Scheduler

            self._scheduler = Scheduler(self.services.publisher(self.policy_now), clock=self.clock,
                                        started_at=self.started_at)
        return self._scheduler

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None] | None = None,
             what: str = "", lane: str = "io") -> None:
        def failed(exc: BaseException) -> None:
            message = f"{what}: {describe_error(exc)}" if what else describe_error(exc)
            self._notice(message)
            self.changed.emit()

        self.runner.run(work, on_success=done, on_failure=failed, owner=self, lane=lane)

    def _notice(self, text: str, action_text: str | None = None, action: Callable[[], None] | None = None) -> None:
        notice = getattr(self.window, "notice", None)
        if notice is not None:
            notice.show_message(text, action_text, action)
        if self.tray is not None and self.tray.isVisible() and not self.window.isVisible():
            self.tray.showMessage("Chorus", text, QSystemTrayIcon.MessageIcon.Information, 10000)

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    # -- timer: send what is due ------------------------------------------------------------------------
    def start_after(self, delay_ms: int | None) -> None:
        first = SCHEDULE_FIRST_TRY_MS if delay_ms is None else delay_ms
        if first >= 0:
            QTimer.singleShot(first, self.window, self.start)

    def start(self) -> None:
        """Look for missed posts (ask about them), then send due posts every few seconds."""
        if self.timer.isActive():
            return
        self.timer.start()
        self.check_missed()
        self.tick()

    def tick(self) -> None:
        if self.busy or not self.ready():
            return
        self.busy = True
        bridge = self.bridge

        def work() -> tuple[list[Any], int]:
            scheduler = self.scheduler()
            statuses = scheduler.send_due(on_update=bridge.emit_from_worker)
            return statuses, len(scheduler.pending())

        def done(result: tuple[list[Any], int]) -> None:
            self.busy = False
            statuses, self.pending_count = result
            self._update_tray()
            if statuses:
                self._after_send(statuses)

        def failed(exc: BaseException) -> None:
            self.busy = False
            log.warning("sending scheduled posts failed: %s", exc)

        self.runner.run(work, on_success=done, on_failure=failed, owner=self, lane="io")

    def _after_send(self, statuses: list[Any]) -> None:
        held = [s for s in statuses if s.state == "refused"]
        sent = [s for s in statuses if s.state == "sent"]
        if held:
            self.held.emit(held)
            self._notice(f"A scheduled post was not sent. {held[0].reason}", "Show", self.show_scheduled)
        if sent:
            self._status(f"Scheduled post sent to {', '.join(s.handle for s in sent)}")
            if self.tray is not None and not self.window.isVisible():
                self.tray.showMessage("Chorus", f"Scheduled post sent to {', '.join(s.handle for s in sent)}",
                                      QSystemTrayIcon.MessageIcon.Information, 8000)
        self.changed.emit()

    def load_posts(self, show: Callable[[list[tuple[ScheduledPost, list[str]]]], None]) -> None:
        """Read the scheduled posts with their accounts' handles on a worker, then *show* them."""
        def work() -> tuple[list[tuple[ScheduledPost, list[str]]], int]:
            scheduler = self.scheduler()
            store = self.services.accounts.store
            rows = []
            for post in scheduler.posts():
                records = [store.get_account(account_id) for account_id in post.entry.account_ids]
                rows.append((post, [r.account.handle for r in records if r is not None]))
            return rows, sum(1 for post, _ in rows if post.state in (core.WAITING, core.DUE))

        def done(result: tuple[list[tuple[ScheduledPost, list[str]]], int]) -> None:
            rows, self.pending_count = result
            self._update_tray()
            show(rows)

        self._run(work, done, "Could not read the scheduled posts", lane="db")

    # -- the author's commands ------------------------------------------------------------------------
    def schedule_current(self) -> None:
        """File → Publish later…: choose a time for the open draft and its chosen accounts."""
        window: Any = self.window
        draft = window.composer.draft
        bar = getattr(window, "publish_bar", None)
        if draft is None or bar is None:
            return
        ids = bar.chosen()
        if not window.composer.text().strip():
            self._status("The post is empty: write it first, then choose when it goes out.")
            return
        if not ids:
            self._status("Choose at least one account under the post, then Publish later.")
            return
        reason = bar.text_refusal(window.composer.text())  # what Publish waits for (the Ideas prompt left in)
        if reason:
            self._status(reason)
            return
        window.autosaver.flush()
        zone_name = chosen_zone(self.settings)
        try:
            core.zone(zone_name)
        except core.ScheduleError as exc:
            self._notice(describe_error(exc))
            return
        items = [bar.picker.item_for(account_id) for account_id in ids]
        handles = [item.text() for item in items if item is not None]
        self.dialog = ScheduleDialog(zone_name, self.clock(), self.window,
                                     what=f"“{_post_title(window.composer.text())}” to {_accounts_text(handles)}")
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog, draft_id, text = self.dialog, draft.id, window.composer.text()

        def chosen() -> None:
            at = dialog.at
            assert at is not None
            self._run(lambda: self.scheduler().schedule(draft_id, ids, text, at, zone_name),
                      lambda post: self._scheduled(post, len(ids)), "Could not schedule the post")

        dialog.accepted.connect(chosen)
        dialog.open()

    def _scheduled(self, post: ScheduledPost, accounts: int) -> None:
        self._status(f"Scheduled for {post.when} to {accounts} account{'s' if accounts != 1 else ''}. "
                     "File → Scheduled posts… lists it.")
        self.pending_count = max(self.pending_count, 1)
        self.changed.emit()

    def show_scheduled(self) -> None:
        """File (or View) → Scheduled posts…"""
        if self.view is None:
            self.view = ScheduledView(self, self.window)
            self.view.finished.connect(self._view_closed)
        if self.view.isVisible():  # open behind the window: bring it forward (a new one comes up in front)
            self.view.raise_()
        self.view.show()
        self.view.activateWindow()

    def _view_closed(self, _result: int) -> None:
        if self.view is not None:
            self.view.deleteLater()
            self.view = None

    def change_time(self, post: ScheduledPost, on_done: Callable[[], None] | None = None) -> None:
        """Change the time of *post* (waiting, missed or held): a dialog in the zone it was chosen in;
        *on_done* runs once it is rescheduled (not when the dialog is cancelled)."""
        now = self.clock()
        dialog = ScheduleDialog(post.entry.time_zone or chosen_zone(self.settings), now, self.window,
                                at=post.at if post.at > now + 3600 else None, title="Change the time",
                                confirm="Reschedule")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        draft_id = post.draft_id

        def chosen() -> None:
            at, zone_name = dialog.at, dialog.zone_name
            assert at is not None

            def moved(result: ScheduledPost) -> None:
                self._moved(result)
                if on_done is not None:
                    on_done()

            self._run(lambda: self.scheduler().reschedule(draft_id, at, zone_name), moved, "Could not change the time")

        dialog.accepted.connect(chosen)
        dialog.open()

    def _moved(self, post: ScheduledPost) -> None:
        self._status(f"Now scheduled for {post.when}.")
        self.changed.emit()

    def send_now(self, post: ScheduledPost) -> None:
        """Send *post* now (the person chose to): still checked against today's policy."""
        draft_id, bridge = post.draft_id, self.bridge
        self._run(lambda: self.scheduler().send_now(draft_id, on_update=bridge.emit_from_worker),
                  self._after_send, "Could not send the post")

    def unschedule(self, post: ScheduledPost) -> None:
        """Take *post* out of the schedule; its draft stays (Keep as draft)."""
        draft_id = post.draft_id

        def done(removed: bool) -> None:
            self._status("Unscheduled: the post stays a draft." if removed else
                         "That post was no longer scheduled (sent or unscheduled meanwhile).")
            self.changed.emit()

        self._run(lambda: self.scheduler().cancel(draft_id), done, "Could not unschedule the post", lane="db")

    # -- missed while closed ------------------------------------------------------------------------------
    def check_missed(self) -> None:
        """At start: ask about posts whose time passed while Chorus was closed (never send them unasked)."""
        if not self.ready():
            QTimer.singleShot(1000, self.window, self.check_missed)
            return
        self._run(lambda: self.scheduler().missed(), self._show_missed, "Could not read the scheduled posts",
                  lane="db")

    def _show_missed(self, posts: list[ScheduledPost]) -> None:
        if not posts or self.missed_dialog is not None:
            return
        self.missed_dialog = MissedDialog(self, posts, self.window)
        self.missed_dialog.finished.connect(self._missed_closed)
        self.missed_dialog.open()

    def _missed_closed(self, _result: int) -> None:
        if self.missed_dialog is not None:
            self.missed_dialog.deleteLater()
            self.missed_dialog = None
        self.changed.emit()

    # -- closing the window, the tray -------------------------------------------------------------------
    def close_requested(self, event: QCloseEvent) -> bool:
        """The window is being closed: True to go on closing (quit). With posts waiting, keep running in
        the tray if the person agrees (asked once, then ``publishing.keep_running``); the event is
        ignored then and the window hidden."""
        if self._quitting or self.pending_count == 0:
            return True
        choice = self.settings.get("publishing.keep_running")
        if choice == "quit":
            return True
        event.ignore()
        if choice == "tray" and self.tray_available():
            self.hide_to_tray()
        else:
            self.ask_on_close()
        return False

    def ask_on_close(self) -> None:
        count = self.pending_count
        posts = "1 scheduled post is" if count == 1 else f"{count} scheduled posts are"
        box = QMessageBox(QMessageBox.Icon.Question, "Keep Chorus running?", "", QMessageBox.StandardButton.NoButton,
                          self.window)
        box.setObjectName("keep-running-question")
        if self.tray_available():
            box.setText(f"{posts} waiting. Chorus sends them only while it runs.\n\nKeep Chorus running in the "
                        "system tray when you close the window? (Settings → Publishing changes this later.)")
            keep = box.addButton("Keep running in the tray", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Quit", QMessageBox.ButtonRole.DestructiveRole)
        else:
            box.setText(f"{posts} waiting. Chorus sends them only while it runs, and this desktop has no system "
                        "tray to keep it in.\n\nIf you quit, Chorus asks about them at the next start: nothing is "
                        "sent late without asking.")
            keep = box.addButton("Keep Chorus open", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Quit", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        self.close_question = box
        tray = self.tray_available()

        def answered(button: object) -> None:
            role = box.buttonRole(button)  # type: ignore[arg-type]
            self.close_question = None
            if role == QMessageBox.ButtonRole.RejectRole:
                return
            if tray:  # asked once: the answer is the setting from now on
                self._save_choice("tray" if button is keep else "quit")
            if button is keep:
                if tray:
                    self.hide_to_tray()
                else:
                    self.window.showMinimized()
            else:
                self.quit()

        box.buttonClicked.connect(answered)
        box.open()

    def _save_choice(self, value: str) -> None:
        try:
            self.settings.set("publishing.keep_running", value)
        except Exception as exc:  # noqa: BLE001 - locked by IT: the answer holds for this run only
            log.info("could not remember the keep-running answer: %s", exc)
            return
        self.runner.run(self.settings.save, owner=self, lane="db",
                        on_failure=lambda exc: self._notice(f"Could not save your settings: {exc}"))

    def _ensure_tray(self) -> QSystemTrayIcon:
        if self.tray is None:
            icon = self.window.windowIcon()
            if icon.isNull():
                from desktop.ui.common.assets import asset_path

                icon = QIcon(str(asset_path("icons", "chorus.svg")))
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setObjectName("chorus-tray")
            menu = QMenu(self.window)
            menu.addAction("Show Chorus", self.show_window)
            menu.addAction(self.act_scheduled)
            menu.addSeparator()
            menu.addAction("Quit Chorus", self.quit)
            self.tray_menu = menu
            self.tray.setContextMenu(menu)
            self.tray.activated.connect(self._tray_activated)
        self._update_tray()
        return self.tray

    def _update_tray(self) -> None:
        if self.tray is not None:
            count = self.pending_count
            self.tray.setToolTip(f"Chorus: {count} scheduled post{'s' if count != 1 else ''} waiting")

    def _tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_window()

    def hide_to_tray(self) -> None:
        """Hide the window; Chorus keeps running (and sending) with its icon in the tray."""
        tray = self._ensure_tray()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setQuitOnLastWindowClosed(False)
        tray.show()
        self.window.hide()
        count = self.pending_count
        tray.showMessage("Chorus is still running",
                         f"{count} scheduled post{'s go' if count != 1 else ' goes'} out on time. "
                         "Quit from this icon's menu.", QSystemTrayIcon.MessageIcon.Information, 8000)

    def show_window(self) -> None:
        """The tray's Show Chorus (or a click on the icon): the hidden window comes back, in front."""
        if self.window.isVisible():
            self.window.raise_()
        self.window.showNormal()
        self.window.activateWindow()

    def quit(self) -> None:
        """Quit Chorus (File → Quit, the tray's Quit): scheduled posts still waiting are asked about at
        the next start, never sent late without asking."""
        self._quitting = True
        hidden = not self.window.isVisible()
        if self.tray is not None:
            self.tray.hide()
        self.timer.stop()
        self.window.close()
        app = QApplication.instance()
        if hidden and isinstance(app, QApplication) and not app.quitOnLastWindowClosed():
            app.setQuitOnLastWindowClosed(True)
            app.quit()
