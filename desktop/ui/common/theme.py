"""Colours come from the palette, never hard-coded in widgets.

``apply_theme`` picks light, dark or the system's scheme (Fusion style, so every platform renders
the same); ``status_color`` derives the few semantic colours (over limit, block/warn/info) with
enough contrast against the current ``Base`` colour, in light and dark palettes alike.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from desktop.core import networks


def _dark_palette() -> QPalette:
    p = QPalette()
    window, base, text = QColor(0x2B, 0x2D, 0x31), QColor(0x1E, 0x1F, 0x22), QColor(0xE6, 0xE6, 0xE6)
    highlight = QColor(0x3D, 0x7E, 0xD9)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, window)
        p.setColor(group, QPalette.ColorRole.WindowText, text)
        p.setColor(group, QPalette.ColorRole.Base, base)
        p.setColor(group, QPalette.ColorRole.AlternateBase, window)
        p.setColor(group, QPalette.ColorRole.Text, text)
        p.setColor(group, QPalette.ColorRole.Button, window)
        p.setColor(group, QPalette.ColorRole.ButtonText, text)
        p.setColor(group, QPalette.ColorRole.ToolTipBase, base)
        p.setColor(group, QPalette.ColorRole.ToolTipText, text)
        p.setColor(group, QPalette.ColorRole.PlaceholderText, QColor(0x9A, 0x9C, 0xA1))
        p.setColor(group, QPalette.ColorRole.Highlight, highlight)
        p.setColor(group, QPalette.ColorRole.HighlightedText, QColor(Qt.GlobalColor.white))
        p.setColor(group, QPalette.ColorRole.Link, QColor(0x7F, 0xB2, 0xFF))
        p.setColor(group, QPalette.ColorRole.Mid, QColor(0x4A, 0x4C, 0x52))
        p.setColor(group, QPalette.ColorRole.Light, QColor(0x45, 0x47, 0x4D))
        p.setColor(group, QPalette.ColorRole.Dark, QColor(0x18, 0x19, 0x1B))
    disabled = QColor(0x7D, 0x7F, 0x84)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, window)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button, window)
    return p


def system_prefers_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, scheme: str) -> None:
    """*scheme* is the ``appearance.theme`` setting: 'system', 'light' or 'dark'."""
    app.setStyle("Fusion")
    dark = scheme == "dark" or (scheme == "system" and system_prefers_dark())
    palette = _dark_palette() if dark else app.style().standardPalette()
    readable_links(palette)
    app.setPalette(palette)


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21; text needs 4.5)."""
    def luminance(colour: QColor) -> float:
        channels = [c / 255 for c in (colour.red(), colour.green(), colour.blue())]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def link_color(palette: QPalette) -> QColor:
    """The palette's link colour when it reads well on both Window and Base, else the theme's own
    (Qt's default link blue is dark blue, unreadable on a dark background)."""
    link = palette.color(QPalette.ColorRole.Link)
    backgrounds = (palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.Base))
    if all(contrast(link, background) >= 4.5 for background in backgrounds):
        return link
    return status_color(palette, "info")


def readable_links(palette: QPalette) -> None:
    """Make *palette*'s Link and LinkVisited colours readable on its backgrounds (see :func:`link_color`)."""
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setCurrentColorGroup(group)
        colour = link_color(palette)
        palette.setColor(group, QPalette.ColorRole.Link, colour)
        palette.setColor(group, QPalette.ColorRole.LinkVisited, colour)
    palette.setCurrentColorGroup(QPalette.ColorGroup.Active)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5


_STATUS = {
    # name: (colour on a light base, colour on a dark base); both meet WCAG AA for text on Base.
    "over": ("#B3261E", "#FF8A80"),
    "block": ("#B3261E", "#FF8A80"),
    "warn": ("#8A5300", "#FFC46B"),
    "info": ("#1A5FB4", "#8AB4F8"),
    "ok": ("#1E6B34", "#81C995"),
}


def set_text_colour(label: QWidget, colour: QColor) -> None:
    """Draw *label*'s text in *colour* (its own palette, so the rest of the window keeps its own)."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    label.setPalette(palette)


def status_color(palette: QPalette, status: str) -> QColor:
    light, dark = _STATUS[status]
    return QColor(dark if is_dark(palette) else light)


def network_color(palette: QPalette, network: str) -> QColor:
    """A network's identity colour for badges, readable in the current palette (light or dark)."""
    entry = networks.find(network)
    if entry is None:
        return palette.color(QPalette.ColorRole.PlaceholderText)
    return QColor(entry.brand.dark if is_dark(palette) else entry.brand.light)
