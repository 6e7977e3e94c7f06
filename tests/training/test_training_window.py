"""The acknowledgement gate, Help → Company policy and the check of understanding in the real main window.

Real parts: the MainWindow as the other UI tests build it (tests/ui/conftest.py make_window), the services
the composition root builds (desktop.bootstrap.build_services with its policy gate), a Mastodon-API test
server on 127.0.0.1 that receives the post, an account linked through the real browser flow (played by the
test's AuthorizeBrowser) with its token in the in-memory secret store, the profile's real drafts database,
and a policy file the test writes (and rewrites with a new version). No sleeps: signals and conditions.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from desktop.bootstrap import build_services, make_policy_gate
from desktop.core.accounts import MemorySecretStore
from desktop.core.drafts import DraftStore
from desktop.core.paths import AppPaths
from desktop.core.settings import Settings
from desktop.core.training import TrainingRecords
from desktop.ui.training.quiz_dialog import QuizDialog
from desktop.ui.training.summary_dialog import PolicySummaryDialog
from tests.servers.mastodon_browser import AuthorizeBrowser
from tests.servers.mastodon_server import MastodonTestServer
from tests.training.policy_files import write_policy
from tests.ui.conftest import make_window  # noqa: F401 - the fixture

# Help → Company policy raises its dialog; the offscreen platform has no window stacking
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")

PASSWORD = "alice-password-for-training-tests"
CLEAN = "Bird watching today with the team."
WAIT = 15_000


@pytest.fixture
def server() -> Iterator[MastodonTestServer]:
    running = MastodonTestServer(users={"alice": PASSWORD}, domain="social.example").start()
    yield running
    running.stop()


@pytest.fixture
def secrets() -> MemorySecretStore:
    return MemorySecretStore()


def link_alice(profile: Path, secrets: MemorySecretStore, server: MastodonTestServer) -> str:
    """An earlier session linked alice's account (the real browser flow); returns the account id."""
    paths = AppPaths.for_profile(profile)
    paths.ensure()
    store = DraftStore.open(paths.drafts_db)
    services = build_services(Settings(paths.settings_file), store, paths.cache_dir, secret_store=secrets)
    try:
        driver = AuthorizeBrowser("alice", PASSWORD)
        try:
            record = services.linking.link_with_browser("mastodon", server.url, driver, timeout=10)
        finally:
            driver.close()
        store.create(CLEAN, targets=[record.id])
        return record.id
    finally:
        services.close()
        store.close()


@pytest.fixture
def open_window(make_window, secrets, qtbot):  # noqa: F811 - make_window is the imported fixture
    def make(policy_file: Path, **options):
        def services(settings, store, paths):
            return build_services(settings, store, paths.cache_dir, secret_store=secrets,
                                  policy_gate=make_policy_gate(settings, store))

        window = make_window(values={"policy.source": str(policy_file)}, load_policy=True, services=services,
                             outbox_first_try_ms=-1, **options)
        qtbot.waitUntil(lambda: window.accounts_panel is not None and window.accounts_panel.loaded, timeout=WAIT)
        return window

    return make


def summary_dialog(window) -> PolicySummaryDialog:
    dialog = window.training.summary_dialog
    assert dialog is not None
    return dialog


def publish_and_wait(window, qtbot) -> None:
    bar = window.publish_bar
    qtbot.waitUntil(lambda: bar.publish_button.isEnabled(), timeout=WAIT)
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        bar.publish_button.click()


def test_publishing_waits_for_the_acknowledgement_and_asks_again_on_a_new_version(
        profile, tmp_path, server, secrets, open_window, qtbot):
    link_alice(profile, secrets, server)
    policy_file = write_policy(tmp_path, "1")
    window = open_window(policy_file)
    training = window.training
    assert training is not None

    # first start: the summary opens by itself, without taking the focus from the editor; drafting works
    qtbot.waitUntil(lambda: training.status is not None and training.summary_dialog is not None, timeout=WAIT)
    dialog = summary_dialog(window)
    assert dialog.isVisible() and dialog.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert dialog.summary.policy_id == "training-test" and dialog.summary.version == "1"
    assert "Confidential codename" in dialog.text.toPlainText()
    assert "Owner: Test Communications" in dialog.text.toPlainText()
    assert dialog.acknowledge_button.isVisible()
    assert training.bar.isVisible() and "Publishing waits until you acknowledge it" in training.bar.label.text()
    assert training.bar.action_button.text() == "Read the policy…"
    dialog.close_button.click()  # "Later"
    qtbot.waitUntil(lambda: training.summary_dialog is None)
    assert window.composer.editor.isEnabled() and window.composer.text() == CLEAN

    # publishing is refused, with a message that says how to acknowledge; nothing reaches the server
    publish_and_wait(window, qtbot)
    status_text = window.publish_bar.status_view.summary.text() + " " + " ".join(
        row.text.text() for row in window.publish_bar.status_view.rows.values())
    refusal = window.publish_bar.runs[window.composer.draft.id].refusal
    assert "acknowledgement of the company policy \"Training test policy\" (version 1)" in refusal, status_text
    assert "Help → Company policy…" in refusal
    assert server.statuses_of("alice") == []

    # Help → Company policy: the summary again; Acknowledge records it with its wording
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Help")
    assert isinstance(help_menu, QMenu) and training.action in help_menu.actions()
    training.action.trigger()
    dialog = summary_dialog(window)
    assert dialog.isVisible() and "Not acknowledged yet" in dialog.record.text()
    with qtbot.waitSignal(training.recorded, timeout=WAIT) as recorded:
        dialog.acknowledge_button.click()
    record = recorded.args[0]
    assert (record.kind, record.policy_id, record.policy_version) == ("acknowledgement", "training-test", "1")
    assert record.wording.startswith("Training test policy (id training-test, version 1)")
    assert not dialog.acknowledge_button.isVisible()
    assert f"You acknowledged version 1 of this policy on {record.when()}" in dialog.record.text()
    dialog.close_button.click()

    publish_and_wait(window, qtbot)
    qtbot.waitUntil(lambda: len(server.statuses_of("alice")) == 1, timeout=WAIT)
    assert CLEAN in str(server.statuses_of("alice")[0])

    # a new version of the policy: asked again, and publishing waits again
    write_policy(tmp_path, "2").replace(policy_file)
    with qtbot.waitSignal(training.status_changed, timeout=WAIT,
                          check_params_cb=lambda status: status.version == "2"):
        window.load_policy()
    dialog = summary_dialog(window)
    assert dialog.isVisible() and dialog.summary.version == "2"
    assert "version 2 is new. You acknowledged version 1" in dialog.record.text()
    assert "has a new version" in training.bar.label.text()
    window.composer.editor.setPlainText(CLEAN + " Again.")
    publish_and_wait(window, qtbot)
    assert "(version 2)" in window.publish_bar.runs[window.composer.draft.id].refusal
    assert len(server.statuses_of("alice")) == 1

    # the record holds the acknowledgement of version 1 only: version 2 is not acknowledged yet
    store = window.store
    assert [(r.kind, r.policy_version) for r in TrainingRecords(store).records()] == [("acknowledgement", "1")]


