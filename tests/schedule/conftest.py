"""Fixtures of the scheduling tests: a real keyring (Secret Service on a private D-Bus) and a linked profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.secret_service import SecretService
from tests.integration.test_keyring import store_on
from tests.schedule.world import World, linked_world
from tests.ui.conftest import make_window  # noqa: F401 - the real main window over a profile (a fixture)


@pytest.fixture(scope="module")
def secret_service() -> Iterator[SecretService]:
    service = SecretService().start()
    yield service
    service.stop()


@pytest.fixture
def world(tmp_path: Path, secret_service: SecretService, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from linked_world(tmp_path, store_on(secret_service, monkeypatch))
