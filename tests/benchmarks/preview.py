"""Preview benchmark: what building the per-network previews costs on a typing pause.

    python -m tests.benchmarks.preview [--repeat 30] [--platform offscreen]

On the keystroke benchmark's ~3,000-character post (emoji, links, mentions, tags), for Bluesky,
Mastodon, LinkedIn and X, medians of:

- ``count_all_ms``: the composer's counters (``counters.count_all``), the baseline measured in the
  same run;
- ``build_ms``: :func:`desktop.core.preview.build_previews` for the post (over Bluesky's and X's
  limits, so their cuts are searched), and ``build_ratio`` = build / count_all;
- ``refresh_ms``: the real Preview panel's refresh (models + four cards' rich text), which runs on
  the GUI thread after the typing pause, never inside a keystroke.

Prints one JSON line. Target: refresh well under one frame (16 ms), so a pause never stutters.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from tests.benchmarks.keystroke import long_post

NETWORKS = ("bluesky", "mastodon", "linkedin", "x")


def median_ms(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = parser.parse_args(argv)
    os.environ["QT_QPA_PLATFORM"] = args.platform

    from desktop.core import counters
    from desktop.core.preview import build_previews

    post = long_post() + " https://example.com/notes/2026/preview #Chorus @alice.bsky.social"
    counters.warm_up()
    build_previews(post, NETWORKS)  # first use: patterns compiled
    count_ms = median_ms(lambda: counters.count_all(post, NETWORKS), args.repeat)
    build_ms = median_ms(lambda: build_previews(post, NETWORKS), args.repeat)
    previews = build_previews(post, NETWORKS)

    from PySide6.QtWidgets import QApplication

    from desktop.ui.common.theme import apply_theme
    from desktop.ui.preview.panel import PreviewPanel, PreviewTarget

    app = QApplication.instance() or QApplication([])
    apply_theme(app, "light")
    panel = PreviewPanel(lambda: post)
    panel.resize(360, 900)
    panel.show()
    panel.set_targets([PreviewTarget(n) for n in NETWORKS])
    panel.refresh()
    app.processEvents()
    refresh_ms = median_ms(panel.refresh, args.repeat)
    panel.close()
    print(json.dumps({
        "benchmark": "preview",
        "count_all_ms": count_ms,
        "build_ms": build_ms,
        "build_ratio": round(build_ms / count_ms, 2) if count_ms else None,
        "refresh_ms": refresh_ms,
        "text_chars": len(post),
        "over": [p.network for p in previews if p.over],
        "networks": list(NETWORKS),
        "repeat": args.repeat,
        "platform": args.platform,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
