"""The Preview panel in the real main window: cards per network, updating as you type, the refused
part marked at the right Qt position, LinkedIn's "…see more", images and the dark palette."""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCursor

from desktop.core import networks
from desktop.core.preview import PreviewImage
from desktop.ui.common.spans import Utf16Offsets
from desktop.ui.common.theme import apply_theme
from desktop.ui.preview.card import SEE_MORE

VALUES = {"composer.networks": ["bluesky", "mastodon", "linkedin"], "tips.show_at_start": False}


def show_preview(qtbot, window):
    window.preview_dock.raise_()
    qtbot.waitUntil(lambda: window.preview.panel.isVisible(), timeout=5000)
    return window.preview.panel


def type_text(qtbot, window, text):
    editor = window.composer.editor
    editor.setFocus()
    qtbot.keyClicks(editor, text)


def test_cards_follow_the_text_as_you_type(qtbot, make_window):
    window = make_window(values=VALUES)
    panel = show_preview(qtbot, window)
    assert list(panel.cards) == ["bluesky", "mastodon", "linkedin"]
    type_text(qtbot, window, "Ship it @alice.bsky.social #Chorus https://example.com/release-notes-for-2026")
    qtbot.waitUntil(lambda: "#Chorus" in panel.cards["mastodon"].body_html(), timeout=5000)
    qtbot.waitUntil(lambda: panel.previews["bluesky"].text == window.composer.text(), timeout=5000)
    for network, card in panel.cards.items():
        html = card.body_html()
        brand = QColor(networks.get(network).brand.light).name()
        assert f"color:{brand}" in html  # tags (and links) in the network's own colour, light palette
        assert "#Chorus" in html
    assert "example.com/release-note..." in panel.cards["bluesky"].body_html()
    assert "example.com/release-notes-for-…" in panel.cards["mastodon"].body_html()
    assert "https://example.com/release-notes-for-2026" in panel.cards["linkedin"].body_html()
    assert panel.cards["mastodon"].link_card.isVisibleTo(panel) and not panel.cards["bluesky"].link_card.isVisibleTo(panel)
    assert "77 / 300" in panel.cards["bluesky"].count.text()
    # more typing: the cards catch up after the pause
    type_text(qtbot, window, " done")
    qtbot.waitUntil(lambda: panel.previews["linkedin"].text.endswith(" done"), timeout=5000)


def test_over_limit_part_is_marked_where_the_editor_has_it(qtbot, make_window):
    window = make_window(values=VALUES)
    panel = show_preview(qtbot, window)
    text = "😀" * 299 + "👨‍👩‍👧‍👦 and the rest is too much"
    window.composer.editor.setPlainText(text)
    qtbot.waitUntil(lambda: panel.previews.get("bluesky") is not None
                    and panel.previews["bluesky"].text == text, timeout=5000)
    cut = panel.previews["bluesky"].cut
    assert cut is not None and cut.index == 299 + 7
    # the Qt side: the editor's own position for the cut, through spans.Utf16Offsets
    position = Utf16Offsets(window.composer.text()).position(cut.index)
    assert position == cut.utf16 == 299 * 2 + 11
    cursor = QTextCursor(window.composer.editor.document())
    cursor.setPosition(position)
    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText() == " and the rest is too much" == text[cut.index:]
    card = panel.cards["bluesky"]
    assert "line-through" in card.body_html() and "and the rest is too much" in card.body_html()
    assert "Bluesky refuses this post" in card.count.text()
    assert panel.previews["mastodon"].cut is None  # 324 graphemes fit Mastodon's 500


