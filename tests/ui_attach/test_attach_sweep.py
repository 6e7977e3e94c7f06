"""Start-up clean-up of image copies (desktop.bootstrap.sweep_draft_media): a copy no draft uses any
more is removed off the GUI thread; the copies drafts use stay. Real drafts database, real files."""

from __future__ import annotations

from desktop.bootstrap import sweep_draft_media
from desktop.core.drafts import DraftStore
from desktop.core.drafts.media import DraftMedia
from desktop.core.media import Attachment
from tests.ui_attach.images import screenshot


def test_the_start_up_sweep_removes_only_unused_copies(tmp_path):
    store = DraftStore.open(tmp_path / "profile" / "drafts.db")
    try:
        media = DraftMedia(store)
        kept_draft, other = store.create("kept"), store.create("other")
        kept = media.attach(kept_draft.id, Attachment.from_path(screenshot(tmp_path, "kept.png")))
        gone = media.attach(other.id, Attachment.from_path(screenshot(tmp_path, "gone.png", (200, 0, 0))))
        media.remove(other.id, 0)  # its file stays until the sweep (an undo could still use it)
        assert kept.path.exists() and gone.path.exists()
        sweeper = sweep_draft_media(store)
        assert sweeper.name == "chorus-media-sweep" and sweeper.daemon
        sweeper.join(10)
        assert not sweeper.is_alive()
        assert kept.path.exists() and not gone.path.exists()
        assert [a.sha256 for a in media.list(kept_draft.id)] == [kept.sha256]
    finally:
        store.close()
