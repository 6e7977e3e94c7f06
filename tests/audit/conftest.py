"""Fixtures of the audit trail tests: a real keyring (Secret Service on a private D-Bus) and a profile with
a Mastodon account linked for real on a test server (tests.schedule.world), plus a drafts store alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.drafts import DraftStore
from tests.integration.secret_service import SecretService
from tests.integration.test_keyring import store_on
from tests.schedule.world import World, linked_world


@pytest.fixture(scope="module")
def secret_service() -> Iterator[SecretService]:
    service = SecretService().start()
    yield service
    service.stop()


@pytest.fixture
def world(tmp_path: Path, secret_service: SecretService, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from linked_world(tmp_path, store_on(secret_service, monkeypatch))


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
