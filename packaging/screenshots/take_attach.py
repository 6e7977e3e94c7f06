"""Take the image-attachment screenshots: the real window on a private Xvfb, a post with three images.

    .venv/bin/python packaging/screenshots/take_attach.py

For each of light and dark, at a normal (1240x720) and a small (820x560) window: seeds a throw-away
profile (the acme-example policy, the composer's networks Mastodon and Bluesky, a draft with three
images kept as the composer keeps them: two described, one not), starts this script again as a
child on Xvfb, waits until the images and the policy's "no alt text" finding are shown, shows the
note a drop gives, and grabs the window into packaging/screenshots/attach-*.png. Needs Xvfb.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from shots import grab, main, open_window, run_steps, seed_profile, wait  # noqa: E402
from xvfb import shoot_with_child  # noqa: E402

POST = "Our sign-up dashboard, before and after the redesign. Thanks to everyone who tested it! #design"
SIZES = {"normal": (1240, 720), "small": (820, 560)}


def _image(kind: str) -> bytes:
    """Three small pictures drawn with Pillow: a table, a chart and a form."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (250, 250, 252))
    draw = ImageDraw.Draw(image)
    if kind == "table":
        for row in range(8):
            draw.rectangle((20, 20 + row * 36, 460, 48 + row * 36), fill=(225, 230, 240) if row % 2 else (245, 247, 250))
            for col in range(4):
                draw.rectangle((30 + col * 110, 28 + row * 36, 100 + col * 110, 40 + row * 36), fill=(90, 100, 120))
    elif kind == "chart":
        points = [(30 + i * 42, 280 - int(12 * i * i ** 0.5)) for i in range(11)]
        draw.line(points, fill=(26, 95, 180), width=6)
        draw.line((30, 290, 460, 290), fill=(60, 60, 60), width=2)
        draw.line((30, 20, 30, 290), fill=(60, 60, 60), width=2)
    else:
        draw.rectangle((40, 40, 440, 280), outline=(120, 120, 130), width=3)
        for row in range(4):
            draw.rectangle((70, 70 + row * 50, 410, 100 + row * 50), outline=(150, 150, 160), width=2)
        draw.rectangle((300, 250, 410, 272), fill=(30, 110, 52))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed(profile: Path, theme: str) -> None:
    from desktop.core.drafts import DraftStore
    from desktop.core.drafts.media import DraftMedia
    from desktop.core.media import Attachment
    from desktop.core.paths import AppPaths

    _, draft = seed_profile(profile, theme, {
        "policy.source": "acme-example", "tips.show_at_start": False, "tour.show_at_start": False,
        "composer.networks": ["mastodon", "bluesky"]},
        ["Reading list for the week: https://example.com/reading-list-for-product-managers", POST])
    store = DraftStore.open(AppPaths.for_profile(profile).drafts_db)
    kept = DraftMedia(store)
    kept.attach(draft.id, Attachment.from_bytes(_image("table"), name="before.png",
                                                alt="The old dashboard: four tables of numbers"))
    kept.attach(draft.id, Attachment.from_bytes(_image("chart"), name="after.png",
                                                alt="The new dashboard: one line chart of sign-ups rising"))
    store.close()
    # the third comes as a phone photo, dropped in the child: its note says what was removed
    from PIL import Image

    photo = Image.open(io.BytesIO(_image("form")))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Examplephone", "Model 12 Pro"
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 22.0, 31.5), 3: "E", 4: (4.0, 53.0, 12.25)})
    photo.convert("RGB").save(profile / "sign-up-form.jpg", "JPEG", exif=exif, quality=90)


def child(profile: Path, target: Path) -> int:
    from desktop.ui.composer.attachments import ImageSource

    opened = open_window(profile, SIZES["small" if "small" in target.name else "normal"])
    composer = opened.window.composer
    strip = composer.attachments

    def drop_photo() -> bool:
        if composer.policy.state != "ok" or len(strip.tiles) != 2:
            return False
        photo = profile / "sign-up-form.jpg"
        strip.add_sources([ImageSource(photo.name, path=photo)])  # what a drop on the editor does
        return True

    def alt_text_finding() -> bool:
        if len(strip.tiles) != 3 or composer.policy.state != "ok":
            return False
        if not any(f.finding.category == "accessibility" for f in composer.findings):
            return False
        strip.tiles[2].alt.setFocus()
        return True

    def shot() -> bool:
        print(json.dumps({**grab(target, opened.window),
                          "tiles": [(t.attachment.name, t.badge.text()) for t in strip.tiles],
                          "note": strip.message.text(), "findings": [f.finding.message for f in composer.findings]}))
        return True

    done = run_steps(opened, [drop_photo, alt_text_finding, wait(9), shot])
    opened.close()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    return {key: shoot_with_child(__file__, file, theme, seed, timeout=90) for key, file, theme in (
        ("light", "attach.png", "light"), ("dark", "attach-dark.png", "dark"),
        ("small", "attach-small.png", "light"), ("small-dark", "attach-small-dark.png", "dark"))}


if __name__ == "__main__":
    main(child, shots)
