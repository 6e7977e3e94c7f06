"""Reading a company feed (RSS 2.0, Atom 1.0, JSON Feed 1.1) safely, and the port that downloads one.

A feed is untrusted input. XML is first parsed by defusedxml with every DTD refused (so no entity
can be declared: a "billion laughs" document or an external entity reading a local file or another
server is refused with a clear error, never expanded), and it must be well-formed; only then does
feedparser read the same bytes (given as a stream: feedparser treats a *string* as an address or a
file name). JSON Feeds are read with the ``json`` module. Summaries become plain text
(:func:`desktop.core.ideas.text.html_to_text`); links other than http(s) are dropped.

Suggested copy, the organisation's wording for an item (shown beside the editor for reference, never
put into a draft), travels in the feed as:

* RSS/Atom: an element ``<chorus:suggested>`` in the namespace :data:`SUGGESTED_NS` inside the
  ``<item>`` or ``<entry>`` (plain text; HTML is reduced to text);
* JSON Feed: an item extension ``"_chorus": {"suggested_copy": "..."}`` (JSON Feed's rule: extension
  keys start with an underscore).

Downloading is the :class:`FeedFetcher` port (desktop.adapters.feeds); a feed given as a file path is
read here, with the same size cap.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

from desktop.core.ideas.text import html_to_text, tidy

SUGGESTED_NS = "https://chorus.example/ns/ideas/1"
JSON_EXTENSION = "_chorus"
JSON_SUGGESTED = "suggested_copy"
MAX_FEED_BYTES = 2 * 1024 * 1024  # a feed larger than this is refused (downloads and files alike)
MAX_ITEMS = 200  # items kept of one feed (the newest, as the feed orders them)
FEED_DEADLINE_S = 10.0  # a feed server has this long for the whole answer
_ATOM = "{http://www.w3.org/2005/Atom}"


class FeedError(Exception):
    """The feed was read but cannot be used (refused, malformed, not a feed). ``str()`` is for people."""


class FeedFetchFailed(Exception):
    """The feed could not be downloaded. *offline*: no connection at all (the cache is shown as is)."""

    def __init__(self, reason: str, *, offline: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offline = offline


@dataclass(frozen=True)
class FeedDownload:
    not_modified: bool  # a 304: the kept items are current
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    charset: str = ""  # the server's Content-Type charset ("" when it named none)


class FeedFetcher(Protocol):
    def fetch_feed(self, url: str, *, etag: str | None, last_modified: str | None) -> FeedDownload: ...


@dataclass(frozen=True)
class FeedItem:
    item_id: str
    title: str
    link: str = ""
    published: float | None = None
    summary: str = ""
    suggested: str = ""


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    items: list[FeedItem] = field(default_factory=list)
    format: str = ""  # "rss20", "atom10", "json1.1", ... (feedparser's names for XML)


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def read_feed_file(path: str, limit: int = MAX_FEED_BYTES) -> bytes:
    """The bytes of a feed kept as a file (a shared folder IT fills), refused past *limit*."""
    target = Path(os.path.expanduser(path))
    try:
        if not stat.S_ISREG(target.stat().st_mode):  # a pipe or a device would block the refresh for good
            raise FeedError(f"The feed file {target} is not a regular file; Chorus reads feeds from files only.")
        with target.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise FeedError(f"The feed file {target} cannot be read ({exc.strerror or exc}).") from None
    if len(data) > limit:
        raise FeedError(f"The feed file {target} is larger than {limit // 1_048_576} MB; Chorus does not read it.")
    return data


def parse_feed(data: bytes, where: str, base: str = "", charset: str = "") -> ParsedFeed:
    """The feed in *data*; *where* names it in errors; *base*: the feed's own address, against which
    relative item links (``/blog/post-1``, common in Atom) are resolved; *charset*: the encoding the
    server named, used for XML that declares none (without it, such XML is read as UTF-8, as XML says).
    Raises :class:`FeedError`."""
    data = _as_declared(data, charset)
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        return _parse_json_feed(data, where, base)
    return _parse_xml_feed(data, where, base)


def _as_declared(data: bytes, charset: str) -> bytes:
    """XML without an encoding declaration (and no byte-order mark) that the server said is in another
    charset than UTF-8, re-encoded as UTF-8 so both parsers read the same, right characters."""
    name = charset.strip().strip('"').lower()
    byte_order_mark = data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
    if not name or name.replace("-", "") in ("utf8", "usascii", "ascii") or byte_order_mark:
        return data
    head = data[:200].lstrip()
    if not head.startswith(b"<") or (head.startswith(b"<?xml") and b"encoding=" in head.split(b"?>", 1)[0]):
        return data
    try:
        return data.decode(name).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return data  # an unknown or wrong charset: read as XML says (UTF-8), and its error if it is not


def charset_of(content_type: str) -> str:
    """The ``charset`` parameter of a Content-Type header ("" when none)."""
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"')
    return ""


# -- XML: defusedxml first, then feedparser ---------------------------------------------------------
def _checked_xml(data: bytes, where: str) -> Element:
    import defusedxml
    from defusedxml.ElementTree import fromstring

    try:
        root: Element = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        return root
    except defusedxml.DTDForbidden:
        raise FeedError(f"{where} declares a DTD (<!DOCTYPE …>), which feeds do not need and which can hide "
                        "entity attacks; Chorus refused the feed without reading it further.") from None
    except defusedxml.EntitiesForbidden:
        raise FeedError(f"{where} declares XML entities, which can blow up into gigabytes (“billion laughs”); "
                        "Chorus refused the feed without expanding them.") from None
    except defusedxml.ExternalReferenceForbidden:
        raise FeedError(f"{where} refers to an external entity (a file or another server); Chorus refused the "
                        "feed without reading it.") from None
    except ParseError as exc:
        raise FeedError(f"{where} is not well-formed XML ({exc}); the items shown are from its last good "
                        "copy, if any. Tell whoever publishes the feed.") from None


def _suggestions(root: Element) -> tuple[dict[str, str], list[str]]:
    """The ``chorus:suggested`` text of each item/entry: by its id (guid, id or link) and in order."""
    by_id: dict[str, str] = {}
    in_order: list[str] = []
    for element in root.iter():
        if element.tag not in ("item", f"{_ATOM}entry", "{http://purl.org/rss/1.0/}item"):
            continue
        found = element.find(f"{{{SUGGESTED_NS}}}suggested")
        text = html_to_text("".join(found.itertext())) if found is not None else ""
        in_order.append(text)
        for tag in ("guid", f"{_ATOM}id", "link", "{http://purl.org/rss/1.0/}link"):
            child = element.find(tag)
            if child is not None and (child.text or "").strip():
                by_id.setdefault((child.text or "").strip(), text)
        atom_link = element.find(f"{_ATOM}link")
        if atom_link is not None and atom_link.get("href"):
            by_id.setdefault(str(atom_link.get("href")), text)
    return by_id, in_order


def _parse_xml_feed(data: bytes, where: str, base: str = "") -> ParsedFeed:
    root = _checked_xml(data, where)
    import feedparser

    parsed: Any = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    version = str(parsed.get("version") or "")
    if not version:
        raise FeedError(f"{where} is XML but not an RSS or Atom feed (its root element is <{_local(root.tag)}>).")
    by_id, in_order = _suggestions(root)
    items: list[FeedItem] = []
    for position, entry in enumerate(parsed.entries[:MAX_ITEMS]):
        link = _web_link(str(entry.get("link") or ""), base)
        title = tidy(html_to_text(str(entry.get("title") or "")), 300)
        item_id = str(entry.get("id") or "").strip() or link or title
        if not item_id:
            continue
        suggested = by_id.get(str(entry.get("id") or "").strip()) or by_id.get(link, "")
        if not suggested and len(in_order) == len(parsed.entries):
            suggested = in_order[position]
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        summary = str(entry.get("summary") or "")
        if not summary and entry.get("content"):
            summary = str(entry["content"][0].get("value") or "")
        items.append(FeedItem(item_id, title or "(untitled)", link,
                              float(calendar.timegm(stamp)) if stamp else None, html_to_text(summary), suggested))
    title = tidy(html_to_text(str(parsed.feed.get("title") or "")), 200)
    return ParsedFeed(title, items, version)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# -- JSON Feed 1.1 ------------------------------------------------------------------------------------
def _parse_json_feed(data: bytes, where: str, base: str = "") -> ParsedFeed:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise FeedError(f"{where} is not valid JSON ({reason}).") from None
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise FeedError(f"{where} is JSON but not a JSON Feed (no \"version\": \"https://jsonfeed.org/version/1.1\").")
    raw_items = document.get("items")
    if not isinstance(raw_items, list):
        raise FeedError(f"{where} is a JSON Feed without an \"items\" list.")
    items = [item for item in _json_items(raw_items[:MAX_ITEMS], base)]
    return ParsedFeed(tidy(str(document.get("title") or ""), 200), items,
                      "json" + str(document["version"]).rsplit("/", 1)[-1])


def _json_items(raw_items: list[Any], base: str = "") -> Iterator[FeedItem]:
    for raw in raw_items:
        if not isinstance(raw, dict):
            continue
        link = _web_link(_text(raw.get("url")) or _text(raw.get("external_url")), base)
        title = tidy(_text(raw.get("title")), 300)
        item_id = _text(raw.get("id")).strip() or link or title
        if not item_id:
            continue
        summary = _text(raw.get("summary")) or _text(raw.get("content_text"))
        summary = html_to_text(summary or _text(raw.get("content_html")))
        extension = raw.get(JSON_EXTENSION)
        suggested = _text(extension.get(JSON_SUGGESTED)) if isinstance(extension, dict) else ""
        yield FeedItem(item_id, title or tidy(summary, 80) or "(untitled)", link,
                       _rfc3339(_text(raw.get("date_published")) or _text(raw.get("date_modified"))), summary,
                       html_to_text(suggested))


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    return str(value) if isinstance(value, (str, int, float)) else ""


def _rfc3339(value: str) -> float | None:
    if not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.timestamp()


def _web_link(link: str, base: str = "") -> str:
    """*link* when it is an http(s) address, or a relative one resolved against an http(s) *base*; ""
    otherwise (no javascript:, data: or file: from a feed)."""
    link = link.strip()
    if link and base.lower().startswith(("http://", "https://")) and not urlsplit(link).scheme:
        link = urljoin(base, link)
    return link if link.lower().startswith(("http://", "https://")) else ""
