"""Fixtures of the audit trail tests: a real keyring (Secret Service on a private D-Bus) and a profile with
a Mastodon account linked for real on a test server (the scheduling tests' fixtures), plus a drafts store alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.drafts import DraftStore

# the scheduling tests' real keyring and linked profile, the same fixtures
from tests.schedule.conftest import secret_service, world


class Clock:
    def __init__(self, now: float = 1_790_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        self.now += 60.0  # each event a minute after the one before
        return self.now


@pytest.fixture
def drafts(tmp_path: Path) -> Iterator[DraftStore]:
    store = DraftStore.open(tmp_path / "profile" / "data" / "drafts.db", clock=Clock())
    yield store
    store.close()


__all__ = ["drafts", "secret_service", "world"]
