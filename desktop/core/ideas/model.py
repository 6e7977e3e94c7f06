"""What an idea is, where it came from, and the order the Ideas panel shows them in.

An idea is one item of a company feed (RSS, Atom, JSON Feed) or one entry of the employee's own notes
(a note file, a changelog section). Its :attr:`Idea.key` (``"<source>#<item id>"``) names it in the
read/dismissed marks and in the record of which ideas a draft was written from.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

SourceKind = Literal["feed", "notes"]
FEED: SourceKind = "feed"
NOTES: SourceKind = "notes"


@dataclass(frozen=True)
class Idea:
    source: str  # the feed's URL or file path, or the notes folder
    kind: SourceKind
    source_title: str  # the feed's own title, or the folder's name
    item_id: str  # the feed's guid/id (else its link, else its title); a note's path (+ "#heading")
    title: str
    link: str = ""  # a web page (feeds) or a file:// address (notes)
    published: float | None = None  # seconds since the epoch (UTC); None: the feed gave no date
    summary: str = ""  # plain text (HTML already removed)
    suggested: str = ""  # the feed's suggested copy (see README "Ideas"): shown for reference only
    read: bool = False
    dismissed: bool = False

    @property
    def key(self) -> str:
        return idea_key(self.source, self.item_id)

    def date_text(self) -> str:
        """The local date, as people read it ("" when the feed gave none)."""
        if self.published is None:
            return ""
        return time.strftime("%d %b %Y", time.localtime(self.published)).lstrip("0")


def idea_key(source: str, item_id: str) -> str:
    return f"{source}#{item_id}"


def newest_first(ideas: Iterable[Idea]) -> list[Idea]:
    """Newest first; undated ideas after the dated ones (in the order their source gave them), then
    by title so two refreshes of the same items list them the same way."""
    listed = list(ideas)
    order = {id(idea): position for position, idea in enumerate(listed)}
    return sorted(listed, key=lambda idea: (idea.published is None, -(idea.published or 0.0), order[id(idea)]))


def merged(*groups: Iterable[Idea], include_dismissed: bool = False) -> list[Idea]:
    """The ideas of every source in one list, newest first, each key once, dismissed ones left out."""
    seen: set[str] = set()
    kept: list[Idea] = []
    for group in groups:
        for idea in group:
            if idea.key in seen or (idea.dismissed and not include_dismissed):
                continue
            seen.add(idea.key)
            kept.append(idea)
    return newest_first(kept)


@dataclass(frozen=True)
class SourceStatus:
    """How one source fared at its last refresh, for the panel's status lines."""

    source: str
    kind: SourceKind
    title: str
    ok: bool
    message: str = ""  # the failure, for people ("" when fine)
    fetched_at: float | None = None  # when its items last came in (the cache's age when it failed)
    count: int = 0

    def describe(self) -> str:
        """"Intranet news: server did not answer in 10 s, showing items from 3 Dec"."""
        if self.ok:
            return ""
        name = self.title or self.source
        if self.fetched_at is not None and self.count:
            when = time.strftime("%d %b", time.localtime(self.fetched_at)).lstrip("0")
            return f"{name}: {self.message} Showing the {self.count} item(s) from {when}."
        return f"{name}: {self.message}"
