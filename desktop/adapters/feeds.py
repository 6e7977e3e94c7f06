"""Downloading a company feed (the core's FeedFetcher port, desktop.core.ideas.feeds).

One conditional GET through :func:`desktop.adapters.http.fetch`: the proxy and extra root
certificates from the settings, the OS trust store, a 2 MB cap (:data:`MAX_FEED_BYTES`) and one
10 s deadline for the whole exchange (:data:`FEED_DEADLINE_S`). ``If-None-Match``/``If-Modified-Since``
carry the kept validators, so an unchanged feed costs a ``304``. Redirects are followed (a few, each
checked again).

Plain ``http://`` is allowed for feeds, unlike for every other call: company news feeds are often
served only on the intranet over http, a feed request carries no credential (no sign-in, no cookie:
a credential-free public GET), and what comes back is only shown as ideas to write about in one's
own words, never run, never published as is. The risk left is someone on the network path changing
the items, which is why the panel shows plain text only and drops links other than http(s).
Every failure becomes :class:`~desktop.core.ideas.feeds.FeedFetchFailed` with a sentence for people.
"""

from __future__ import annotations

import requests

from desktop.adapters.http import AnswerTooLarge, DeadlineExceeded, host_of, human_duration
from desktop.adapters.refetch import Refetcher, RefetchRefused
from desktop.core.ideas.feeds import FEED_DEADLINE_S, MAX_FEED_BYTES, FeedDownload, FeedFetchFailed, charset_of
from desktop.core.ports import Offline, PublishError

ACCEPT = ("application/feed+json, application/atom+xml, application/rss+xml, application/json;q=0.9, "
          "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")


class HttpFeedFetcher(Refetcher):
    """The feed downloader; one session (its connections kept alive between refreshes)."""

    def __init__(self, session: requests.Session | None = None, *, deadline: float = FEED_DEADLINE_S,
                 max_bytes: int = MAX_FEED_BYTES) -> None:
        super().__init__(session)
        self._deadline = deadline
        self._max_bytes = max_bytes

    def fetch_feed(self, url: str, *, etag: str | None, last_modified: str | None) -> FeedDownload:
        where = f"the feed server {host_of(url)}"
        try:
            got = self.refetch(url, etag=etag, last_modified=last_modified, accept=ACCEPT, what="downloading the feed",
                               where=where, advice="Check the feed's address in Settings (ideas.feeds).",
                               allow_http=True, max_bytes=self._max_bytes, deadline=self._deadline)
        except Offline as exc:
            raise FeedFetchFailed(exc.reason, offline=True) from None
        except AnswerTooLarge:
            raise FeedFetchFailed(f"{where} sent more than {self._max_bytes / 1_048_576:g} MB; Chorus stopped "
                                  "reading it. Ask whoever publishes the feed to keep fewer items in it.") from None
        except PublishError as exc:
            reason = exc.reason
            if "did not answer in time" in reason:
                reason = f"{where} did not answer in {human_duration(self._deadline)}."
            raise FeedFetchFailed(reason) from None
        except DeadlineExceeded:  # pragma: no cover - fetch turns it into a PublishError
            raise FeedFetchFailed(f"{where} did not answer in {human_duration(self._deadline)}.") from None
        except RefetchRefused as exc:
            raise FeedFetchFailed(str(exc)) from None
        return FeedDownload(got.not_modified, got.body, etag=got.etag, last_modified=got.last_modified,
                            charset=charset_of(got.content_type))
