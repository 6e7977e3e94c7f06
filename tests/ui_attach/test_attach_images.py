"""Attaching images in the real window: drop, paste and "Add image…"; alt text gating the policy
finding live; reorder and remove by keyboard; kept with the draft across a restart; the 5th image and
unusable files refused with their names.

Real parts only: the real MainWindow over an isolated profile (its drafts database and the media
folder beside it), real image files written by Pillow, the real clipboard, real drop events on the
editor, the real QFileDialog (driven through the strip's ``file_dialog_opened`` hook), and the
built-in acme-example policy with its alt_text rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QLineEdit

from desktop.core.drafts.media import DraftMedia
from desktop.core.media import MAX_ATTACHMENTS
from tests.media.images import GPS_IFD, opened
from tests.ui_attach.images import bomb, photo, screenshot

ACME = {"policy.source": "acme-example", "composer.networks": ["mastodon", "bluesky"]}
WAIT = 15_000
NO_ALT = "The image has no alt text"


def drop(qtbot, window, *paths: Path) -> None:
    """Drag *paths* from a file manager onto the editor and let go; waits until they are handled."""
    editor = window.composer.editor
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    centre = editor.viewport().rect().center()
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(editor.viewport(), enter)
    assert enter.isAccepted()  # the editor takes the drop (the cursor shows it)
    event = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.composer.attachments.attached, timeout=WAIT):
        QApplication.sendEvent(editor.viewport(), event)


def stored(window) -> list:
    return DraftMedia(window.store).list(window.composer.draft.id)


def no_alt_findings(window) -> list[str]:
    return [f.finding.message for f in window.composer.findings if f.finding.category == "accessibility"]


@pytest.fixture
def files(tmp_path) -> Path:
    folder = tmp_path / "pictures"
    folder.mkdir()
    return folder


def test_a_dropped_photo_is_attached_with_a_thumbnail_and_says_what_was_removed(make_window, qtbot, files):
    window = make_window(values=ACME)
    window.composer.editor.setPlainText("Our new dashboard")
    strip = window.composer.attachments
    assert strip.tiles == [] and not strip.tiles_area.isVisible() and strip.add_button.isVisible()
    source = photo(files)
    drop(qtbot, window, source)
    assert window.composer.text() == "Our new dashboard"  # the drop did not become text
    [tile] = strip.tiles
    assert tile.thumb.pixmap() is not None and not tile.thumb.pixmap().isNull()
    assert max(tile.thumb.pixmap().width(), tile.thumb.pixmap().height()) == 56
    assert tile.thumb.pixmap().height() > tile.thumb.pixmap().width()  # the phone's orientation applied
    assert strip.message.isVisible()
    assert strip.message.text().startswith("holiday.jpg attached. Location, camera details, date taken and other "
                                           "metadata removed.")
    # kept with the draft: a copy in the profile, the original may go away
    [kept] = stored(window)
    assert kept.name == "holiday.jpg" and kept.path.read_bytes() == source.read_bytes()
    assert kept.path.parent == Path(window.store.path).parent / "media"
    source.unlink()
    assert window.composer.images()[0].read() == kept.path.read_bytes()


def test_a_pasted_screenshot_is_attached_not_inserted(make_window, qtbot):
    window = make_window(values=ACME)
    image = QImage(200, 100, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    QGuiApplication.clipboard().setImage(image)
    editor = window.composer.editor
    editor.setFocus()
    with qtbot.waitSignal(window.composer.attachments.attached, timeout=WAIT):
        qtbot.keyClick(editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.composer.text() == ""
    [tile] = window.composer.attachments.tiles
    assert tile.attachment.name == "Pasted image.png"
    assert (tile.attachment.width, tile.attachment.height, tile.attachment.mime) == (200, 100, "image/png")
    assert [a.name for a in stored(window)] == ["Pasted image.png"]
    # pasting text still pastes text
    QGuiApplication.clipboard().setText("plain words")
    qtbot.keyClick(editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.composer.text() == "plain words" and len(window.composer.attachments.tiles) == 1


def test_add_image_opens_a_file_dialog_and_attaches_what_is_chosen(make_window, qtbot, files):
    window = make_window(values=ACME)
    first, second = screenshot(files, "before.png"), screenshot(files, "after.png", (200, 40, 40))
    strip = window.composer.attachments
    with qtbot.waitSignal(strip.file_dialog_opened, timeout=WAIT) as opened_dialog:
        qtbot.mouseClick(strip.add_button, Qt.MouseButton.LeftButton)
    dialog = opened_dialog.args[0]
    assert dialog.isVisible() and dialog.windowTitle() == "Add images to the post"
    assert dialog.fileMode() == dialog.FileMode.ExistingFiles
    dialog.setDirectory(str(files))
    name_field = dialog.findChild(QLineEdit, "fileNameEdit")
    name_field.setText(f'"{first.name}" "{second.name}"')  # as typed or picked with Ctrl+click
    with qtbot.waitSignal(strip.attached, timeout=WAIT) as attached:
        dialog.accept()
    assert attached.args == [2]
    assert [t.attachment.name for t in strip.tiles] == ["before.png", "after.png"]
    assert [a.name for a in stored(window)] == ["before.png", "after.png"]
    assert strip.last_folder == str(files)  # the next dialog opens there
    assert strip.count_label.text() == "2 of 4 images · 2 without alt text"


def test_alt_text_makes_the_finding_go_and_come_back_live(make_window, qtbot, files):
    window = make_window(values=ACME, load_policy=True)
    window.composer.editor.setPlainText("Our new dashboard")
    qtbot.waitUntil(lambda: window.composer.policy.state == "ok", timeout=WAIT)
    assert no_alt_findings(window) == []
    drop(qtbot, window, screenshot(files, "dashboard.png"))
    qtbot.waitUntil(lambda: no_alt_findings(window) == [NO_ALT], timeout=WAIT)
    [finding] = [f for f in window.composer.findings if f.finding.category == "accessibility"]
    assert finding.severity == "warn" and "Describe what the image shows" in finding.finding.tip
    assert "not acknowledged" in (window.composer.publish_refusal() or "")
    tile = window.composer.attachments.tiles[0]
    assert tile.badge.text() == "⚠ No alt text"
    tile.alt.setFocus()
    qtbot.keyClicks(tile.alt, "Bar chart: sign-ups doubled from March to June")
    assert tile.badge.text() == "ALT"  # at once, while typing
    qtbot.keyClick(tile.alt, Qt.Key.Key_Return)  # Enter confirms
    qtbot.waitUntil(lambda: no_alt_findings(window) == [] and window.composer.policy.state == "ok", timeout=WAIT)
    assert window.composer.publish_refusal() is None
    qtbot.waitUntil(lambda: stored(window)[0].alt == "Bar chart: sign-ups doubled from March to June", timeout=WAIT)
    # emptied again: the finding comes back without Enter (after a short pause in typing)
    tile.alt.selectAll()
    qtbot.keyClick(tile.alt, Qt.Key.Key_Delete)
    assert tile.badge.text() == "⚠ No alt text"
    qtbot.waitUntil(lambda: no_alt_findings(window) == [NO_ALT], timeout=WAIT)
    qtbot.waitUntil(lambda: stored(window)[0].alt == "", timeout=WAIT)


def test_reorder_and_remove_with_the_keyboard_and_everything_is_kept_across_a_restart(make_window, qtbot, files,
                                                                                       profile):
    window = make_window(values=ACME)
    draft_id = window.composer.draft.id
    drop(qtbot, window, *(screenshot(files, f"step-{n}.png", (40 * n, 80, 120)) for n in (1, 2, 3)))
    strip = window.composer.attachments
    assert [t.attachment.name for t in strip.tiles] == ["step-1.png", "step-2.png", "step-3.png"]
    strip.set_alt(0, "Step one: the empty form")
    strip.tiles[1].alt.setFocus()
    qtbot.keyClicks(strip.tiles[1].alt, "Step two: the filled form")
    # Alt+Left from the alt field moves image 2 to the front; the field keeps the keyboard
    qtbot.keyClick(strip.tiles[1].alt, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert [t.attachment.name for t in strip.tiles] == ["step-2.png", "step-1.png", "step-3.png"]
    assert QApplication.focusWidget() is strip.tiles[0].alt
    assert not strip.tiles[0].left.isEnabled() and strip.tiles[0].accessibleName() == \
        "Attached image 1 of 3: step-2.png"
    # the remove button of image 3, reached and pressed with the keyboard
    strip.tiles[2].remove.setFocus()
    qtbot.keyClick(strip.tiles[2].remove, Qt.Key.Key_Space)
    assert [t.attachment.name for t in strip.tiles] == ["step-2.png", "step-1.png"]
    assert strip.message.text() == "step-3.png removed from the post."
    assert QApplication.focusWidget() is strip.tiles[1].alt  # the keyboard stays in the strip
    qtbot.waitUntil(lambda: [(a.name, a.alt) for a in stored(window)] == [
        ("step-2.png", "Step two: the filled form"), ("step-1.png", "Step one: the empty form")], timeout=WAIT)

    window.close()  # quit, start again on the same profile
    again = make_window(values=ACME)
    assert again.composer.draft.id == draft_id
    qtbot.waitUntil(lambda: len(again.composer.attachments.tiles) == 2, timeout=WAIT)
    tiles = again.composer.attachments.tiles
    assert [(t.attachment.name, t.alt_text) for t in tiles] == [
        ("step-2.png", "Step two: the filled form"), ("step-1.png", "Step one: the empty form")]
    assert all(t.badge.text() == "ALT" and not t.thumb.pixmap().isNull() for t in tiles)


def test_a_fifth_image_is_refused_by_name_and_nothing_is_lost(make_window, qtbot, files):
    window = make_window(values=ACME)
    window.composer.editor.setPlainText("Four steps")
    drop(qtbot, window, *(screenshot(files, f"step-{n}.png") for n in range(1, 5)))
    strip = window.composer.attachments
    assert len(strip.tiles) == MAX_ATTACHMENTS and not strip.add_button.isEnabled()
    assert "at most 4 images: remove one" in strip.add_button.toolTip()
    drop(qtbot, window, screenshot(files, "step-5.png"))
    assert strip.message.text() == ("A post carries at most 4 images: step-5.png was not attached. Remove an image "
                                    "to make room.")
    assert len(strip.tiles) == 4 and len(stored(window)) == 4 and window.composer.text() == "Four steps"
    # more than there is room for in one drop: the first ones fill the room, the others are named
    strip.remove(3)
    strip.remove(2)
    drop(qtbot, window, *(screenshot(files, f"extra-{n}.png", (n * 50, 0, 0)) for n in (1, 2, 3)))
    assert [t.attachment.name for t in strip.tiles][2:] == ["extra-1.png", "extra-2.png"]
    assert strip.message.text().startswith("A post carries at most 4 images: extra-3.png was not attached.")
    qtbot.waitUntil(lambda: [a.name for a in stored(window)][2:] == ["extra-1.png", "extra-2.png"], timeout=WAIT)


def test_files_that_are_not_usable_images_are_named_and_the_good_one_is_attached(make_window, qtbot, files):
    window = make_window(values=ACME)
    notes = files / "notes.txt"
    notes.write_text("not a picture", encoding="utf-8")
    missing = files / "gone.png"
    huge = bomb(files)
    good = photo(files, "team.jpg")
    drop(qtbot, window, notes, missing, huge, good)
    strip = window.composer.attachments
    assert [t.attachment.name for t in strip.tiles] == ["team.jpg"]
    text = strip.message.text()
    assert "notes.txt is not an image Chorus can read (text/plain). Attach a JPEG, PNG, GIF or WebP image." in text
    assert "Chorus could not read gone.png: No such file or directory." in text
    assert "bomb.png is too large to open safely (over 200,000,000 pixels). Export a smaller copy" in text
    assert "team.jpg attached. Location" in text
    assert [a.name for a in stored(window)] == ["team.jpg"]
    # the copy keeps the original bytes; what is uploaded is prepared without the GPS position
    from desktop.core import media
    from desktop.core.networks import get as network

    prepared = media.prepare(stored(window)[0], network("bluesky").capabilities.media)
    assert not opened(prepared.data).getexif().get_ifd(GPS_IFD)


def test_another_draft_shows_its_own_images(make_window, qtbot, files):
    window = make_window(values=ACME)
    first = window.composer.draft.id
    drop(qtbot, window, screenshot(files, "mine.png"))
    window.new_draft()
    qtbot.waitUntil(lambda: window.composer.draft is not None and window.composer.draft.id != first, timeout=WAIT)
    qtbot.waitUntil(lambda: not window.composer.attachments.busy, timeout=WAIT)
    assert window.composer.attachments.tiles == [] and window.composer.images() == []
    window.drafts_controller.open_by_id(first)
    qtbot.waitUntil(lambda: window.composer.draft.id == first and not window.composer.attachments.busy,
                    timeout=WAIT)
    assert [image.name for image in window.composer.images()] == ["mine.png"]


def test_the_preview_shows_the_attached_images_and_their_alt_text(make_window, qtbot, files):
    window = make_window(values=ACME)
    window.preview_dock.raise_()
    panel = window.preview.panel
    qtbot.waitUntil(panel.isVisible, timeout=WAIT)
    window.composer.editor.setPlainText("Our new dashboard")
    drop(qtbot, window, screenshot(files, "dashboard.png"))
    qtbot.waitUntil(lambda: any(p.images for p in panel.previews.values()), timeout=WAIT)
    assert all([i.has_alt for i in p.images] == [False] for p in panel.previews.values())
    tile = window.composer.attachments.tiles[0]
    tile.alt.setFocus()
    qtbot.keyClicks(tile.alt, "Bar chart of sign-ups")
    qtbot.keyClick(tile.alt, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: all([i.alt for i in p.images] == ["Bar chart of sign-ups"]
                                for p in panel.previews.values()), timeout=WAIT)


def test_duplicate_draft_copies_the_images_with_their_alt_text(make_window, qtbot, files):
    window = make_window(values=ACME)
    first = window.composer.draft.id
    window.composer.editor.setPlainText("Our new dashboard")
    drop(qtbot, window, screenshot(files, "dashboard.png"))
    window.composer.attachments.set_alt(0, "The dashboard: one chart per team")
    qtbot.waitUntil(lambda: [a.alt for a in stored(window)] == ["The dashboard: one chart per team"], timeout=WAIT)
    window.act_duplicate.trigger()
    qtbot.waitUntil(lambda: window.composer.draft.id != first and not window.composer.attachments.busy,
                    timeout=WAIT)
    assert window.composer.text() == "Our new dashboard"
    assert [(image.name, image.alt) for image in window.composer.images()] == [
        ("dashboard.png", "The dashboard: one chart per team")]
    assert [(a.name, a.alt) for a in stored(window)] == [("dashboard.png", "The dashboard: one chart per team")]
