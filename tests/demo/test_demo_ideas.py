"""Ideas in demo mode: a bundle's ``[[ideas]]`` are checked like the rest of the bundle (the field and
the line of the entry in every error), written as JSON Feed 1.1 files in the temporary profile and named
in its ``ideas.feeds``, so the Ideas panel lists them offline, newest first, with their suggested copy.
In the demo window a trainer chooses Write about this, pastes the suggested copy from the reference
pane and gets the own-words hint (the demo's policy adds that rule to acme-example, and only there);
Reset demo brings the ideas back unread and undismissed.

Real parts only: real bundle files, a real temporary demo profile, real SQLite, the real feed parser
reading the files written, the real main window (pytest-qt), the real clipboard (Qt's, in process)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.bootstrap import build_services
from desktop.core.accounts.secrets import MemorySecretStore
from desktop.core.demo import BundleError, DemoProfile, DemoSession, load_bundle
from desktop.core.drafts import DraftStore
from desktop.core.ideas import PROMPT, IdeasService, IdeaStore, parse_feed
from desktop.core.policy import load_policy
from desktop.core.settings import Settings
from desktop.ui.shell.main_window import MainWindow
from tests.demo.conftest import WAIT, Demo

RELEASE = "Acme Cloud 2.4: faster backups and a status page for every workspace"

# ideas written out of order, two sources, one without suggested copy and one without a source
BUNDLE = '''
[bundle]
format = 1
name = "Ideas"

[policy]
builtin = "acme-example"

[[accounts]]
id = "kim"
name = "Kim"
handle = "@kim.bsky.social"

[[drafts]]
text = "Hello from the sandbox"

[[ideas]]
source = "Acme Careers"
title = "We're hiring"
date = 2026-10-01
link = "https://acme.example/careers"
summary = "Support engineers, remote."

[[ideas]]
source = "Acme Newsroom"
title = "Newest release"
date = 2026-11-26T09:30:00Z
link = "https://acme.example/news/new"
summary = "What is new."
suggested_copy = "Exciting news! The newest release is here. Upgrade today!"

[[ideas]]
title = "A talk"
date = "2026-11-12"
summary = """A talk about
reading every ticket."""
'''


def write(tmp_path: Path, text: str, name: str = "bundle.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DraftStore]:
    opened = DraftStore.open(tmp_path / "drafts.db")
    yield opened
    opened.close()


# -- the bundle --------------------------------------------------------------------------------------
def test_ideas_are_read_from_the_bundle_with_their_dates(tmp_path: Path) -> None:
    bundle = load_bundle(write(tmp_path, BUNDLE))
    careers, release, talk = bundle.ideas
    assert (careers.source, careers.title, careers.link) == ("Acme Careers", "We're hiring", "https://acme.example/careers")
    assert careers.published == dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)  # a date: noon UTC, the same day everywhere
    assert release.published == dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)
    assert release.suggested_copy.startswith("Exciting news!") and careers.suggested_copy == ""
    assert talk.source == "Company news" and talk.link == "" and talk.summary == "A talk about\nreading every ticket."
    assert talk.published.date() == dt.date(2026, 11, 12)


def test_the_demo_profile_gets_one_json_feed_per_source_named_in_its_settings(tmp_path: Path, store) -> None:
    session = DemoSession(load_bundle(write(tmp_path, BUNDLE)), DemoProfile.create(tmp_path))
    try:
        settings_file = tmp_path / "config" / "settings.json"
        session.prepare(settings_file)
        feeds = json.loads(settings_file.read_text())["values"]["ideas.feeds"]
        assert len(feeds) == 3 and all(Path(f).parent == session.profile.root / "ideas" for f in feeds)
        documents = [json.loads(Path(f).read_text(encoding="utf-8")) for f in feeds]
        assert [d["title"] for d in documents] == ["Acme Careers", "Acme Newsroom", "Company news"]
        assert {d["version"] for d in documents} == {"https://jsonfeed.org/version/1.1"}
        release = documents[1]["items"][0]
        assert release["_chorus"] == {"suggested_copy": "Exciting news! The newest release is here. Upgrade today!"}
        assert release["url"] == "https://acme.example/news/new" and release["date_published"].startswith("2026-11-26T09:30")
        assert "_chorus" not in documents[0]["items"][0]  # no suggested copy: no extension
        # the ideas code reads them back as written
        parsed = parse_feed(Path(feeds[1]).read_bytes(), "the demo feed")
        assert parsed.format == "json1.1" and parsed.items[0].suggested.startswith("Exciting news!")
        assert Settings(settings_file).get("ideas.feeds") == tuple(feeds)

        # the reset (also run when the demo starts) reads them into the cache: listed newest first, offline
        services = build_services(Settings(settings_file), store, tmp_path / "cache", secret_store=MemorySecretStore(),
                                  endpoints={"sandbox": {"posts": str(session.posts.path)}}, demo=True)
        try:
            session.reset(store, services.accounts)
            view = IdeasService(IdeaStore(store), None).collect(feeds, [])
            assert [i.title for i in view.ideas] == ["Newest release", "A talk", "We're hiring"]
            assert [i.source_title for i in view.ideas] == ["Acme Newsroom", "Company news", "Acme Careers"]
            assert view.ideas[0].suggested.startswith("Exciting news!") and not view.problems()
        finally:
            services.close()
    finally:
        session.profile.remove()


def test_a_bundle_without_ideas_sets_no_feeds(tmp_path: Path) -> None:
    bundle = load_bundle(write(tmp_path, BUNDLE.split("[[ideas]]")[0]))
    assert bundle.ideas == ()
    session = DemoSession(bundle, DemoProfile.create(tmp_path))
    try:
        settings_file = tmp_path / "settings.json"
        session.prepare(settings_file)
        assert "ideas.feeds" not in json.loads(settings_file.read_text())["values"]
        assert not (session.profile.root / "ideas").exists()
    finally:
        session.profile.remove()


def test_the_builtin_demo_has_ideas_and_its_policy_alone_adds_the_own_words_hint(tmp_path: Path) -> None:
    bundle = load_bundle(None)
    assert len(bundle.ideas) >= 4 and bundle.ideas[0].title == RELEASE
    assert {i.source for i in bundle.ideas} >= {"Acme Newsroom", "Acme Events", "Acme Careers", "Acme Engineering Blog"}
    assert all(i.link.startswith("https://acme.example/") and i.summary for i in bundle.ideas)
    assert all(i.suggested_copy for i in bundle.ideas)
    dates = [i.published for i in bundle.ideas]
    assert len(set(dates)) == len(dates)
    # the demo's policy: acme-example plus own-words; acme-example itself is unchanged
    policy_file = write(tmp_path, bundle.policy_text, "demo-policy.toml")
    demo_policy = load_policy(str(policy_file))
    own_words = [r for r in demo_policy.rules if r.id == "own-words"]
    assert len(own_words) == 1 and type(own_words[0]).__name__ == "AuthenticityRule"
    assert demo_policy.info.id == "acme-example" and bundle.policy_name == "acme-example"
    assert "own-words" not in {r.id for r in load_policy("acme-example").rules}
    # the suggested copies pass the policy on their own (a pasted copy gets the hint, not a block or warning)
    for idea in bundle.ideas:
        serious = {f.rule_id for f in demo_policy.check(idea.suggested_copy) if f.severity in ("block", "warn")}
        assert not serious, (idea.title, serious)


@pytest.mark.parametrize(("change", "where", "words"), [
    (lambda t: t.replace('title = "We\'re hiring"\n', ""), "ideas[1].title", "is missing"),
    (lambda t: t.replace("date = 2026-10-01", ""), "ideas[1].date", "is missing"),
    (lambda t: t.replace("date = 2026-10-01", 'date = "last week"'), "ideas[1].date", "'last week' is not a date"),
    (lambda t: t.replace("date = 2026-10-01", "date = 20261001"), "ideas[1].date", "like 2026-11-24"),
    (lambda t: t.replace('link = "https://acme.example/news/new"', 'link = "acme.example/news/new"'),
     "ideas[2].link", "web address starting with https://"),
    (lambda t: t.replace('link = "https://acme.example/news/new"', 'link = "javascript:alert(1)"'),
     "ideas[2].link", "https://"),
    (lambda t: t.replace("suggested_copy = ", "suggested = "), "ideas[2]", "'suggested' is not a field of ideas[2]"),
    (lambda t: t.replace('summary = "What is new."', "summary = 7"), "ideas[2].summary", "text in quotes"),
    (lambda t: t.replace('source = "Acme Newsroom"', 'source = " "'), "ideas[2].source", "is empty"),
    (lambda t: t.replace('[[ideas]]\ntitle = "A talk"', '[[ideas]]\ntitle = ""'), "ideas[3].title", "is empty"),
    (lambda t: "ideas = 3\n" + t.split("[[ideas]]")[0], "ideas", "list of tables"),
])
def test_a_bad_idea_is_refused_naming_the_field_and_its_line(tmp_path: Path, change, where: str, words: str) -> None:
    text = change(BUNDLE)
    path = write(tmp_path, text)
    with pytest.raises(BundleError) as caught:
        load_bundle(path)
    error = caught.value
    assert error.where == where, str(error)
    assert words in str(error) and str(path) in str(error), str(error)
    if "[" in where:  # an entry: the line its [[ideas]] header is on
        number = int(where.split("[")[1].split("]")[0])
        headers = [n for n, line in enumerate(text.splitlines(), start=1) if line == "[[ideas]]"]
        assert error.line == headers[number - 1]
        assert f"in the entry starting on line {headers[number - 1]}" in str(error)


def test_a_header_like_line_inside_a_multi_line_text_does_not_shift_the_lines(tmp_path: Path) -> None:
    text = BUNDLE.replace('text = "Hello from the sandbox"', 'text = """Hello\n[[ideas]]\nfrom the sandbox"""')
    text = text.replace('link = "https://acme.example/careers"', 'link = "ftp://acme.example"')
    with pytest.raises(BundleError) as caught:
        load_bundle(write(tmp_path, text))
    lines = text.splitlines()
    assert caught.value.where == "ideas[1].link"
    assert lines[caught.value.line - 1] == "[[ideas]]" and lines[caught.value.line] == 'source = "Acme Careers"'


def test_other_entries_get_their_line_too(tmp_path: Path) -> None:
    text = BUNDLE.replace('handle = "@kim.bsky.social"', 'handle = "@kim.bsky.social"\nlooks_like = "myspace"')
    with pytest.raises(BundleError) as caught:
        load_bundle(write(tmp_path, text))
    assert caught.value.where == "accounts[1].looks_like"
    assert text.splitlines()[caught.value.line - 1] == "[[accounts]]"


@pytest.mark.parametrize(("policy", "where", "words"), [
    ('builtin = "acme-example"\nextra_rules = "no rules here"', "policy.extra_rules", "[[rules]]"),
    ('text = """[policy]\nid = "x"\n"""\nextra_rules = """[[rules]]\n"""', "policy.extra_rules", "built-in policy"),
    ('builtin = "acme-example"\nextra_rules = """\n[[rules]]\nid = "R1-secret"\ncategory = "secret"\nkind = "lexicon"\n'
     'terms = ["zebra"]\nseverity = "block"\nmessage = "x"\nexamples.flag = ["zebra"]\nexamples.pass = ["horse"]\n"""',
     "policy", "R1-secret"),
])
def test_extra_rules_are_checked_with_the_policy(tmp_path: Path, policy: str, where: str, words: str) -> None:
    path = write(tmp_path, BUNDLE.replace('builtin = "acme-example"', policy))
    with pytest.raises(BundleError) as caught:
        load_bundle(path)
    assert caught.value.where == where and words in str(caught.value), str(caught.value)


