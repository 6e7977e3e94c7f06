"""Demo mode in the real window (pytest-qt): the banner and title say it is a demo, the sample drafts
and sandbox accounts are there, publishing the clean sample puts it in the Sandbox feed (drawn per
network), Reset demo brings the sample state back, and secrets only ever go to the memory store.

Built as ``chorus --demo`` builds it (desktop.bootstrap.run_demo): a real temporary demo profile,
real SQLite files, the real services with the sandbox adapter, the acme-example policy."""

from __future__ import annotations

from desktop.ui.demo.feature import TITLE_SUFFIX
from desktop.ui.shell.main_window import MainWindow
from tests.demo.conftest import WAIT, Demo


def feed_texts(window: MainWindow) -> list[str]:
    assert window.demo is not None
    return [post.text for post in window.demo.feed.posts()]


def test_the_demo_says_it_is_one_and_starts_with_the_samples(demo: Demo) -> None:
    window, feature = demo.window, demo.window.demo
    assert feature is not None
    assert window.windowTitle().endswith(TITLE_SUFFIX) and "nothing is published" in feature.banner.text()
    assert feature.banner.isVisible()
    window.composer.editor.setPlainText(window.composer.text() + " more")  # a new title keeps the suffix
    assert window.windowTitle().count("Demo — nothing is published") == 1
    assert not window.act_start_demo.isVisible() and not window.act_link.isVisible()
    assert not window.act_diagnostics.isVisible()  # it would probe the real keyring
    assert window.drafts.model.rowCount() == len(demo.session.bundle.drafts) == 8
    assert window.active_policy is not None and window.active_policy.policy is not None
    assert window.active_policy.policy.info.id == "acme-example"
    assert window.publish_bar is not None
    assert sorted(r.account.handle for r in window.publish_bar.records) == [
        "@maya.bsky.social", "@sam@mastodon.example", "Alex Moreau"]
    assert {r.account.network for r in window.publish_bar.records} == {"sandbox"}
    assert len(feed_texts(window)) == 2  # the colleagues' posts from the bundle


def test_publish_a_sample_see_it_in_the_feed_then_reset(qtbot, demo: Demo) -> None:
    window, feature = demo.window, demo.window.demo
    assert feature is not None
    clean = demo.session.bundle.drafts[0].text
    assert window.composer.text() == clean
    assert window.publish_bar is not None
    with qtbot.waitSignal(window.publish_bar.published, timeout=WAIT):
        window.publish()
    qtbot.waitUntil(lambda: feed_texts(window).count(clean) == 3, timeout=WAIT)
    assert feature.feed_dock.isVisible()
    cards = [card for card in feature.feed.cards if card.post.text == clean]
    assert {card.post.style for card in cards} == {"bluesky", "mastodon", "linkedin"}
    body = cards[0].body.text()
    assert "#AcmeEmployee</span>" in body and 'href="https://acme.example/careers"' in body
    assert "Maya Patel" in next(c for c in cards if c.post.style == "bluesky").author.text()
    # the status rows' links lead to the feed, not to a browser
    assert window.browser.open_url(cards[0].post.url) is True

    # a sample with a block finding cannot be published to the sandbox either
    window.drafts_controller.open_by_id(window.drafts.model.drafts()[1].id)
    qtbot.waitUntil(lambda: not window.publish_bar.publish_button.isEnabled(), timeout=WAIT)
    assert "Publishing is refused" in (window.publish_bar.why_not() or "")

    # Reset demo: the samples, the accounts and the feed as at the start
    window.composer.editor.setPlainText("a trainer's own text")
    with qtbot.waitSignal(feature.reset_done, timeout=WAIT):
        feature.act_reset.trigger()
    qtbot.waitUntil(lambda: len(feed_texts(window)) == 2 and window.composer.text() == clean, timeout=WAIT)
    assert [d.body for d in demo.store.list()] == [d.text for d in demo.session.bundle.drafts]
    with demo.store.reading() as db:
        assert db.execute("SELECT COUNT(*) FROM publish_history").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM accounts WHERE network = 'sandbox'").fetchone()[0] == 3
    # secrets went to the memory store only, under the demo accounts' keys
    assert demo.secrets.calls and all(key.startswith("demo-") for _op, key in demo.secrets.calls)
    # the next group can publish the same sample again (not "Already posted")
    qtbot.waitUntil(lambda: window.publish_bar.publish_button.isEnabled(), timeout=WAIT)
    with qtbot.waitSignal(window.publish_bar.published, timeout=WAIT):
        window.publish()
    qtbot.waitUntil(lambda: feed_texts(window).count(clean) == 3, timeout=WAIT)


def test_without_a_demo_there_is_no_sandbox_and_help_offers_one(make_window) -> None:
    window = make_window()
    assert window.demo is None and window.act_start_demo.isVisible()
    assert "Demo" not in window.windowTitle()
    assert "De&mo" not in [action.text() for action in window.menuBar().actions()]


def test_it_can_hide_the_demo(make_window) -> None:
    window = make_window(managed={"demo.available": False})
    assert not window.act_start_demo.isVisible()


def test_help_start_a_demo_runs_this_chorus_in_demo_mode() -> None:
    """The command Help → Start a demo starts is this Chorus with --demo: run with --help instead of
    starting a window, it answers as Chorus and knows --demo."""
    import subprocess

    from desktop.ui.demo.launch import demo_command

    program, arguments, folder = demo_command()
    assert arguments[-1] == "--demo"
    finished = subprocess.run([program, *arguments[:-1], "--help"], cwd=folder, capture_output=True, text=True,
                              timeout=60)
    assert finished.returncode == 0 and "--demo [BUNDLE]" in finished.stdout
    assert demo_command("my.toml")[1][-2:] == ["--demo", "my.toml"]


def test_publish_at_once_after_opening_a_draft_goes_out_once_its_check_is_in(qtbot, demo: Demo) -> None:
    """Ctrl+Return while the draft's check and acknowledgements are still on their way: Publish waits
    for them, then goes. It used to ask for the check again from inside the check's own signal until
    the recursion limit, and nothing was published (found by the demo reset benchmark's second round)."""
    window = demo.window
    clean = demo.session.bundle.drafts[0].text
    qtbot.waitUntil(lambda: window.publish_bar.publish_button.isEnabled(), timeout=WAIT)
    drafts = window.drafts.model.drafts()
    window.drafts_controller.open_by_id(drafts[1].id)
    window.drafts_controller.open_by_id(drafts[0].id)
    assert window.composer.text() == clean and window.composer.policy.state == "pending"
    with qtbot.waitSignal(window.publish_bar.published, timeout=WAIT):
        window.publish()
    qtbot.waitUntil(lambda: feed_texts(window).count(clean) == 3, timeout=WAIT)