def answer_all(qtbot, dialog: QuizDialog, right: bool = True) -> None:
    """Answer every question with the keyboard only: Y or N, then Enter."""
    for question in dialog.quiz.questions:
        key = Qt.Key.Key_Y if question.can_go_out == right else Qt.Key.Key_N
        qtbot.keyClick(dialog.focusWidget() or dialog, key)
        assert dialog.next_button.hasFocus() or not dialog.isActiveWindow()
        qtbot.keyClick(dialog.next_button, Qt.Key.Key_Return)


def test_the_required_quiz_is_keyboard_operable_recorded_and_opens_publishing(
        profile, tmp_path, server, secrets, open_window, qtbot):
    link_alice(profile, secrets, server)
    window = open_window(write_policy(tmp_path, "1"), managed={"training.quiz_required": True})
    training = window.training
    training.seed = lambda: 5
    qtbot.waitUntil(lambda: training.summary_dialog is not None, timeout=WAIT)
    assert "also asks you to pass the check of understanding" in summary_dialog(window).record.text()
    with qtbot.waitSignal(training.recorded, timeout=WAIT):
        summary_dialog(window).acknowledge_button.click()
    qtbot.waitUntil(lambda: training.status is not None and training.status.acknowledged)
    assert not training.status.open

    publish_and_wait(window, qtbot)
    assert "pass the check of understanding" in window.publish_bar.runs[window.composer.draft.id].refusal
    assert server.statuses_of("alice") == []

    # a failed check does not open publishing; a passed one does
    for right in (False, True):
        with qtbot.waitSignal(training.quiz_shown, timeout=WAIT) as shown:
            summary_dialog(window).quiz_button.click()
        dialog = shown.args[0]
        assert dialog.quiz.seed == 5 and dialog.quiz.questions
        assert dialog.prompt.text() == "Can this post go out as it is?"
        with qtbot.waitSignal(training.recorded, timeout=WAIT) as recorded:
            answer_all(qtbot, dialog, right)
        assert recorded.args[0].passed is right
        assert recorded.args[0].wording == dialog.outcome.wording()
        qtbot.keyClick(dialog.next_button, Qt.Key.Key_Return)  # Done
    qtbot.waitUntil(lambda: training.status.open, timeout=WAIT)
    assert "You passed the check of understanding" in summary_dialog(window).record.text()

    publish_and_wait(window, qtbot)
    qtbot.waitUntil(lambda: len(server.statuses_of("alice")) == 1, timeout=WAIT)
    kinds = [(r.kind, r.passed) for r in TrainingRecords(window.store).records()]
    assert kinds == [("acknowledgement", None), ("quiz", False), ("quiz", True)]


def test_a_category_check_is_offered_the_first_time_its_finding_is_met(profile, tmp_path, server, secrets,
                                                                       open_window, qtbot):
    link_alice(profile, secrets, server)
    window = open_window(write_policy(tmp_path, "1"))
    training = window.training
    qtbot.waitUntil(lambda: training.summary_dialog is not None, timeout=WAIT)
    with qtbot.waitSignal(training.recorded, timeout=WAIT):
        summary_dialog(window).acknowledge_button.click()
    summary_dialog(window).close_button.click()
    window.composer.editor.setPlainText("The Bluejay team is great")
    qtbot.waitUntil(lambda: "first time you met a finding about codenames" in training.bar.label.text(),
                    timeout=WAIT)
    with qtbot.waitSignal(training.quiz_shown, timeout=WAIT) as shown:
        training.bar.action_button.click()
    dialog = shown.args[0]
    assert dialog.quiz.category == "codename" and {q.category for q in dialog.quiz.questions} == {"codename"}
    assert len(dialog.quiz.questions) == 3
    dialog.reject()
    assert TrainingRecords(window.store).categories_offered("training-test") == {"codename"}
    # not offered again for that category
    training.bar.hide()
    with qtbot.waitSignal(window.composer.findings_changed, timeout=WAIT,
                          check_params_cb=lambda findings: any(f.finding.category == "codename" for f in findings)):
        window.composer.editor.setPlainText("The Bluejay team is great, again")
    assert not training.bar.isVisible()
