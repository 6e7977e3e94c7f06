"""Local notes and changelogs as ideas; read/dismissed marks and the draft → idea record across a reopen."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from desktop.core.drafts import DraftStore
from desktop.core.drafts.migrations import LATEST_VERSION
from desktop.core.ideas import IdeasService, IdeaStore, draft_text, scan_folders, written_from
from desktop.core.ideas import notes as notes_module
from tests.ideas.feeds_server import FeedServer, Route
from tests.ideas.samples import RSS

CHANGELOG = """# Changelog

## 1.4.0 — 2026-11-30
- Offline drafts.
- Faster start.

## 1.3.0 — 2026-10-02
- Scheduled posts.

## Unreleased ideas
- Dark mode polish.
"""


def _notes_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    (folder / "release").mkdir(parents=True)
    changelog = folder / "release" / "CHANGELOG.md"
    changelog.write_text(CHANGELOG, encoding="utf-8")
    os.utime(changelog, (dt.datetime(2026, 10, 1, tzinfo=dt.UTC).timestamp(),) * 2)
    note = folder / "customer-visit.md"
    note.write_text("\n# Visit at the Lyon plant\n\nThey use the offline drafts on the shop floor.\n", encoding="utf-8")
    os.utime(note, (dt.datetime(2026, 12, 1, tzinfo=dt.UTC).timestamp(),) * 2)
    plain = folder / "idea.txt"
    plain.write_text("Talk about our on-call rota\nmore later\n", encoding="utf-8")
    os.utime(plain, (dt.datetime(2026, 11, 15, tzinfo=dt.UTC).timestamp(),) * 2)
    (folder / "picture.png").write_bytes(b"\x89PNG not a note")
    return folder


def test_notes_and_changelog_entries_become_ideas_newest_first(tmp_path: Path):
    folder = _notes_folder(tmp_path)
    ideas, problems = scan_folders([str(folder)])
    assert problems == []
    titles = [idea.title for idea in ideas]
    assert titles == ["Visit at the Lyon plant", "CHANGELOG.md: 1.4.0 — 2026-11-30", "Talk about our on-call rota",
                      "CHANGELOG.md: 1.3.0 — 2026-10-02",
                      "CHANGELOG.md: Unreleased ideas"]  # no date in its heading: the file's time (1 Oct)
    by_title = {idea.title: idea for idea in ideas}
    entry = by_title["CHANGELOG.md: 1.4.0 — 2026-11-30"]
    assert entry.kind == "notes" and entry.source == str(folder) and entry.source_title == "notes"
    assert entry.summary == "- Offline drafts.\n- Faster start."
    assert entry.published == dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC).timestamp()
    assert entry.item_id == "release/CHANGELOG.md#1.4.0 — 2026-11-30"
    note = by_title["Visit at the Lyon plant"]
    assert note.summary == "They use the offline drafts on the shop floor." and note.link.startswith("file://")
    assert draft_text(note) == "What I worked on / what a customer will notice: "  # no file address in a post


def test_folders_are_bounded_and_never_followed_outside(tmp_path: Path, monkeypatch):
    folder = tmp_path / "notes"
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.md").write_text("# Private outside note\n", encoding="utf-8")
    (folder / "link-to-outside").symlink_to(outside, target_is_directory=True)
    (folder / "linked.md").symlink_to(outside / "private.md")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD.md").write_text("# hidden\n", encoding="utf-8")
    (folder / "huge.md").write_text("# Huge\n" + "x" * (notes_module.MAX_NOTE_BYTES + 1), encoding="utf-8")
    for number in range(12):
        (folder / f"note-{number:02}.md").write_text(f"# Note {number}\n", encoding="utf-8")
    monkeypatch.setattr(notes_module, "MAX_FILES", 10)
    ideas, problems = scan_folders([str(folder), str(tmp_path / "missing")])
    titles = {idea.title for idea in ideas}
    assert "Private outside note" not in titles and "hidden" not in titles and "Huge" not in titles
    assert len(ideas) == 9  # the first 10 files, one of them the skipped huge.md
    assert len(problems) == 1 and "does not exist" in problems[0].message and "missing" in problems[0].message


def test_read_and_dismissed_are_remembered_across_a_reopen(tmp_path: Path):
    server = FeedServer()
    try:
        server.routes["/rss"] = Route(RSS)
        url = server.url("/rss")
        folder = _notes_folder(tmp_path)
        store = DraftStore.open(tmp_path / "drafts.db")
        assert store.schema_version() == LATEST_VERSION
        ideas = IdeasService(IdeaStore(store), None)
        assert not ideas.refresh(url).ok  # no downloader in this window: said, not crashed
        from desktop.adapters.feeds import HttpFeedFetcher

        fetcher = HttpFeedFetcher()
        ideas = IdeasService(IdeaStore(store), fetcher)
        assert ideas.refresh(url).ok
        view = ideas.collect([url], [str(folder)])
        by_title = {idea.title: idea for idea in view.ideas}
        hiring, visit = by_title["We are hiring in Lyon"], by_title["Visit at the Lyon plant"]
        ideas.store.mark_read([hiring.key, visit.key])
        ideas.store.dismiss(by_title["Chorus 1.4 ships offline drafts"].key)
        ideas.store.dismiss(by_title["CHANGELOG.md: 1.3.0 — 2026-10-02"].key)
        draft = store.create("x")
        ideas.store.record_draft(draft.id, by_title["Chorus 1.4 ships offline drafts"])
        ideas.store.record_draft(draft.id, visit)
        fetcher.close()
        store.close()
    finally:
        server.stop()
    store = DraftStore.open(tmp_path / "drafts.db")  # reopened, and the feed server is gone: the cache answers
    try:
        view = IdeasService(IdeaStore(store), None).collect([url], [str(folder)])
        by_title = {idea.title: idea for idea in view.ideas}
        assert "Chorus 1.4 ships offline drafts" not in by_title and "CHANGELOG.md: 1.3.0 — 2026-10-02" not in by_title
        assert by_title["We are hiring in Lyon"].read and by_title["Visit at the Lyon plant"].read
        assert not by_title["CHANGELOG.md: 1.4.0 — 2026-11-30"].read
        texts = written_from(store, draft.id)
        assert [(t.source, t.text) for t in texts] == [
            ("Acme Engineering Blog", "Excited to announce Chorus 1.4! #innovation"),
            ("notes", "They use the offline drafts on the shop floor.")]
        assert written_from(store, store.create("other").id) == []
        store.delete(draft.id)
        store.purge_deleted(-1)
        assert written_from(store, draft.id) == []  # the record goes with the draft
    finally:
        store.close()
