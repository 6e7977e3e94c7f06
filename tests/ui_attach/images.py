"""Real image files for the attachment tests, written by Pillow (and one crafted PNG header)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import Image

from tests.media.images import phone_photo


def photo(folder: Path, name: str = "holiday.jpg") -> Path:
    """A phone JPEG with GPS position, camera make and model and the date taken."""
    path = folder / name
    path.write_bytes(phone_photo(64, 48))
    return path


def screenshot(folder: Path, name: str, colour: tuple[int, int, int] = (30, 90, 200), size=(120, 80)) -> Path:
    path = folder / name
    image = Image.new("RGB", size, (245, 245, 245))
    image.paste(colour, (10, 10, size[0] - 10, size[1] // 2))
    image.save(path, "PNG")
    return path


def bomb(folder: Path, name: str = "bomb.png", side: int = 30_000) -> Path:
    """A PNG that claims side × side pixels (900 million: over Chorus's 200 million guard) in a few bytes:
    only its header is real, which is all a decompression-bomb check may read."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 64)
    path = folder / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path
