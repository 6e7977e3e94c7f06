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

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "policy.source": "acme-example", "tips.show_at_start": False,
        "tour.show_at_start": False, "composer.networks": ["mastodon", "bluesky"]}}), encoding="utf-8")
    store = DraftStore.open(paths.drafts_db)
    store.create("Reading list for the week: https://example.com/reading-list-for-product-managers")
    draft = store.create(POST)
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
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window

    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    app, window, runner = create_window(Settings(paths.settings_file), store, None, store.notices,
                                        policy_cache=paths.last_good_policy)
    width, height = SIZES["small" if "small" in target.name else "normal"]
    window.resize(width, height)
    window.move(20, 30)
    window.show()
    state: dict = {"step": 0, "code": 1}

    def tick() -> None:
        step = state["step"]
        composer = window.composer
        strip = composer.attachments
        if step == 0:
            if composer.policy.state != "ok" or len(strip.tiles) != 2:
                return
            from desktop.ui.composer.attachments import ImageSource

            photo = profile / "sign-up-form.jpg"
            strip.add_sources([ImageSource(photo.name, path=photo)])  # what a drop on the editor does
            state["step"] = 1
        elif step == 1:
            if len(strip.tiles) != 3 or composer.policy.state != "ok":
                return
            if not any(f.finding.category == "accessibility" for f in composer.findings):
                return
            strip.tiles[2].alt.setFocus()
            state["step"] = 2
        elif step < 12:
            state["step"] = step + 1
        else:
            timer.stop()
            frame = window.frameGeometry().adjusted(-8, -8, 8, 8)
            image = QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(frame)
            image.save(str(target), "PNG")
            print(json.dumps({"target": str(target), "size": [image.width(), image.height()],
                              "tiles": [(t.attachment.name, t.badge.text()) for t in strip.tiles],
                              "note": strip.message.text(),
                              "findings": [f.finding.message for f in composer.findings]}))
            state["code"] = 0
            window.close()
            app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(30_000, app.quit)
    app.exec()
    runner.shutdown()
    store.close()
    return state["code"]


def shoot(name: str, theme: str) -> dict:
    return shoot_with_child(__file__, name, theme, seed, timeout=90)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2]), Path(sys.argv[3])))
    print(json.dumps({"light": shoot("attach.png", "light"), "dark": shoot("attach-dark.png", "dark"),
                      "small": shoot("attach-small.png", "light"),
                      "small-dark": shoot("attach-small-dark.png", "dark")}))
