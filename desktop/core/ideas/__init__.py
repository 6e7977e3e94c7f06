"""Ideas to write about (issue 15): company feeds and the employee's own notes, in one list.

- :mod:`.model`: :class:`Idea` (source kind ``feed`` or ``notes``), newest-first merging;
- :mod:`.feeds`: RSS/Atom (defusedxml, then feedparser) and JSON Feed parsing, the downloading port;
- :mod:`.notes`: ideas from local folders of notes and changelogs (read here, never uploaded);
- :mod:`.store`: the cache, validators, read/dismissed marks and the draft → idea record (drafts
  database, migration 9); :func:`written_from` gives the authenticity check the texts to compare;
- :mod:`.service`: refreshing a feed and collecting the list the panel shows.
"""

from desktop.core.ideas.feeds import (
    FeedDownload,
    FeedError,
    FeedFetcher,
    FeedFetchFailed,
    ParsedFeed,
    parse_feed,
)
from desktop.core.ideas.model import FEED, NOTES, Idea, SourceStatus, merged, newest_first
from desktop.core.ideas.notes import scan_folders
from desktop.core.ideas.service import PROMPT, IdeasService, IdeasView, draft_text, prompt_left
from desktop.core.ideas.store import DraftIdea, IdeaStore, SourceText, written_from

__all__ = [
    "prompt_left",
    "FEED", "NOTES", "PROMPT", "DraftIdea", "FeedDownload", "FeedError", "FeedFetchFailed", "FeedFetcher", "Idea",
    "IdeaStore", "IdeasService", "IdeasView", "ParsedFeed", "SourceStatus", "SourceText", "draft_text", "merged",
    "newest_first", "parse_feed", "scan_folders", "written_from",
]
