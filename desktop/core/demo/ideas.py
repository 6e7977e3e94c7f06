"""A demo bundle's ideas as feed files in the demo profile, so the Ideas panel shows them offline.

Each source the bundle's ``[[ideas]]`` name ("Acme Newsroom", "Acme Careers") becomes one JSON Feed 1.1
file in the profile's ``ideas`` folder, its items carrying the suggested copy in the ``_chorus``
extension the ideas code reads (desktop.core.ideas.feeds), and the demo's ``ideas.feeds`` setting
lists those files. A feed's title is what the panel shows as an idea's source, so one file per source
is what lets a bundle mix sources. The panel reads them like any feed file: no server, no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop.core.demo.bundle import DemoIdea
from desktop.core.ideas.feeds import JSON_EXTENSION, JSON_SUGGESTED

FOLDER = "ideas"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def by_source(ideas: tuple[DemoIdea, ...]) -> dict[str, list[tuple[int, DemoIdea]]]:
    """The ideas grouped by source, sources in the order the bundle first names them, each idea with
    its place in the bundle (which makes its item id, so marks and drafts can name it)."""
    groups: dict[str, list[tuple[int, DemoIdea]]] = {}
    for number, idea in enumerate(ideas, start=1):
        groups.setdefault(idea.source, []).append((number, idea))
    return groups


def feed_document(source: str, ideas: list[tuple[int, DemoIdea]]) -> dict[str, Any]:
    """The JSON Feed 1.1 document of one source's ideas (newest first, as feeds list them)."""
    items: list[dict[str, Any]] = []
    for number, idea in sorted(ideas, key=lambda pair: pair[1].published, reverse=True):
        item: dict[str, Any] = {"id": f"demo-idea-{number}", "title": idea.title,
                                "date_published": idea.published.isoformat()}
        if idea.link:
            item["url"] = idea.link
        # content_text is required by JSON Feed when there is no HTML content: the summary, else the title
        item["content_text"] = idea.summary or idea.title
        if idea.summary:
            item["summary"] = idea.summary
        if idea.suggested_copy:
            item[JSON_EXTENSION] = {JSON_SUGGESTED: idea.suggested_copy}
        items.append(item)
    return {"version": JSON_FEED_VERSION, "title": source, "items": items}


def write_feeds(ideas: tuple[DemoIdea, ...], root: Path) -> list[Path]:
    """Write one feed file per source under *root*/ideas (replacing what is there); the files, in the
    order the bundle names their sources (none when the bundle has no ideas)."""
    folder = root / FOLDER
    if folder.exists():
        for old in folder.glob("*.json"):
            old.unlink()
    written: list[Path] = []
    for number, (source, entries) in enumerate(by_source(ideas).items(), start=1):
        folder.mkdir(exist_ok=True)
        path = folder / f"feed-{number}.json"
        path.write_text(json.dumps(feed_document(source, entries), ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written