def test_linkedin_see_more_and_images(qtbot, make_window):
    window = make_window(values=VALUES)
    panel = show_preview(qtbot, window)
    window.composer.editor.setPlainText("First line\nsecond line\nthird line\nfourth line #hidden")
    qtbot.waitUntil(lambda: panel.previews.get("linkedin") is not None
                    and panel.previews["linkedin"].fold is not None, timeout=5000)
    card = panel.cards["linkedin"]
    assert "see more" in card.body_html() and "fourth" not in card.body_html()
    card.body.linkActivated.emit(SEE_MORE)
    assert "fourth line" in card.body_html() and "see more" not in card.body_html()
    panel_images = [PreviewImage("Chart of weekly posts", "chart.png", "", 1200, 800), PreviewImage("", "photo.jpg")]
    window.preview.set_images(panel_images)
    qtbot.waitUntil(lambda: panel.previews["linkedin"].images == tuple(panel_images), timeout=5000)
    assert "ALT" in card.images.text() and "no alt text" in card.images.text()
    assert not card.link_card.isVisibleTo(panel)


def test_dark_palette(qtbot, qapp, make_window):
    window = make_window(values={**VALUES, "appearance.theme": "dark"})
    panel = show_preview(qtbot, window)
    type_text(qtbot, window, "Dark #mode")
    qtbot.waitUntil(lambda: "#mode" in panel.cards["bluesky"].body_html(), timeout=5000)
    for network, card in panel.cards.items():
        assert f"color:{QColor(networks.get(network).brand.dark).name()}" in card.body_html()
        assert f"color:{QColor(networks.get(network).brand.light).name()}" not in card.body_html()
    # switching back to light re-colours the cards at once
    apply_theme(qapp, "light")
    qtbot.waitUntil(lambda: f"color:{QColor(networks.get('bluesky').brand.light).name()}"
                    in panel.cards["bluesky"].body_html(), timeout=5000)


def test_a_pasted_megabyte_is_not_previewed_and_the_window_stays_responsive(qtbot, make_window):
    """Laying out cards for a megabyte froze the window for 40 s; past the cap the panel says why it
    shows nothing, and a post back under the cap gets its cards again."""
    from desktop.ui.preview.panel import MAX_PREVIEW_CHARACTERS

    window = make_window(values=VALUES)
    panel = show_preview(qtbot, window)
    big = ("Paragraph with émoji 👩🏽‍💻 and a link https://example.com/page " * 20_000)[:1_000_000]
    window.composer.editor.setPlainText(big)
    with qtbot.waitSignal(panel.updated, timeout=10_000):
        pass
    assert "1,000,000 characters long" in panel.empty.text() and panel.empty.isVisibleTo(panel)
    assert panel.previews == {} and not any(card.isVisibleTo(panel) for card in panel.cards.values())
    window.composer.editor.setPlainText("Short again " * 10)
    qtbot.waitUntil(lambda: panel.previews.get("bluesky") is not None, timeout=5000)
    assert all(card.isVisibleTo(panel) for card in panel.cards.values())
    assert not panel.empty.isVisibleTo(panel)
    assert len(window.composer.text()) < MAX_PREVIEW_CHARACTERS


def test_a_narrow_window_never_cuts_the_cards_right_edge_off(qtbot, make_window):
    window = make_window(values=VALUES)
    window.resize(820, 560)
    panel = show_preview(qtbot, window)
    window.composer.editor.setPlainText("Release day 🎉 Chorus 2.0 is out, thanks @alice.bsky.social #Chorus "
                                        "https://example.com/blog/2026/chorus-2-release-notes")
    qtbot.waitUntil(lambda: panel.previews.get("bluesky") is not None
                    and panel.previews["bluesky"].text == window.composer.text(), timeout=5000)
    window.resizeDocks([window.preview_dock], [60], _horizontal())  # dragged as narrow as it goes
    qtbot.wait(50)
    viewport = panel.scroll_area.viewport()
    for network, card in panel.cards.items():
        right = card.mapTo(viewport, card.rect().topRight()).x()
        assert right < viewport.width(), f"{network} card's right edge is cut off ({right} >= {viewport.width()})"
        assert card.network_label.isVisibleTo(panel) and card.network_label.width() >= \
            card.network_label.sizeHint().width()


def _horizontal():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal
