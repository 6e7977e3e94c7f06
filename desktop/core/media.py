"""Images attached to a post: the model, and their preparation for each network (Pillow).

For the composer (a UI built on this module)::

    from desktop.core import media
    from desktop.core.networks import get as network

    attachment = media.Attachment.from_path(path)            # reads the file once: MediaError if not an image
    attachment = attachment.with_alt("Bar chart: sign-ups doubled from March to June")
    problems = media.attachment_problems(attachments, networks=["bluesky", "mastodon"])  # too many images...
    prepared = media.prepare(attachment, network("bluesky").capabilities.media)
    prepared.note()        # "Location and camera data removed. Resized to 2000 × 1500 and recompressed (812 KB)."

Rules kept here:
- at most :data:`MAX_ATTACHMENTS` (4) images per post, the smallest ``max_images`` of the chosen
  networks (every network Chorus publishes to takes 4);
- :func:`prepare` is a pure function of the image's bytes and the network's :class:`MediaLimits`:
  no files, no network, no Qt. It takes tens to hundreds of milliseconds on a large photo, so the UI
  calls it on a worker lane (never on the GUI thread); adapters call it before uploading;
- every prepared image is re-encoded from its pixels alone: EXIF (GPS location, camera make and
  model, dates, serial numbers), XMP, IPTC, comments and PNG text chunks are dropped. The EXIF
  orientation is applied to the pixels first, so the picture stays the right way up. What was
  removed is reported (:attr:`PreparedImage.removed`, :meth:`PreparedImage.note`);
- sizes: scaled down (never up) to the network's pixel and side limits, then recompressed in JPEG
  quality steps until it fits ``max_bytes``, then scaled down further if it still does not. PNGs stay
  PNG when they fit; a PNG without transparency that does not fit becomes JPEG; one with
  transparency stays PNG and is scaled down. Animated GIFs are sent as their first frame;
- alt text is kept as written (the policy engine's ``alt_text`` rule says when it is missing).

Pillow was chosen over hand-written decoders: it is the standard, maintained imaging library, it
reads every format people paste (JPEG, PNG, GIF, WebP, BMP, TIFF), applies EXIF orientation
(``ImageOps.exif_transpose``) and guards against decompression bombs. It is imported on the first
preparation only (about 20 ms), never at start-up.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.core.errors import ChorusError
from desktop.core.networks.media import MediaLimits

if TYPE_CHECKING:
    from PIL import Image

MAX_ATTACHMENTS = 4
MAX_SOURCE_BYTES = 50 * 1024 * 1024  # a file bigger than this is not a screenshot or photo worth reading
MAX_SOURCE_PIXELS = 200_000_000  # Pillow's decompression-bomb guard, set here so it is an error, not a warning
JPEG_QUALITIES = (92, 85, 78, 70, 62, 54, 46)
SCALE_STEP = 0.8  # each further downscale when the smallest JPEG quality is still too big
MIN_SIDE = 64  # never scale below this: the image would be useless
READABLE = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp",
            "BMP": "image/bmp", "TIFF": "image/tiff"}

# EXIF tags (TIFF/EXIF numbering) that say where or with what a picture was taken
_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_CAMERA_TAGS = {0x010F, 0x0110, 0xA430, 0xA431, 0xA432, 0xA433, 0xA434, 0xA435}  # make, model, owner, serials, lens
_DATE_TAGS = {0x0132, 0x9003, 0x9004}
# what Pillow reads into Image.info that describes the pixels, not the picture or the person
_BENIGN_INFO = frozenset({"dpi", "jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression",
                          "icc_profile", "exif", "transparency", "gamma", "duration", "loop", "background",
                          "version", "adobe", "adobe_transform", "interlace", "aspect", "srgb", "chromaticity",
                          "compression", "extension", "lossless"})


class MediaError(ChorusError):
    """An image Chorus cannot use: unreadable, not an image, too large to read, or impossible to fit."""

    def __init__(self, message: str, advice: str = "") -> None:
        super().__init__(message, advice)
        self.advice = advice


@dataclass(frozen=True)
class Attachment:
    """One image attached to a post: its original bytes (or the file holding them), alt text, type and size.

    ``path`` is where the bytes live when they are not held in memory (a draft's copy in the profile,
    :class:`desktop.core.drafts.media.DraftMedia`); ``name`` is what the person calls it (the file name
    they attached), shown in messages."""

    mime: str
    width: int
    height: int
    alt: str = ""
    data: bytes | None = field(default=None, repr=False)
    path: Path | None = None
    name: str = ""
    sha256: str = ""

    def __post_init__(self) -> None:
        if self.data is None and self.path is None:
            raise ValueError("an attachment needs its bytes or a path")
        if not self.sha256 and self.data is not None:
            object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())

    @classmethod
    def from_bytes(cls, data: bytes, *, alt: str = "", name: str = "") -> Attachment:
        """An attachment of *data* (a paste, a drop); reads the image header only. MediaError if it is not an image."""
        mime, width, height = probe(data, name)
        return cls(mime, width, height, alt=alt, data=data, name=name)

    @classmethod
    def from_path(cls, path: Path, *, alt: str = "") -> Attachment:
        """An attachment of the file at *path*, read now (the file may change or go away later)."""
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_SOURCE_BYTES:
                raise MediaError(f"{path.name} is {size / 1e6:.0f} MB: Chorus attaches images up to "
                                 f"{MAX_SOURCE_BYTES // 1_000_000} MB.", "Export a smaller copy and attach that.")
            data = path.read_bytes()
        except OSError as exc:
            raise MediaError(f"Chorus could not read {path.name}: {exc.strerror or exc}.",
                             "Check that the file exists and that you may open it.") from None
        return cls.from_bytes(data, alt=alt, name=path.name)

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise MediaError(f"The image {self.label} is missing from Chorus's folder ({exc.strerror or exc}).",
                             "Remove it from the post and attach it again.") from None

    def identity(self) -> list[str]:
        """What makes this image a different one for an idempotency key: its content (SHA-256) and alt
        text (publishing.service.idempotency_key, publishing.thread.part_key)."""
        return ["image", self.sha256 or hashlib.sha256(self.read()).hexdigest(), self.alt]

    def with_alt(self, alt: str) -> Attachment:
        return replace(self, alt=alt)

    @property
    def label(self) -> str:
        return self.name or f"{self.width} × {self.height} {self.mime.removeprefix('image/').upper()}"


@dataclass(frozen=True)
class PreparedImage:
    """An image ready to upload to one network: metadata removed, within that network's limits."""

    data: bytes = field(repr=False)
    mime: str
    width: int
    height: int
    alt: str
    removed: tuple[str, ...] = ()  # "location", "camera details", "date taken", "other metadata"
    resized: bool = False
    recompressed: bool = False
    original_bytes: int = 0

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def note(self) -> str:
        """What Chorus did to the image, in words for people ("" when nothing worth saying)."""
        parts = []
        if self.removed:
            parts.append(_sentence(_join(self.removed)) + " removed.")
        if self.resized:
            parts.append(f"Resized to {self.width} × {self.height} ({_size(len(self.data))}).")
        elif self.recompressed:
            parts.append(f"Recompressed to {_size(len(self.data))}.")
        return " ".join(parts)


