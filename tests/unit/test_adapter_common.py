"""The helpers every network adapter shares (desktop.adapters.common): one Retry-After reading for
all three networks, and the shared client a client_factory hands out."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from email.utils import formatdate

import pytest

from desktop.adapters.common import DEFAULT_RETRY_AFTER_S, SharedClient, retry_after_seconds
from desktop.adapters.networks import linkedin, mastodon

NOW = 1_795_000_000.0


def test_every_adapter_reads_rate_limits_with_the_one_parser():
    assert mastodon.retry_after_seconds is retry_after_seconds
    headers = {"Retry-After": "42"}
    assert retry_after_seconds(headers, NOW) == linkedin.retry_after_seconds(headers, "", NOW) == 42


def test_linkedin_measures_a_retry_after_date_against_linkedins_clock():
    # LinkedIn's clock is ten minutes ahead of ours; it asks for two minutes.
    headers = {"Date": formatdate(NOW + 600, usegmt=True), "Retry-After": formatdate(NOW + 720, usegmt=True)}
    assert linkedin.retry_after_seconds(headers, "", NOW) == pytest.approx(120)


def test_reset_headers_of_either_spelling():
    assert retry_after_seconds({"RateLimit-Reset": str(int(NOW + 90))}, NOW) == pytest.approx(90)  # Bluesky's PDS
    reset = datetime.fromtimestamp(NOW + 150, UTC).isoformat().replace("+00:00", "Z")
    assert retry_after_seconds({"X-RateLimit-Reset": reset}, NOW) == pytest.approx(150)  # Mastodon
    assert retry_after_seconds({"RateLimit-Reset": "later"}, NOW) == DEFAULT_RETRY_AFTER_S


def test_the_shared_client_is_built_once_under_concurrency_and_follows_its_key():
    built: list[object] = []
    key = {"value": "a"}

    class Client:
        def __init__(self, which: object) -> None:
            self.which = which
            self.http = self
            self.closed = 0
            built.append(self)

        def close(self) -> None:
            self.closed += 1

    shared = SharedClient(Client, key=lambda: key["value"])
    barrier = threading.Barrier(8)
    seen: list[object] = []

    def ask() -> None:
        barrier.wait()
        seen.append(shared())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and all(each is built[0] for each in seen)
    key["value"] = "b"
    assert shared().which == "b" and len(built) == 2
    shared.close()
    assert (built[0].closed, built[1].closed) == (0, 1)  # the replaced one may still be in use elsewhere
