"""The Bluesky adapter's own checks agree with the rest of Chorus: its length check counts a post
as the composer's counter does (flags included), and its rate-limit waits come from the shared
Retry-After parser (an HTTP date, the server's own clock, a cap), over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from desktop.adapters.networks.bluesky import BlueskyClient, length_problem
from desktop.core import counters
from desktop.core.networks.bluesky import ID, MAX_GRAPHEMES
from desktop.core.ports import Account, Post, PublishError, RateLimited
from desktop.core.publishing import tid

FLAGS = "🇫🇷🇩🇪🇯🇵🇧🇷🇺🇦🇨🇦🇮🇳🇰🇪🇳🇿🇲🇽"  # ten flags: twenty regional indicators


@pytest.mark.parametrize("text", [
    FLAGS * 30,  # 300 flags: 300 graphemes, 2,400 bytes, exactly the limit
    FLAGS * 30 + "🇫",  # and a lone regional indicator after them
    FLAGS * 30 + "!",
    FLAGS * 29 + "🇫🇷🇩🇪🇯🇵🇧🇷🇺🇦🇨🇦🇮🇳🇰🇪🇳🇿🇲",  # 299 flags and a lone indicator: 300
    "Go team " + FLAGS * 28 + " 🇺🇸🇬🇧",
    "🏳️‍🌈" * 150,  # a flag made of a ZWJ sequence
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿" * 100,  # tag sequences (Scotland): 2,800 bytes
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿" * 108,  # over the byte limit with only 108 graphemes
    FLAGS[:3] * 200,  # an odd run: pairs from the start, then one left over
])
def test_the_adapter_refuses_exactly_what_the_counter_shows_as_too_long(text):
    count = counters.count(ID, text)
    assert (length_problem(text) is not None) == count.over
    if count.over:
        assert f"({count.used} now)" in length_problem(text)


def test_a_post_full_of_flags_one_over_the_limit_is_refused_before_anything_is_sent():
    text = FLAGS * 30 + "🇫🇷"
    assert counters.count(ID, text).used == MAX_GRAPHEMES + 1
    secret = json.dumps({"v": 1, "did": "did:plc:alice", "access": "a", "refresh": "r", "pw": "p"})
    account = Account(id="bsky-1", network=ID, handle="@alice.test", server="http://127.0.0.1:9",
                      remote_id="did:plc:alice")
    client = BlueskyClient()
    try:
        with pytest.raises(PublishError, match=f"limited to {MAX_GRAPHEMES} characters \\(301 now\\)") as refused:
            client.publish(account, secret, Post(text, idempotency_key=tid.new_tid()))
    finally:
        client.http.close()
    assert not refused.value.retryable


# -- rate limits -----------------------------------------------------------------------------------
class _RateLimitingPds(ThreadingHTTPServer):
    """Answers every XRPC call with 429 and the headers a test gives it."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.headers: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _RateLimitingPds

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}).encode()
        self.send_response_only(429)  # no automatic Date: the test gives the server's clock
        for name, value in self.server.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@pytest.fixture
def pds() -> Iterator[_RateLimitingPds]:
    server = _RateLimitingPds()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def wait_after_429(pds: _RateLimitingPds) -> float:
    client = BlueskyClient(service_url=pds.url, plc_url=pds.url)
    try:
        with pytest.raises(RateLimited) as limited:
            client.link("alice.test", "abcd-efgh-ijkl-mnop", pds.url)
    finally:
        client.http.close()
    assert limited.value.status == 429
    return limited.value.retry_after_s


def test_a_retry_after_given_as_an_http_date_is_honoured(pds):
    # The server's clock is a day behind ours: its date and its Retry-After date are 2 minutes apart.
    server_now = __import__("time").time() - 86400
    pds.headers = {"Date": formatdate(server_now, usegmt=True), "Retry-After": formatdate(server_now + 120, usegmt=True)}
    assert wait_after_429(pds) == pytest.approx(120, abs=2)


def test_a_reset_time_is_measured_against_the_servers_clock(pds):
    server_now = __import__("time").time() - 3600  # the PDS's clock is an hour behind
    pds.headers = {"Date": formatdate(server_now, usegmt=True), "RateLimit-Reset": str(int(server_now) + 300)}
    assert wait_after_429(pds) == pytest.approx(300, abs=2)


def test_an_absurd_wait_is_capped_at_a_day(pds):
    pds.headers = {"Retry-After": "9999999"}
    assert wait_after_429(pds) == 24 * 3600
