"""Done means, end to end in the real window: an idea from a feed on a real server becomes a post in the
employee's own words, published to a real Mastodon test server with a real keyring, recorded in the audit
trail, which `chorus audit export` / `verify` (the real command, in a subprocess) read back intact.

On the way: the draft holds the prompt and the link, never the suggested copy; Publish waits until the
prompt is replaced; pasting the suggested copy gets the authenticity hint (the default policy's own-words
rule, fed by the idea the draft was written from), a rewrite clears it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.adapters.feeds import HttpFeedFetcher
from desktop.core.ideas import PROMPT
from tests.ideas.feeds_server import Route
from tests.ui.test_accounts_publishing import (  # noqa: F401 - real keyring, Mastodon servers, the window
    browser,
    keyring,
    link_directly,
    open_window,
    secret_service,
    servers,
)

REPO = Path(__file__).resolve().parents[2]
WAIT = 15_000
SUGGESTED = ("Acme Vault 3.0 is here: faster sync, end-to-end encryption for shared folders and a brand-new admin "
             "console. Read the release notes and try it today!")
OWN_WORDS = ("I spent two months on the sync engine in Acme Vault 3.0: if you share big folders, uploads now "
             "finish in about half the time.")
FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:chorus="https://chorus.example/ns/ideas/1">
  <channel>
    <title>Acme Releases</title>
    <link>https://releases.acme.example/</link>
    <description>Releases</description>
    <item>
      <title>Acme Vault 3.0 is out</title>
      <link>https://releases.acme.example/vault-3</link>
      <guid>vault-3</guid>
      <pubDate>Thu, 03 Dec 2026 09:00:00 GMT</pubDate>
      <description>Faster sync, encryption for shared folders, a new admin console.</description>
      <chorus:suggested>{SUGGESTED}</chorus:suggested>
    </item>
  </channel>
</rss>
""".encode()


def authenticity(window) -> list[str]:
    return [item.finding.message for item in window.composer.findings if item.finding.rule_id == "own-words"]


def chorus(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run([sys.executable, "-m", "desktop", *argv], cwd=REPO, capture_output=True, text=True,
                          timeout=180, env=env)


def test_from_a_feed_item_to_a_post_in_my_own_words_and_a_verified_audit_trail(open_window, qtbot, servers,
                                                                                feed_server, profile):
    feed_server.routes["/releases"] = Route(FEED, "application/rss+xml")
    window = open_window(values={"policy.source": "default", "tips.show_at_start": False})
    fetcher = HttpFeedFetcher(deadline=5.0)
    window.ideas.service.fetcher = fetcher
    try:
        record = link_directly(qtbot, window, servers[0])
        with qtbot.waitSignal(window.ideas.refreshed, timeout=WAIT):
            window.ideas.add_feed(feed_server.url("/releases"))
        panel = window.ideas.panel
        assert panel.titles() == ["Acme Vault 3.0 is out"] and panel.select(panel.ideas[0].key)
        with qtbot.waitSignal(window.ideas.draft_written, timeout=WAIT):
            panel.write_button.click()
        assert window.composer.text() == f"{PROMPT}\n\nhttps://releases.acme.example/vault-3"
        check, bar = window.composer.policy, window.publish_bar
        qtbot.waitUntil(lambda: [r.text for r in check.references] == [SUGGESTED], timeout=WAIT)
        bar.picker.item_for(record.id).setCheckState(Qt.CheckState.Checked)
        qtbot.waitUntil(lambda: check.state == "ok", timeout=WAIT)
        # the prompt is Chorus's, not the post's: Publish waits until it is replaced
        assert not bar.publish_button.isEnabled() and "Replace" in bar.publish_button.toolTip()
        window.schedule.schedule_current()  # nor can it be scheduled (File → Publish later…)
        assert window.schedule.dialog is None and "Replace" in window.statusBar().currentMessage()

        # the suggested copy pasted word for word: allowed (info), but the hint says why to rewrite it
        window.composer.editor.setPlainText(f"{SUGGESTED} https://releases.acme.example/vault-3")
        qtbot.waitUntil(lambda: check.state == "ok" and bool(authenticity(window)), timeout=WAIT)
        assert authenticity(window) == ["Most of this post is the suggested copy from Acme Releases"]
        assert bar.publish_button.isEnabled()  # a hint never stops publishing

        post = f"{OWN_WORDS} https://releases.acme.example/vault-3"
        window.composer.editor.setPlainText(post)
        qtbot.waitUntil(lambda: check.state == "ok" and not authenticity(window), timeout=WAIT)
        assert bar.publish_button.isEnabled()
        with qtbot.waitSignal(bar.published, timeout=WAIT):
            bar.publish_button.click()
        (status,) = servers[0].statuses_of("alice")
        assert status.text == post

        # the trail has the publish, and the real command reads it back intact while the app is open
        exported = chorus("audit", "export", "--format", "json", "--profile", str(profile))
        assert exported.returncode == 0, exported.stderr
        records = json.loads(exported.stdout)["records"]
        published = [r for r in records if r["kind"] == "publish"]
        assert len(published) == 1
        fields = published[0]["record"]
        assert fields["post_url"].endswith(f"/@alice/{status.id}") and fields["network"] == "mastodon"
        assert fields["text_sha256"] == hashlib.sha256(post.encode()).hexdigest()
        verified = chorus("audit", "verify", "--profile", str(profile))
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        fetcher.close()
