"""Feeds served by a real HTTP server on 127.0.0.1: formats, hostile XML, 304, timeouts, the size cap, offline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.ideas import FeedError, IdeasService, IdeaStore, parse_feed
from desktop.core.ideas import service as service_module
from tests.ideas.feeds_server import FeedServer, Route
from tests.ideas.samples import ATOM, BILLION_LAUGHS, JSON_FEED, MALFORMED, RSS, external_entity


def _by_title(ideas):
    return {idea.title: idea for idea in ideas}


def test_rss_atom_and_json_feed_are_read_with_their_fields_newest_first(feed_server: FeedServer, ideas: IdeasService):
    feed_server.routes["/rss"] = Route(RSS, "application/rss+xml")
    feed_server.routes["/atom"] = Route(ATOM, "application/atom+xml")
    feed_server.routes["/json"] = Route(JSON_FEED, "application/feed+json")
    feeds = [feed_server.url("/rss"), feed_server.url("/atom"), feed_server.url("/json")]
    statuses = ideas.refresh_all(feeds)
    assert [s.ok for s in statuses] == [True, True, True], [s.message for s in statuses]
    view = ideas.collect(feeds, [])
    titles = [idea.title for idea in view.ideas]
    # dated ideas newest first (3 Dec, 2 Dec, 1 Dec, 30 Nov, 1 Nov), the undated JSON item last
    assert titles == ["Release 2.0", "Talk: Policy checks at typing speed", "We are hiring in Lyon",
                      "Chorus 1.4 ships offline drafts", "Bad link", "A note without title or date."]
    found = _by_title(view.ideas)
    rss = found["Chorus 1.4 ships offline drafts"]
    assert rss.source_title == "Acme Engineering Blog" and rss.item_id == "acme-blog-14"
    assert rss.link == "https://blog.acme.example/1-4"
    assert rss.published == dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC).timestamp()
    assert rss.summary == "Drafts now work offline."  # tags gone, script left out
    assert rss.suggested == "Excited to announce Chorus 1.4! #innovation"
    assert found["We are hiring in Lyon"].suggested == ""
    talk = found["Talk: Policy checks at typing speed"]
    assert talk.source_title == "Acme Talks" and talk.suggested == "Watch our talk on policy checks!"
    assert talk.summary == "Slides and video." and talk.link == "https://talks.acme.example/policy"
    assert found["Bad link"].link == ""  # javascript: from a feed is dropped
    release = found["Release 2.0"]
    assert release.published == dt.datetime(2026, 12, 3, 6, 30, tzinfo=dt.UTC).timestamp()
    assert release.summary == "Faster sync." and release.suggested == "Release 2.0 is here, upgrade today!"
    assert found["A note without title or date."].item_id == "17"
    assert all(idea.kind == "feed" and not idea.read for idea in view.ideas)
    assert feed_server.requests_to("/rss")[0].headers["user-agent"].startswith("Chorus")


def test_malformed_xml_is_a_clear_error_and_the_kept_items_stay(feed_server: FeedServer, ideas: IdeasService):
    feed_server.routes["/rss"] = Route(RSS)
    url = feed_server.url("/rss")
    assert ideas.refresh(url).ok
    feed_server.routes["/rss"] = Route(MALFORMED)
    status = ideas.refresh(url)
    assert not status.ok
    assert "not well-formed XML" in status.message and url in status.message
    assert status.count == 2  # the two items of the last good copy are still there
    assert len(ideas.collect([url], []).ideas) == 2
    assert "Showing the 2 item(s) from" in status.describe()


def test_billion_laughs_is_refused_not_expanded(feed_server: FeedServer, ideas: IdeasService):
    feed_server.routes["/lol"] = Route(BILLION_LAUGHS)
    status = ideas.refresh(feed_server.url("/lol"))
    assert not status.ok and "DTD" in status.message and "refused" in status.message
    assert ideas.collect([feed_server.url("/lol")], []).ideas == []
    with pytest.raises(FeedError, match="DTD"):
        parse_feed(BILLION_LAUGHS, "The test feed")


def test_an_external_entity_is_refused_and_neither_the_file_nor_the_server_is_read(
        feed_server: FeedServer, ideas: IdeasService, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    feed_server.routes["/file-entity"] = Route(external_entity(secret.as_uri()))
    feed_server.routes["/http-entity"] = Route(external_entity(feed_server.url("/leak")))
    feed_server.routes["/leak"] = Route(b"LEAKED", "text/plain")
    for path in ("/file-entity", "/http-entity"):
        status = ideas.refresh(feed_server.url(path))
        assert not status.ok and "refused" in status.message
        assert "TOP-SECRET" not in status.message
    assert ideas.collect([feed_server.url("/file-entity"), feed_server.url("/http-entity")], []).ideas == []
    assert feed_server.requests_to("/leak") == []  # the external entity's address was never asked for
    with pytest.raises(FeedError) as refused:
        parse_feed(external_entity(secret.as_uri()), "The test feed")
    assert "TOP-SECRET" not in str(refused.value)


def test_a_304_keeps_the_cache_and_parses_nothing(feed_server: FeedServer, ideas: IdeasService, monkeypatch):
    feed_server.routes["/rss"] = Route(RSS, etag='"v1"')
    url = feed_server.url("/rss")
    assert ideas.refresh(url).ok
    parsed: list[str] = []
    real_parse = service_module.parse_feed
    monkeypatch.setattr(service_module, "parse_feed",
                        lambda data, where, base="", charset="": parsed.append(where)
                        or real_parse(data, where, base, charset))
    before = ideas.store.feed_state(url)
    status = ideas.refresh(url)
    assert status.ok and status.count == 2
    second = feed_server.requests_to("/rss")[1]
    assert second.headers.get("if-none-match") == '"v1"' and second.status == 304
    assert parsed == []  # nothing re-parsed
    after = ideas.store.feed_state(url)
    assert after.etag == '"v1"' and after.fetched_at is not None and after.fetched_at >= (before.fetched_at or 0)
    assert len(ideas.collect([url], []).ideas) == 2
    # a changed feed (new ETag) is parsed again
    feed_server.routes["/rss"] = Route(ATOM, etag='"v2"')
    assert ideas.refresh(url).ok and parsed == [f"The feed {url}"]
    assert ideas.store.feed_state(url).title == "Acme Talks"


def test_a_hanging_server_times_out_with_a_clear_message(feed_server: FeedServer, ideas: IdeasService):
    feed_server.routes["/rss"] = Route(RSS)
    url = feed_server.url("/rss")
    assert ideas.refresh(url).ok
    feed_server.routes["/rss"] = Route(hang=True)
    status = ideas.refresh(url)
    assert not status.ok
    assert status.message == f"the feed server 127.0.0.1:{feed_server.port} did not answer in 2 s."
    assert status.count == 2 and "Showing the 2 item(s)" in status.describe()


def test_an_oversized_body_is_refused_at_the_cap(feed_server: FeedServer, ideas: IdeasService):
    feed_server.routes["/huge"] = Route(huge=8 * 1024 * 1024)
    status = ideas.refresh(feed_server.url("/huge"))
    assert not status.ok and "more than 2 MB" in status.message
    assert ideas.collect([feed_server.url("/huge")], []).ideas == []


def test_offline_the_cached_items_are_shown(drafts: DraftStore, fetcher):
    server = FeedServer()
    server.routes["/json"] = Route(JSON_FEED, "application/feed+json")
    url = server.url("/json")
    ideas = IdeasService(IdeaStore(drafts), fetcher)
    assert ideas.refresh(url).ok
    server.stop()  # the server is gone: nothing listens on its port any more
    status = ideas.refresh(url)
    assert not status.ok and status.message.startswith("Chorus cannot reach the feed server 127.0.0.1:")
    assert "connection refused" in status.message
    view = ideas.collect([url], [])
    assert [idea.title for idea in view.ideas] == ["Release 2.0", "A note without title or date."]
    assert view.problems() and "Acme Releases" in view.problems()[0]


def test_a_feed_file_is_read_and_an_http_error_is_named(feed_server: FeedServer, ideas: IdeasService, tmp_path: Path):
    path = tmp_path / "news.xml"
    path.write_bytes(ATOM)
    assert ideas.refresh(str(path)).ok
    assert {idea.title for idea in ideas.collect([str(path)], []).ideas} == {
        "Talk: Policy checks at typing speed", "Bad link"}
    status = ideas.refresh(feed_server.url("/missing"))
    assert not status.ok and "answered 404" in status.message and "ideas.feeds" in status.message


def test_not_a_feed_and_not_json_feed_are_named():
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body>hello</body></html>", "The feed X")
    with pytest.raises(FeedError, match="not a JSON Feed"):
        parse_feed(b'{"title": "x"}', "The feed X")
    with pytest.raises(FeedError, match="nested too deeply"):
        parse_feed(b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "The feed X")


def test_relative_item_links_are_resolved_against_the_feeds_address() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Acme Blog</title>
  <id>urn:acme:blog</id>
  <updated>2026-12-02T08:00:00Z</updated>
  <entry><title>Post one</title><id>urn:acme:1</id><link href="/blog/post-1"/>
    <updated>2026-12-02T08:00:00Z</updated></entry>
  <entry><title>Post two</title><id>urn:acme:2</id><link href="javascript:alert(1)"/>
    <updated>2026-12-01T08:00:00Z</updated></entry>
</feed>"""
    parsed = parse_feed(atom, "The feed X", base="https://intranet.acme.example/feeds/blog.atom")
    assert [item.link for item in parsed.items] == ["https://intranet.acme.example/blog/post-1", ""]
    json_feed = b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", "url": "p/1"}]}'
    assert [i.link for i in parse_feed(json_feed, "The feed J", base="http://news.acme.example/feed.json").items] == [
        "http://news.acme.example/p/1"]
    assert [item.link for item in parse_feed(atom, "The feed X").items] == ["", ""]  # a file's feed: no base


