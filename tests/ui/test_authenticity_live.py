"""The authenticity check live in the real window: references read from the real drafts database on
the db lane (an own post with a sent publish record), the providers hook (a feed item's suggested
copy), an info underline on the copied passage, and no finding once the author rewrites it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtGui import QTextCharFormat

from desktop.core.drafts import DraftStore
from desktop.core.paths import AppPaths
from desktop.core.policy import Reference
from desktop.core.ports import Account
from desktop.core.publishing.store import PublishStore
from desktop.ui.common.theme import status_color

SUGGESTED = ("Acme Vault 3.0 is here: faster sync, end-to-end encryption for shared folders and a brand-new admin "
             "console. Read the release notes and try it today!")
REWRITE = ("I spent two months on the sync engine in Acme Vault 3.0. If you share big folders, uploads now finish in "
           "about half the time. Details in the release notes.")
OWN = ("Three years at Acme today. I started on the support desk and now I help build the sync engine; thank you to "
       "everyone who answered my questions along the way.")
POLICY = f"""
[policy]
id = "auth-live"
name = "Authenticity live"
version = "1"
owner = "Comms"
contact = "comms@acme.example"

[[rules]]
id = "own-words"
category = "authenticity"
kind = "authenticity"
own_posts_days = 30
message = "Most of this post is the suggested copy from {{source}}"
own_post_message = "This repeats {{source}}"
tip = "Add what you worked on."
example_reference = "{SUGGESTED}"
examples.flag = ["{SUGGESTED}"]
examples.pass = ["{REWRITE}"]
"""


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "auth-live.toml"
    path.write_text(POLICY, encoding="utf-8")
    return path


def authenticity(window) -> list:
    return [item for item in window.composer.findings if item.finding.rule_id == "own-words"]


def info_underlines(window) -> list[tuple[int, int, str]]:
    colour = status_color(window.composer.editor.palette(), "info")
    return [(s.cursor.selectionStart(), s.cursor.selectionEnd(), s.cursor.selectedText())
            for s in window.composer.editor.extraSelections()
            if QTextCharFormat(s.format).underlineColor() == colour]


def test_a_repeat_of_an_own_published_post_is_underlined_as_info(qtbot, make_window, profile, tmp_path) -> None:
    paths = AppPaths.for_profile(profile)
    paths.ensure()
    store = DraftStore.open(paths.drafts_db)
    published = store.create(OWN)
    history = PublishStore(store)
    account = Account("acct-m", "mastodon", "@alice@social.example", "https://social.example")
    history.begin_publication(published.id, account, "key-1")
    history.mark_sent("key-1", "https://social.example/@alice/1", "1")
    sent_on = dt.datetime.fromtimestamp(history.publication("key-1").sent_at)

    window = make_window(store=store, values={"policy.source": str(policy_file(tmp_path))}, load_policy=True)
    check = window.composer.policy
    window.drafts_controller.open_by_id(published.id)
    qtbot.waitUntil(lambda: window.composer.draft is not None and window.composer.draft.id == published.id,
                    timeout=5000)
    qtbot.waitUntil(lambda: check.state == "ok", timeout=10_000)
    assert authenticity(window) == []  # the published draft itself is not a repeat of itself

    window.drafts_controller.new_draft()
    qtbot.waitUntil(lambda: window.composer.draft is not None and window.composer.draft.id != published.id,
                    timeout=5000)
    text = "Hello again! " + OWN.replace("today", "this week") + " 🎉"
    window.composer.editor.setPlainText(text)
    qtbot.waitUntil(lambda: bool(check.references), timeout=10_000)
    assert [r.kind for r in check.references] == ["own_post"]
    qtbot.waitUntil(lambda: check.state == "ok" and bool(authenticity(window)), timeout=10_000)

    [item] = authenticity(window)
    assert item.severity == "info"
    assert item.finding.message == f"This repeats your post of {sent_on.day} {sent_on:%b} on Mastodon"
    assert not check.blocked and check.publish_refusal() is None  # a hint: publishing is not held up
    start = text.index("Three years")
    [(s, e, selected)] = info_underlines(window)
    assert s == u16(text[:start]) and selected.startswith("Three years at Acme this week")
    assert selected.endswith("along the way")
    assert e == s + u16(selected)


def test_a_feed_provider_and_a_rewrite_that_clears_the_hint(qtbot, make_window, tmp_path) -> None:
    window = make_window(values={"policy.source": str(policy_file(tmp_path))}, load_policy=True)
    check = window.composer.policy
    asked: list[str] = []

    def suggested_copy(draft_id: str) -> list[Reference]:
        asked.append(draft_id)
        return [Reference("feed", SUGGESTED, "Acme Engineering Blog")]

    check.reference_providers.append(suggested_copy)
    check.refresh_references()
    qtbot.waitUntil(lambda: bool(check.references), timeout=10_000)
    assert asked == [window.composer.draft.id]

    text = "Hi all! 👋 " + SUGGESTED.replace("faster", "quicker") + " #AcmeVault"
    window.composer.editor.setPlainText(text)
    qtbot.waitUntil(lambda: check.state == "ok" and bool(authenticity(window)), timeout=10_000)
    [item] = authenticity(window)
    assert item.finding.message == "Most of this post is the suggested copy from Acme Engineering Blog"
    [(_s, _e, selected)] = info_underlines(window)
    assert selected.startswith("Acme Vault 3.0") and "#AcmeVault" not in selected

    window.composer.editor.setPlainText(REWRITE)
    qtbot.waitUntil(lambda: check.state == "ok" and not authenticity(window), timeout=10_000)
    assert info_underlines(window) == []