def probe(data: bytes, name: str = "") -> tuple[str, int, int]:
    """(MIME type, width, height) of the image in *data*, reading its header only."""
    image = _open(data, name)
    with image:
        fmt = image.format or ""
        width, height = image.size
        if _orientation_swaps(image):
            width, height = height, width
    return READABLE[fmt], width, height


def attachment_problems(attachments: Sequence[Attachment], networks: Iterable[str]) -> list[str]:
    """Why these images cannot go to these networks as they are (too many for one of them), for people."""
    from desktop.core import networks as registry

    problems = []
    for network_id in networks:
        network = registry.find(network_id)
        if network is None:
            continue
        limits = network.capabilities.media
        if limits is None:
            if attachments:
                problems.append(f"{network.display_name} posts from Chorus cannot carry images.")
            continue
        if len(attachments) > limits.max_images:
            problems.append(f"{network.display_name} takes at most {limits.max_images} images per post "
                            f"({len(attachments)} attached).")
    if len(attachments) > MAX_ATTACHMENTS:
        problems.append(f"Chorus attaches at most {MAX_ATTACHMENTS} images per post ({len(attachments)} attached).")
    return problems


def prepare(attachment: Attachment | bytes, limits: MediaLimits, *, alt: str | None = None) -> PreparedImage:
    """*attachment* as the network with *limits* takes it: metadata removed, orientation applied,
    scaled and recompressed to fit. Pure: no files written, nothing shared. MediaError when the image
    cannot be read or cannot be made to fit."""
    from PIL import Image, ImageOps

    if isinstance(attachment, Attachment):
        data, name, alt_text = attachment.read(), attachment.name, attachment.alt if alt is None else alt
    else:
        data, name, alt_text = attachment, "", alt or ""
    label = name or "the image"
    source = _open(data, name)
    with source:
        fmt = source.format or ""
        removed = metadata_found(source)
        try:
            source.seek(0)  # the first frame of an animation
            upright = ImageOps.exif_transpose(source)
            upright.load()
        except (OSError, ValueError, SyntaxError) as exc:
            raise MediaError(f"Chorus could not read {label}: the image data is damaged ({exc}).",
                             "Open it in an image editor, save a new copy and attach that.") from None
    alpha = _has_alpha(upright)
    pixels = _pixels_only(upright, alpha)
    width, height = pixels.size
    scale = _fit_scale(width, height, limits)
    in_mime = READABLE.get(fmt, "")
    # the output type: the input's when the network takes it, else PNG for transparency, else JPEG
    if in_mime in limits.accepted and in_mime in ("image/jpeg", "image/png"):
        out = in_mime
    elif alpha and "image/png" in limits.accepted:
        out = "image/png"
    else:
        out = "image/jpeg"
    if out == "image/jpeg" and "image/jpeg" not in limits.accepted:
        raise MediaError(f"{label} cannot be sent: this network takes {', '.join(limits.accepted)} only.")
    while True:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        frame = pixels if size == pixels.size else pixels.resize(size, Image.Resampling.LANCZOS)
        encoded = _encode_to_fit(frame, out, limits.max_bytes, png_may_become_jpeg=not alpha
                                 and "image/jpeg" in limits.accepted)
        if encoded is not None:
            blob, mime = encoded
            break
        if min(size) * SCALE_STEP < MIN_SIDE:
            raise MediaError(f"{label} cannot be made small enough for this network ({_size(limits.max_bytes)} "
                             "at most).", "Crop it or export it with fewer colours, then attach it again.")
        scale *= SCALE_STEP
    resized = size != (width, height)
    recompressed = mime != in_mime or len(blob) < len(data) * 0.9
    return PreparedImage(blob, mime, size[0], size[1], alt_text, tuple(removed), resized, recompressed, len(data))


def metadata_found(image: Image.Image) -> list[str]:
    """What personal or descriptive metadata *image* carries, in words: location, camera details,
    date taken, other metadata (XMP, IPTC, comments, text chunks). Orientation alone is not listed:
    it is applied to the pixels."""
    found: list[str] = []
    exif = image.getexif()
    if exif.get_ifd(_GPS_IFD) or _GPS_IFD in exif:
        found.append("location")
    sub = exif.get_ifd(_EXIF_IFD)
    if any(tag in exif or tag in sub for tag in _CAMERA_TAGS):
        found.append("camera details")
    if any(tag in exif or tag in sub for tag in _DATE_TAGS):
        found.append("date taken")
    other_exif = [tag for tag in exif if tag not in (0x0112, _GPS_IFD, _EXIF_IFD) and tag not in _CAMERA_TAGS
                  and tag not in _DATE_TAGS]
    info_keys = set(image.info) - _BENIGN_INFO
    if other_exif or info_keys or (set(sub) - _CAMERA_TAGS - _DATE_TAGS):
        found.append("other metadata")
    return found


# -- internals ---------------------------------------------------------------------------------------------
def _open(data: bytes, name: str) -> Image.Image:
    from PIL import Image, UnidentifiedImageError

    label = name or "The image"
    if len(data) > MAX_SOURCE_BYTES:
        raise MediaError(f"{label} is {len(data) / 1e6:.0f} MB: Chorus attaches images up to "
                         f"{MAX_SOURCE_BYTES // 1_000_000} MB.", "Export a smaller copy and attach that.")
    Image.MAX_IMAGE_PIXELS = MAX_SOURCE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in READABLE:
                image.close()
                raise MediaError(f"{label} is a {image.format or 'file'} image; Chorus attaches JPEG, PNG, GIF, "
                                 "WebP, BMP and TIFF images.", "Save it as PNG or JPEG and attach that.")
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError(f"{label} is too large to open safely (over {MAX_SOURCE_PIXELS:,} pixels).",
                         "Export a smaller copy and attach that.") from None
    except UnidentifiedImageError:
        kind = mimetypes.guess_type(name)[0] if name else None
        what = f" ({kind})" if kind else ""
        raise MediaError(f"{label} is not an image Chorus can read{what}.",
                         "Attach a JPEG, PNG, GIF or WebP image.") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise MediaError(f"Chorus could not read {label}: {exc}.", "Attach a JPEG, PNG, GIF or WebP image.") from None
    if width < 1 or height < 1:
        raise MediaError(f"{label} has no pixels.")
    return image