def test_a_pipe_given_as_a_feed_file_is_refused_at_once_and_scripts_never_become_text(tmp_path) -> None:
    import os

    from desktop.core.ideas.feeds import read_feed_file
    from desktop.core.ideas.text import html_to_text

    pipe = tmp_path / "feed.xml"
    os.mkfifo(pipe)  # opening it would wait for a writer for ever, and the refresh with it
    with pytest.raises(FeedError, match="not a regular file"):
        read_feed_file(str(pipe))
    # a malformed declaration sends the text through the fallback, which drops scripts too
    assert html_to_text("<![foo[ x ]]><script>evil()</script>ok<style>p{}</style>") == "ok"


def test_a_latin_1_feed_without_an_encoding_declaration_is_read_in_the_charset_its_server_names(feed_server) -> None:
    from desktop.adapters.feeds import HttpFeedFetcher

    rss = ("<rss version='2.0'><channel><title>Actualités</title><link>https://acme.example/</link>"
           "<description>x</description><item><title>Les équipes de Montréal</title><guid>1</guid>"
           "<link>https://acme.example/1</link></item></channel></rss>").encode("latin-1")
    feed_server.routes["/latin"] = Route(rss, "application/rss+xml; charset=ISO-8859-1")
    fetcher = HttpFeedFetcher(deadline=5.0)
    try:
        download = fetcher.fetch_feed(feed_server.url("/latin"), etag=None, last_modified=None)
    finally:
        fetcher.close()
    assert download.charset == "ISO-8859-1"
    parsed = parse_feed(download.body, "The feed L", base=feed_server.url("/latin"), charset=download.charset)
    assert parsed.title == "Actualités" and [i.title for i in parsed.items] == ["Les équipes de Montréal"]
    with pytest.raises(FeedError, match="not well-formed"):  # what the server says is needed: XML alone says UTF-8
        parse_feed(download.body, "The feed L")
