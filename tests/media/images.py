"""Test images made with Pillow in the test itself: a phone photo with GPS and camera EXIF, noise
photos that do not compress, screenshots with and without transparency."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
EXIF_IFD = 0x8769


def phone_photo(width: int = 40, height: int = 20, *, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: EXIF with GPS position, camera make/model, the date taken and an
    orientation tag (6: the camera was turned, view it rotated 90° clockwise). The left half is red,
    the right half blue, so the applied orientation can be checked on the pixels."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x010F] = "Examplephone"  # Make
    exif[0x0110] = "Model 12 Pro"  # Model
    exif[0x0112] = orientation
    exif[0x0131] = "Camera 16.2"  # Software
    exif.get_ifd(EXIF_IFD).update({0x9003: "2026:11:30 09:41:00", 0xA431: "SN-1234567"})  # taken, body serial
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 22.0, 31.5), 3: "E", 4: (4.0, 53.0, 12.25)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95, comment=b"shot at home")
    return out.getvalue()


def noise_photo(width: int, height: int) -> bytes:
    """A JPEG that does not compress well (noise): the worst case for fitting a byte limit."""
    out = io.BytesIO()
    Image.effect_noise((width, height), 90).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


def screenshot_png(width: int, height: int, *, alpha: bool = False, noisy: bool = False) -> bytes:
    mode = "RGBA" if alpha else "RGB"
    if noisy:
        base = Image.effect_noise((width, height), 90).convert(mode)
    else:
        base = Image.new(mode, (width, height), (240, 240, 240, 255) if alpha else (240, 240, 240))
        base.paste((20, 20, 20) if not alpha else (20, 20, 20, 255), (10, 10, width // 2, 30))
    if alpha:
        base.putpixel((0, 0), (0, 0, 0, 0))
    out = io.BytesIO()
    info = {"pnginfo": _png_text()}
    base.save(out, "PNG", **info)
    return out.getvalue()


def _png_text():  # type: ignore[no-untyped-def]
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Jane Example")
    return info


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