def _orientation_swaps(image: Image.Image) -> bool:
    return image.getexif().get(0x0112) in (5, 6, 7, 8)


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        low = image.getchannel("A").getextrema()[0]
        return isinstance(low, (int, float)) and low < 255
    return image.mode == "P" and "transparency" in image.info


def _pixels_only(image: Image.Image, alpha: bool) -> Image.Image:
    """A new image holding *image*'s pixels and nothing else (no info, no EXIF), in RGB or RGBA."""
    from PIL import Image

    mode = "RGBA" if alpha else "RGB"
    converted = image.convert(mode) if image.mode != mode else image
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def _fit_scale(width: int, height: int, limits: MediaLimits) -> float:
    """The largest scale <= 1 within the pixel and side limits (never up)."""
    scale = 1.0
    if limits.max_side and max(width, height) > limits.max_side:
        scale = min(scale, limits.max_side / max(width, height))
    if limits.max_pixels and width * height > limits.max_pixels:
        scale = min(scale, (limits.max_pixels / (width * height)) ** 0.5)
    # rounding must not push it back over
    while scale < 1.0 and limits.max_pixels and round(width * scale) * round(height * scale) > limits.max_pixels:
        scale *= 0.999
    return scale


def _encode_to_fit(frame: Image.Image, mime: str, max_bytes: int, *, png_may_become_jpeg: bool
                   ) -> tuple[bytes, str] | None:
    if mime == "image/png":
        blob = _encode(frame, "PNG", optimize=True)
        if len(blob) <= max_bytes:
            return blob, mime
        if not png_may_become_jpeg:
            return None
        mime = "image/jpeg"
    rgb = frame.convert("RGB") if frame.mode != "RGB" else frame
    for quality in JPEG_QUALITIES:
        blob = _encode(rgb, "JPEG", quality=quality, optimize=True, progressive=True)
        if len(blob) <= max_bytes:
            return blob, mime
    return None


def _encode(frame: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    frame.save(out, fmt, **options)  # a fresh image: no exif, no icc, no text chunks are written
    return out.getvalue()


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{max(1, round(n / 1000))} KB"
