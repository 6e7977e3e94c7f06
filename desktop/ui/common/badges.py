"""Network badges and avatars, painted from the palette (no image files, crisp at any scale).

- :func:`network_badge`: a rounded square in the network's colour with its mark (the registry's
  ``Brand``: a drawing such as a butterfly, or letters such as "m" or "in") in the Base colour;
- :func:`avatar_pixmap`: a round avatar (the downloaded image, or the account's initial on the
  network's colour) with the network badge in its lower right corner.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from desktop.core import networks
from desktop.ui.common.theme import network_color


def _device_ratio() -> float:
    app = QApplication.instance()
    return app.devicePixelRatio() if isinstance(app, QApplication) else 1.0


def _paint_badge(painter: QPainter, rect: QRectF, network: str, palette: QPalette) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(network_color(palette, network))
    radius = rect.width() * 0.24
    painter.drawRoundedRect(rect, radius, radius)
    mark = palette.color(QPalette.ColorRole.Base)
    entry = networks.find(network)
    drawing = entry.brand.drawing if entry is not None else ""
    if drawing == "butterfly":  # two upper and two lower wings
        painter.setBrush(mark)
        w, h = rect.width(), rect.height()
        cx, cy = rect.center().x(), rect.top() + h * 0.52
        path = QPainterPath()
        for side in (-1, 1):
            path.addEllipse(QPointF(cx + side * w * 0.17, cy - h * 0.1), w * 0.19, h * 0.2)
            path.addEllipse(QPointF(cx + side * w * 0.13, cy + h * 0.15), w * 0.12, h * 0.13)
        path.setFillRule(Qt.FillRule.WindingFill)
        painter.drawPath(path.simplified())
    else:
        text = (entry.brand.mark if entry is not None else "") or network[:1].upper() or "?"
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(int(rect.height() * (0.5 if len(text) > 1 else 0.62)), 6))
        painter.setFont(font)
        painter.setPen(mark)
        painter.drawText(rect.adjusted(0, -rect.height() * 0.04, 0, 0), Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


def network_badge(network: str, size: int, palette: QPalette) -> QPixmap:
    ratio = _device_ratio()
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    _paint_badge(painter, QRectF(0, 0, size, size), network, palette)
    painter.end()
    return pixmap


def avatar_pixmap(network: str, name: str, size: int, palette: QPalette, image: QImage | None = None) -> QPixmap:
    """A round avatar of *size* pixels with the network's badge in the corner."""
    ratio = _device_ratio()
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    circle = QRectF(0, 0, size - size * 0.08, size - size * 0.08)
    clip = QPainterPath()
    clip.addEllipse(circle)
    if image is not None and not image.isNull():
        painter.save()
        painter.setClipPath(clip)
        side = min(image.width(), image.height())
        source = QRectF((image.width() - side) / 2, (image.height() - side) / 2, side, side)
        painter.drawImage(circle, image, source)
        painter.restore()
    else:
        colour = QColor(network_color(palette, network))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Mid))
        painter.drawEllipse(circle)
        initial = next((ch for ch in name if ch.isalnum()), "?").upper()
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(circle.height() * 0.45))
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText) if colour.isValid() else colour)
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initial)
    badge = size * 0.44
    corner = QRectF(size - badge, size - badge, badge, badge)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(palette.color(QPalette.ColorRole.Window))
    painter.drawRoundedRect(corner.adjusted(-1.5, -1.5, 1.5, 1.5), badge * 0.3, badge * 0.3)
    painter.end()
    painter = QPainter(pixmap)
    _paint_badge(painter, corner, network, palette)
    painter.end()
    return pixmap
