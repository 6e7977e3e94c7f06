"""Images attached to a draft persist with it (copies in the profile), and a database written before
images existed (schema 5, a real file) is upgraded with a backup first."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.drafts.media import DraftMedia
from desktop.core.drafts.migrations import LATEST_VERSION
from desktop.core.media import Attachment, MediaError
from tests.media.images import phone_photo, screenshot_png

V6_DATABASE = Path(__file__).resolve().parents[1] / "data" / "drafts-v6.db"


def test_images_survive_closing_and_the_original_file_going_away(tmp_path):
    profile = tmp_path / "profile"
    original = tmp_path / "Desktop" / "screenshot.png"
    original.parent.mkdir()
    original.write_bytes(screenshot_png(80, 60))
    store = DraftStore.open(profile / "drafts.db")
    try:
        draft = store.create("Two screenshots")
        media = DraftMedia(store)
        kept = media.attach(draft.id, Attachment.from_path(original))
        media.attach(draft.id, Attachment.from_bytes(phone_photo(40, 20), name="photo.jpg", alt="Our office"))
        media.set_alt(draft.id, 0, "The new dashboard: one chart")
    finally:
        store.close()
    original.unlink()  # moved, deleted: the draft keeps its copy

    store = DraftStore.open(profile / "drafts.db")
    try:
        media = DraftMedia(store)
        first, second = media.list(draft.id)
        assert (first.name, first.alt, first.mime, first.width, first.height) == (
            "screenshot.png", "The new dashboard: one chart", "image/png", 80, 60)
        assert (second.name, second.alt, second.width, second.height) == ("photo.jpg", "Our office", 20, 40)
        assert first.path == kept.path and first.path.parent == profile / "media"
        assert first.read() == screenshot_png(80, 60)
        assert stat.S_IMODE(first.path.stat().st_mode) == 0o600
        media.move(draft.id, 1, 0)
        assert [a.name for a in media.list(draft.id)] == ["photo.jpg", "screenshot.png"]
        media.remove(draft.id, 0)
        assert [(a.name, a.alt) for a in media.list(draft.id)] == [("screenshot.png", "The new dashboard: one chart")]
        assert media.sweep() == 1  # the photo's copy: no draft uses it any more
        assert [p.name for p in (profile / "media").iterdir()] == [first.sha256]
    finally:
        store.close()


def test_a_fifth_image_is_refused_with_a_sentence(tmp_path):
    store = DraftStore.open(tmp_path / "drafts.db")
    try:
        draft = store.create("")
        media = DraftMedia(store)
        for size in range(4):
            media.attach(draft.id, Attachment.from_bytes(screenshot_png(20 + size, 20)))
        with pytest.raises(MediaError, match=r"^A post carries at most 4 images\.$") as refused:
            media.attach(draft.id, Attachment.from_bytes(screenshot_png(30, 30)))
        assert refused.value.advice == "Remove one before attaching another."
        assert len(media.list(draft.id)) == 4
    finally:
        store.close()


def test_purging_a_draft_drops_its_images_and_the_sweep_their_files(tmp_path):
    store = DraftStore.open(tmp_path / "drafts.db")
    try:
        draft = store.create("gone soon")
        media = DraftMedia(store)
        media.attach(draft.id, Attachment.from_bytes(screenshot_png(20, 20)))
        with store.transaction() as db:  # the bin's purge: the row goes, its images with it (ON DELETE CASCADE)
            db.execute("DELETE FROM drafts WHERE id = ?", (draft.id,))
        assert media.list(draft.id) == []
        assert media.sweep() == 1 and list((tmp_path / "media").iterdir()) == []
    finally:
        store.close()


def test_a_version_6_database_is_upgraded_with_a_backup_and_takes_images(tmp_path):
    assert LATEST_VERSION >= 7
    path = tmp_path / "drafts.db"
    path.write_bytes(V6_DATABASE.read_bytes())
    store = DraftStore.open(path)
    try:
        assert store.schema_version() == LATEST_VERSION
        [draft] = [d for d in store.list() if d.body == "Our new dashboard, two screenshots to follow #release"]
        assert len(store.list()) == 2
        assert draft.targets == ("bluesky", "mastodon")
        media = DraftMedia(store)
        assert media.list(draft.id) == []
        media.attach(draft.id, Attachment.from_bytes(screenshot_png(20, 20), alt="A chart"))
        assert [a.alt for a in media.list(draft.id)] == ["A chart"]
        with store.reading() as db:  # version 6's training record came through
            assert db.execute("SELECT kind, policy_id FROM training_records").fetchall() == [
                ("acknowledgement", "acme-example")]
    finally:
        store.close()
    backup = sqlite3.connect(tmp_path / "drafts.db.bak-v6")
    try:
        assert backup.execute("PRAGMA user_version").fetchone()[0] == 6
        assert backup.execute("SELECT name FROM sqlite_master WHERE name = 'draft_media'").fetchall() == []
    finally:
        backup.close()


def test_a_duplicated_draft_keeps_its_own_copy_of_the_images_and_their_alt_text(tmp_path):
    store = DraftStore.open(tmp_path / "profile" / "drafts.db")
    try:
        media = DraftMedia(store)
        original = store.create("Release day", ("mastodon",))
        media.attach(original.id, Attachment.from_bytes(screenshot_png(30, 20), name="chart.png", alt="Sign-ups doubled"))
        media.attach(original.id, Attachment.from_bytes(phone_photo(40, 20), name="team.jpg", alt="The team"))
        copy = store.duplicate(original.id, "Release day, my angle", ("bluesky",))
        assert (copy.body, copy.targets) == ("Release day, my angle", ("bluesky",))
        assert [(a.name, a.alt, a.sha256) for a in media.list(copy.id)] == [
            (a.name, a.alt, a.sha256) for a in media.list(original.id)]
        # The two drafts' images are independent: editing one leaves the other as it was.
        media.set_alt(copy.id, 0, "Sign-ups doubled in November")
        media.remove(copy.id, 1)
        assert [(a.name, a.alt) for a in media.list(original.id)] == [
            ("chart.png", "Sign-ups doubled"), ("team.jpg", "The team")]
        assert [(a.name, a.alt) for a in media.list(copy.id)] == [("chart.png", "Sign-ups doubled in November")]
        # The original purged from the bin: the copy's image file stays, the one only it used goes.
        store.delete(original.id)
        assert store.purge_deleted(older_than_s=0) == 1
        assert media.sweep() == 1
        (kept,) = media.list(copy.id)
        assert kept.read() == screenshot_png(30, 20)
    finally:
        store.close()