# -- the demo window ---------------------------------------------------------------------------------
@pytest.fixture
def demo(qtbot, demo: Demo) -> Demo:
    """The demo window (tests/demo/conftest.py) once its sample ideas are listed."""
    qtbot.waitUntil(lambda: len(demo.window.ideas.panel.ideas) == 4, timeout=WAIT)
    return demo


def own_words(window: MainWindow) -> list[str]:
    return [item.finding.message for item in window.composer.findings if item.finding.rule_id == "own-words"]


def test_the_demo_lists_its_ideas_newest_first_and_a_pasted_copy_gets_the_own_words_hint(qtbot, demo: Demo) -> None:
    window, bundle = demo.window, demo.session.bundle
    panel = window.ideas.panel
    expected = sorted(bundle.ideas, key=lambda idea: idea.published, reverse=True)
    assert panel.titles() == [idea.title for idea in expected]
    assert [idea.source_title for idea in panel.ideas] == [idea.source for idea in expected]
    assert all(not idea.read and idea.suggested for idea in panel.ideas)
    assert window.settings.get("ideas.feeds") == tuple(str(p) for p in sorted((demo.session.profile.root / "ideas")
                                                                             .glob("feed-*.json")))
    assert not panel.status.isVisible() or not panel.status.text()  # every feed file read fine

    release = panel.ideas[0]
    assert release.title == RELEASE and panel.select(release.key)
    with qtbot.waitSignal(window.ideas.draft_written, timeout=WAIT):
        panel.write_button.click()
    assert window.composer.text() == f"{PROMPT}\n\n{release.link}"  # the prompt and the link, never the copy
    reference = window.ideas.reference
    assert reference.isVisible() and reference.heading.text() == "Suggested by Acme Newsroom"
    assert reference.text.toPlainText() == bundle.ideas[0].suggested_copy
    check = window.composer.policy
    qtbot.waitUntil(lambda: check.state == "ok" and not own_words(window), timeout=WAIT)

    # what a trainer does: copy the suggested copy from the pane and paste it into the draft
    reference.text.selectAll()
    reference.text.copy()
    assert QApplication.clipboard().text() == bundle.ideas[0].suggested_copy
    editor = window.composer.editor
    editor.selectAll()
    editor.paste()
    assert window.composer.text() == bundle.ideas[0].suggested_copy
    qtbot.waitUntil(lambda: check.state == "ok" and bool(own_words(window)), timeout=WAIT)
    assert own_words(window) == ["Most of this post is the suggested copy from Acme Newsroom"]
    (hint,) = [item.finding for item in window.composer.findings if item.finding.rule_id == "own-words"]
    assert hint.severity == "info" and "fewer people" in hint.explanation
    bar = window.publish_bar
    assert bar is not None
    bar.picker.item_for(bar.records[0].account.id).setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(bar.publish_button.isEnabled, timeout=WAIT)  # a hint, not a block

    # in the trainee's own words: the hint goes
    editor.setPlainText("I spent the autumn on the backup engine: our nightly backup went from 50 to 31 minutes. "
                        f"#AcmeEmployee {release.link}")
    qtbot.waitUntil(lambda: check.state == "ok" and not own_words(window), timeout=WAIT)


