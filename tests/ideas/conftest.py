from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.ideas import IdeasService, IdeaStore
from tests.ideas.feeds_server import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture
def drafts(tmp_path: Path) -> Iterator[DraftStore]:
    store = DraftStore.open(tmp_path / "drafts.db")
    yield store
    store.close()


@pytest.fixture
def fetcher() -> Iterator[object]:
    from desktop.adapters.feeds import HttpFeedFetcher

    made = HttpFeedFetcher(deadline=2.0)
    yield made
    made.close()


@pytest.fixture
def ideas(drafts: DraftStore, fetcher) -> IdeasService:
    return IdeasService(IdeaStore(drafts), fetcher)
