"""The sandbox's posts: what demo mode "published", kept in the demo profile (``sandbox.db``).

The sandbox adapter (desktop.adapters.networks.sandbox) writes here when a post is published to a
sandbox account; the Sandbox feed view (desktop.ui.demo) reads it, newest first. Like the real
networks that dedupe, a post sent again with the same idempotency key is the same post (one row,
the same id and address): a retry after a failure never shows twice in the feed.

Each call opens its own SQLite connection, so the publishing worker and the feed's reader never
share one; the file lives in the temporary demo profile and goes with it.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.demo.bundle import FeedItem
from desktop.core.networks import sandbox

SANDBOX_SERVER = "sandbox://"  # an account's server is sandbox://<style>: which network's look it has


def account_server(style: str) -> str:
    return f"{SANDBOX_SERVER}{style}"


def account_style(server: str) -> str:
    """The look (a network id, or the sandbox's) a sandbox account's server names."""
    style = server.removeprefix(SANDBOX_SERVER).strip("/") if server.startswith(SANDBOX_SERVER) else ""
    return style or sandbox.ID


@dataclass(frozen=True)
class SandboxPost:
    id: int
    name: str  # the author's display name
    handle: str
    style: str  # the network whose look the post has (bundle.STYLES)
    text: str
    published_at: float  # epoch seconds
    account_id: str = ""  # the demo account that published it ("" for the bundle's feed items)
    idempotency_key: str = ""

    @property
    def url(self) -> str:
        return post_url(self.id)


def post_url(post_id: int) -> str:
    return f"sandbox://post/{post_id}"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    id               INTEGER PRIMARY KEY,
    account_id       TEXT NOT NULL DEFAULT '',
    name             TEXT NOT NULL,
    handle           TEXT NOT NULL,
    style            TEXT NOT NULL,
    text             TEXT NOT NULL,
    published_at     REAL NOT NULL,
    idempotency_key  TEXT UNIQUE
)
"""


class SandboxPosts:
    """The sandbox feed's file. Safe to use from any thread (a connection per call)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        with self._db() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            yield db

    def publish(self, account_id: str, name: str, handle: str, style: str, text: str, key: str) -> tuple[SandboxPost, bool]:
        """Keep a post; returns it and whether it is new. The same *key* again returns the post kept
        the first time (nothing is added): publishing is exactly once."""
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO posts (account_id, name, handle, style, text, published_at, idempotency_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING",
                (account_id, name, handle, style, text, self.clock(), key))
            added = cursor.rowcount == 1
            row = db.execute(f"SELECT {_COLUMNS} FROM posts WHERE idempotency_key = ?", (key,)).fetchone()
        return _post(row), added

    def find(self, key: str) -> SandboxPost | None:
        with self._db() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM posts WHERE idempotency_key = ?", (key,)).fetchone()
        return _post(row) if row else None

    def posts(self, limit: int = 500) -> list[SandboxPost]:
        """Newest first."""
        with self._db() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM posts ORDER BY published_at DESC, id DESC LIMIT ?",
                              (limit,)).fetchall()
        return [_post(row) for row in rows]

    def reset(self, items: Iterable[FeedItem]) -> None:
        """Only the bundle's feed items, as if posted their ``minutes_ago`` before now."""
        now = self.clock()
        with self._db() as db:
            db.execute("DELETE FROM posts")
            db.executemany(
                "INSERT INTO posts (name, handle, style, text, published_at) VALUES (?, ?, ?, ?, ?)",
                [(item.name, item.handle, item.looks_like, item.text, now - 60 * item.minutes_ago) for item in items])


_COLUMNS = "id, name, handle, style, text, published_at, account_id, idempotency_key"


def _post(row: tuple[Any, ...]) -> SandboxPost:
    return SandboxPost(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7] or "")


# -- a post's text as the networks show it -------------------------------------------------------------
_TOKENS = re.compile(
    r"(?P<link>\bhttps?://[^\s<>\"]+|\bwww\.[^\s<>\"]+)"
    r"|(?P<mention>(?<![\w@])@[A-Za-z0-9_](?:[\w.-]*\w)?(?:@[\w-]+(?:\.[\w-]+)+)?)"
    r"|(?P<hashtag>(?<![\w#&])#\w*[^\W\d]\w*)"
    r"|(?P<cashtag>(?<![\w$])\$[A-Za-z]{1,6}\b)",
    re.UNICODE,
)
_TRAILING = ".,;:!?)]}'\""


def post_parts(text: str) -> list[tuple[str, str]]:
    """*text* cut into ("text" | "link" | "mention" | "hashtag" | "cashtag", piece): what the feed
    styles as the networks do. Punctuation ending a sentence after a link is not part of it."""
    parts: list[tuple[str, str]] = []
    at = 0
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup or "text"
        piece = match.group()
        end = match.end()
        if kind == "link":
            stripped = piece.rstrip(_TRAILING)
            if stripped.count("(") > stripped.count(")") and piece[len(stripped):].startswith(")"):
                stripped += ")"  # a link to a page with (brackets) in its address
            end -= len(piece) - len(stripped)
            piece = stripped
        if match.start() > at:
            parts.append(("text", text[at:match.start()]))
        parts.append((kind, piece))
        at = end
    if at < len(text):
        parts.append(("text", text[at:]))
    return parts