def test_reset_demo_brings_the_ideas_back_unread_and_undismissed(qtbot, demo: Demo) -> None:
    window, feature = demo.window, demo.window.demo
    assert feature is not None
    panel = window.ideas.panel
    before = panel.titles()
    assert panel.select(panel.ideas[1].key)  # read
    with qtbot.waitSignal(window.ideas.draft_written, timeout=WAIT):
        panel.write_button.click()
    assert panel.select(panel.ideas[0].key)
    panel.dismiss_button.click()
    assert panel.titles() == before[1:]

    def marks() -> int:
        with demo.store.reading() as db:
            return int(db.execute("SELECT COUNT(*) FROM idea_marks").fetchone()[0]
                       + db.execute("SELECT COUNT(*) FROM draft_ideas").fetchone()[0])

    qtbot.waitUntil(lambda: marks() >= 3, timeout=WAIT)  # two read (one dismissed), one draft written from an idea
    assert window.ideas.reference.isVisible()

    with qtbot.waitSignal(feature.reset_done, timeout=WAIT):
        feature.act_reset.trigger()
    qtbot.waitUntil(lambda: panel.titles() == before and all(not i.read for i in panel.ideas), timeout=WAIT)
    assert marks() == 0
    assert all(not i.dismissed and i.suggested for i in panel.ideas)
    qtbot.waitUntil(lambda: window.composer.text() == demo.session.bundle.drafts[0].text, timeout=WAIT)
    qtbot.waitUntil(lambda: not window.ideas.reference.isVisible(), timeout=WAIT)
