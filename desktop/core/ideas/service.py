"""Refreshing the feeds and putting every idea in one list: what the Ideas panel calls on its lanes.

:meth:`IdeasService.refresh` downloads one feed (or reads a feed file), conditionally: the kept
``ETag``/``Last-Modified`` go with the request and a ``304`` costs no parsing. A good answer replaces
the kept items; a failure (offline, a timeout, a refused or malformed document) is remembered and
the kept items stay, so the panel shows them with a line saying why they may be old.
:meth:`IdeasService.collect` gives the kept feed items and the notes folders' ideas, newest first,
dismissed ones left out, with each source's status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from desktop.core.ideas.feeds import FeedError, FeedFetcher, FeedFetchFailed, is_url, parse_feed, read_feed_file
from desktop.core.ideas.model import FEED, NOTES, Idea, SourceStatus, merged
from desktop.core.ideas.notes import scan_folders
from desktop.core.ideas.store import IdeaStore

PROMPT = "What I worked on / what a customer will notice: "


@dataclass(frozen=True)
class IdeasView:
    ideas: list[Idea] = field(default_factory=list)
    statuses: list[SourceStatus] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [status.describe() for status in self.statuses if not status.ok]


class IdeasService:
    """*fetcher* downloads feed addresses (None: only feed files and notes folders can be used)."""

    def __init__(self, store: IdeaStore, fetcher: FeedFetcher | None) -> None:
        self.store = store
        self.fetcher = fetcher

    def refresh(self, source: str) -> SourceStatus:
        """Bring *source* (a feed address or file) up to date; never raises for the feed's own failures."""
        state = self.store.feed_state(source)
        charset = ""
        try:
            if is_url(source):
                if self.fetcher is None:
                    raise FeedFetchFailed("downloading feeds is not available in this window.")
                download = self.fetcher.fetch_feed(source, etag=state.etag, last_modified=state.last_modified)
                if download.not_modified:
                    self.store.not_modified(source, download.etag, download.last_modified)
                    return self._status(source)
                body, etag, last_modified = download.body, download.etag, download.last_modified
                charset = download.charset
            else:
                body, etag, last_modified = read_feed_file(source), None, None
            feed = parse_feed(body, _where(source), base=source, charset=charset)
        except (FeedFetchFailed, FeedError) as exc:
            self.store.feed_failed(source, str(exc))
            return self._status(source)
        self.store.save_feed(source, feed, etag, last_modified)
        return self._status(source)

    def _status(self, source: str) -> SourceStatus:
        state = self.store.feed_state(source)
        count = len(self.store.cached_items(source))
        return SourceStatus(source, FEED, state.title, not state.error, state.error, state.fetched_at, count)

    def collect(self, feeds: Sequence[str], folders: Sequence[str]) -> IdeasView:
        """Every idea to show now (no network: the kept feed items and the folders as they are)."""
        cached = self.store.cached_ideas(feeds)
        notes, problems = scan_folders(folders)
        marks = self.store.marks(idea.key for idea in notes)
        notes = [replace(idea, read=marks[idea.key][0], dismissed=marks[idea.key][1]) if idea.key in marks else idea
                 for idea in notes]
        statuses = [self._status(source) for source in feeds]
        statuses += [SourceStatus(problem.folder, NOTES, problem.folder, False, problem.message)
                     for problem in problems]
        return IdeasView(merged(cached, notes), statuses)

    def refresh_all(self, feeds: Iterable[str], on_each: Callable[[SourceStatus], object] | None = None) -> list[SourceStatus]:
        done = []
        for source in dict.fromkeys(feeds):
            status = self.refresh(source)
            done.append(status)
            if on_each is not None:
                on_each(status)
        return done


def _where(source: str) -> str:
    return f"The feed {source}"


def prompt_left(text: str) -> str | None:
    """Why a draft is not ready to publish when it still holds "Write about this"'s prompt (None: it does
    not). The prompt asks for the author's own angle; published as it is, it would read as a form left
    half filled in, so it must be replaced (or deleted) first."""
    if PROMPT.strip() in text:
        return (f"Replace “{PROMPT.strip()}” with your own words (or delete it) before publishing: "
                "it is Chorus's prompt, not part of your post.")
    return None


def draft_text(idea: Idea) -> str:
    """The new draft "Write about this" opens: a short prompt for the author's own angle, then the link
    (feeds only: a note's file address means nothing to readers). Never the suggested copy."""
    if idea.kind == FEED and idea.link:
        return f"{PROMPT}\n\n{idea.link}"
    return PROMPT
