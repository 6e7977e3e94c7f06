"""desktop.core.media: metadata removed (orientation kept in the pixels), each network's limits met,
never upscaled, clear errors for what cannot be used."""

from __future__ import annotations

import pytest

from desktop.core import media
from desktop.core.media import Attachment, MediaError, prepare
from desktop.core.networks import get
from tests.media.images import EXIF_IFD, GPS_IFD, noise_photo, opened, phone_photo, screenshot_png

NETWORKS = ("bluesky", "mastodon", "linkedin")


def limits(network: str) -> media.MediaLimits:
    found = get(network).capabilities.media
    assert found is not None
    return found


@pytest.mark.parametrize("network", NETWORKS)
def test_location_camera_and_date_are_removed_and_the_photo_stays_upright(network):
    original = phone_photo(40, 20, orientation=6)
    source = opened(original)
    assert source.getexif().get_ifd(GPS_IFD) and source.getexif()[0x010F] == "Examplephone"  # the test is real

    prepared = prepare(Attachment.from_bytes(original, name="IMG_0001.jpg", alt="Our office"), limits(network))

    assert prepared.removed == ("location", "camera details", "date taken", "other metadata")
    assert prepared.note().startswith("Location, camera details, date taken and other metadata removed.")
    out = opened(prepared.data)
    assert dict(out.getexif()) == {}
    assert not out.getexif().get_ifd(GPS_IFD) and not out.getexif().get_ifd(EXIF_IFD)
    assert "comment" not in out.info and "exif" not in out.info
    assert b"Examplephone" not in prepared.data and b"SN-1234567" not in prepared.data
    # orientation 6 applied to the pixels: 40 × 20 becomes 20 × 40 with the red half on top
    assert (prepared.width, prepared.height) == out.size == (20, 40)
    red, blue = out.convert("RGB").getpixel((10, 5)), out.convert("RGB").getpixel((10, 35))
    assert red[0] > 200 and red[2] < 60 and blue[2] > 200 and blue[0] < 60
    assert prepared.alt == "Our office" and prepared.mime == "image/jpeg"


def test_the_attachment_reports_the_upright_size():
    attachment = Attachment.from_bytes(phone_photo(40, 20, orientation=6), name="IMG_0001.jpg")
    assert (attachment.mime, attachment.width, attachment.height) == ("image/jpeg", 20, 40)


def test_bluesky_gets_at_most_1_000_000_bytes_and_2000_pixels_a_side():
    photo = noise_photo(3000, 2250)
    assert len(photo) > 1_000_000
    prepared = prepare(photo, limits("bluesky"))
    assert len(prepared.data) <= 1_000_000
    assert max(prepared.width, prepared.height) <= 2000
    assert abs(prepared.width / prepared.height - 3000 / 2250) < 0.01  # the aspect ratio is kept
    assert opened(prepared.data).size == (prepared.width, prepared.height)
    assert prepared.resized and "Resized to" in prepared.note()


def test_mastodon_follows_its_servers_own_limits():
    server = limits("mastodon").for_server({"image_size_limit": 400_000, "image_matrix_limit": 1_000_000,
                                            "description_limit": 500})
    assert (server.max_bytes, server.max_pixels, server.alt_max_chars) == (400_000, 1_000_000, 500)
    prepared = prepare(noise_photo(1600, 1200), server)
    assert len(prepared.data) <= 400_000 and prepared.width * prepared.height <= 1_000_000


def test_linkedin_stays_under_its_pixel_and_byte_limits():
    big = limits("linkedin")
    assert big.max_pixels is not None and big.max_pixels < 36_152_320
    small = media.MediaLimits(max_images=4, max_bytes=200_000, accepted=big.accepted, max_pixels=500_000)
    prepared = prepare(noise_photo(1200, 900), small)
    assert len(prepared.data) <= 200_000 and prepared.width * prepared.height <= 500_000


@pytest.mark.parametrize("network", NETWORKS)
def test_a_small_image_is_never_upscaled(network):
    prepared = prepare(screenshot_png(120, 80), limits(network))
    assert (prepared.width, prepared.height) == (120, 80) and not prepared.resized
    assert prepared.mime == "image/png"  # it fits: it stays a PNG
    assert "Author" not in opened(prepared.data).info  # the PNG text chunk is gone
    assert prepared.removed == ("other metadata",)


def test_a_png_without_transparency_that_does_not_fit_becomes_jpeg():
    png = screenshot_png(900, 700, noisy=True)
    assert len(png) > 1_000_000
    prepared = prepare(png, limits("bluesky"))
    assert prepared.mime == "image/jpeg" and len(prepared.data) <= 1_000_000
    assert (prepared.width, prepared.height) == (900, 700)  # recompressed, not resized


def test_a_png_with_transparency_stays_png_and_shrinks_instead():
    png = screenshot_png(900, 700, alpha=True, noisy=True)
    prepared = prepare(png, limits("bluesky"))
    out = opened(prepared.data)
    assert prepared.mime == "image/png" and out.mode == "RGBA" and len(prepared.data) <= 1_000_000
    assert prepared.width < 900 and out.getpixel((0, 0))[3] < 255


def test_what_is_not_an_image_is_refused_with_the_file_name(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not an image")
    with pytest.raises(MediaError) as refused:
        Attachment.from_path(path)
    assert str(refused.value).startswith("notes.txt is not an image Chorus can read (text/plain).")
    assert refused.value.advice == "Attach a JPEG, PNG, GIF or WebP image."
    with pytest.raises(MediaError, match=r"^Chorus could not read missing\.png: No such file or directory\.$"):
        Attachment.from_path(tmp_path / "missing.png")


def test_too_many_images_for_a_post_are_named_per_network():
    images = [Attachment.from_bytes(screenshot_png(20, 20)) for _ in range(5)]
    assert media.attachment_problems(images[:4], ["bluesky", "mastodon", "linkedin"]) == []
    assert media.attachment_problems(images, ["bluesky", "x"]) == [
        "Bluesky takes at most 4 images per post (5 attached).",
        "X posts from Chorus cannot carry images.",
        "Chorus attaches at most 4 images per post (5 attached).",
    ]
