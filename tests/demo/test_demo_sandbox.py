"""The sandbox network: a registry entry that exists in demo mode only, an in-process adapter that
publishes exactly once into the demo profile, the feed's text styling, and demo profiles that a
crashed demo leaves behind being cleaned while a running demo's is kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from desktop.adapters.networks.sandbox import SandboxClient, client_factory
from desktop.core import networks
from desktop.core.demo import DemoProfile, SandboxPosts, clean_stale, post_parts
from desktop.core.demo.bundle import FeedItem
from desktop.core.demo.feed import account_server
from desktop.core.ports import Account, AdapterContext, Post, PublishError
from desktop.core.settings import SPECS

REPO = Path(__file__).resolve().parents[2]
MAYA = Account("demo-maya", "sandbox", "@maya.bsky.social", account_server("bluesky"), display_name="Maya Patel")


def test_the_sandbox_is_in_the_registry_for_demo_mode_only() -> None:
    sandbox = networks.get("sandbox")
    assert sandbox.demo_only and sandbox.adapter == "desktop.adapters.networks.sandbox"
    assert sandbox not in networks.REGISTRY and "sandbox" not in networks.NETWORKS
    assert "sandbox" not in networks.DISPLAY_NAMES and sandbox not in networks.linkable()
    assert networks.in_use(demo=True) == (sandbox,) and sandbox not in networks.in_use()
    with pytest.raises(ValueError, match="unknown network 'sandbox'"):
        networks.parse_network("sandbox")
    counters = next(spec for spec in SPECS if spec.key == "composer.networks")
    assert "sandbox" not in dict(counters.choices) and "sandbox" not in counters.default
    count = sandbox.count("é" * 501)
    assert (count.used, count.limit, count.over) == (501, 500, True)


def test_publishing_is_exactly_once(tmp_path: Path) -> None:
    client = SandboxClient(tmp_path / "sandbox.db")
    post = Post("Hello #AcmeEmployee", idempotency_key="key-1")
    first = client.publish(MAYA, "secret", post)
    again = client.publish(MAYA, "secret", post)  # a retry after an ambiguous failure
    assert first == again and first.url == f"sandbox://post/{first.remote_id}"
    assert client.find_published(MAYA, "secret", post) == first
    assert client.find_published(MAYA, "secret", Post("Hello", idempotency_key="other")) is None
    other = client.publish(MAYA, "secret", Post("Hello #AcmeEmployee", idempotency_key="key-2"))
    posts = SandboxPosts(tmp_path / "sandbox.db").posts()
    assert [str(p.id) for p in posts] == [other.remote_id, first.remote_id]
    assert (posts[1].name, posts[1].handle, posts[1].style, posts[1].account_id) == (
        "Maya Patel", "@maya.bsky.social", "bluesky", "demo-maya")


def test_concurrent_retries_keep_one_post(tmp_path: Path) -> None:
    client = SandboxClient(tmp_path / "sandbox.db")
    post = Post("once", idempotency_key="same")
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(client.publish(MAYA, "s", post))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(SandboxPosts(tmp_path / "sandbox.db").posts()) == 1


def test_what_a_real_network_refuses_the_sandbox_refuses(tmp_path: Path) -> None:
    client = SandboxClient(tmp_path / "sandbox.db")
    with pytest.raises(PublishError, match="empty"):
        client.publish(MAYA, "s", Post("   ", idempotency_key="k"))
    with pytest.raises(PublishError, match="no credential"):
        client.publish(MAYA, "", Post("hi", idempotency_key="k"))
    with pytest.raises(PublishError, match="only works in demo mode"):
        client_factory(AdapterContext(lambda key: None, {}))
    factory = client_factory(AdapterContext(lambda key: None, {"posts": str(tmp_path / "sandbox.db")}))
    assert factory() is factory() and factory().network == "sandbox"


def test_reset_keeps_only_the_bundles_feed_items(tmp_path: Path) -> None:
    posts = SandboxPosts(tmp_path / "sandbox.db", clock=lambda: 10_000.0)
    posts.publish("demo-maya", "Maya", "@maya", "bluesky", "mine", "k")
    posts.reset([FeedItem("Lee", "@lee", "older", minutes_ago=10), FeedItem("Ann", "@ann", "newer", minutes_ago=1)])
    shown = posts.posts()
    assert [p.text for p in shown] == ["newer", "older"] and shown[1].published_at == 10_000.0 - 600


@pytest.mark.parametrize(("text", "parts"), [
    ("Hi @sam@mastodon.example and @maya.bsky.social!", [
        ("text", "Hi "), ("mention", "@sam@mastodon.example"), ("text", " and "), ("mention", "@maya.bsky.social"),
        ("text", "!")]),
    ("See https://acme.example/careers. #AcmeEmployee #1", [
        ("text", "See "), ("link", "https://acme.example/careers"), ("text", ". "), ("hashtag", "#AcmeEmployee"),
        ("text", " #1")]),
    ("mail jane@example.com about $ACME (https://en.wikipedia.org/wiki/Acme_(x))", [
        ("text", "mail jane@example.com about "), ("cashtag", "$ACME"), ("text", " ("),
        ("link", "https://en.wikipedia.org/wiki/Acme_(x)"), ("text", ")")]),
    ("", []),
])
def test_post_parts(text: str, parts: list[tuple[str, str]]) -> None:
    assert post_parts(text) == parts
    assert "".join(piece for _kind, piece in parts) == text


HOLD = """
import sys, time
from pathlib import Path
from desktop.core.demo import DemoProfile
profile = DemoProfile.create(Path(sys.argv[1]))
print(profile.root, flush=True)
time.sleep(120)
"""


def _holder(parent: Path) -> tuple[subprocess.Popen, Path]:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(parent)], stdout=subprocess.PIPE, text=True,
                               cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert process.stdout is not None
    return process, Path(process.stdout.readline().strip())


def test_a_crashed_demos_profile_is_cleaned_and_a_running_ones_kept(tmp_path: Path) -> None:
    crashed, crashed_root = _holder(tmp_path)
    running, running_root = _holder(tmp_path)
    try:
        (crashed_root / "profile").mkdir()
        (crashed_root / "profile" / "drafts.db").write_bytes(b"x" * 100)
        crashed.send_signal(signal.SIGKILL)  # no clean-up runs: as after a crash
        crashed.wait(10)
        assert crashed_root.is_dir()
        mine = DemoProfile.create(tmp_path)  # the next demo's start cleans
        assert not crashed_root.exists() and running_root.is_dir() and mine.root.is_dir()
        assert clean_stale(tmp_path) == []  # both live demos keep their folders
        mine.remove()
        assert not mine.root.exists()
        mine.remove()  # twice is harmless
    finally:
        for process in (crashed, running):
            process.kill()
            process.wait(10)
            assert process.stdout is not None
            process.stdout.close()
    assert clean_stale(tmp_path) == [running_root]


def test_a_folder_being_made_right_now_is_left_alone(tmp_path: Path) -> None:
    young = tmp_path / "chorus-demo-young"
    young.mkdir()  # made, not yet locked
    old = tmp_path / "chorus-demo-old"
    old.mkdir()
    os.utime(old, (1_000_000, 1_000_000))
    assert clean_stale(tmp_path) == [old] and young.is_dir()
    (tmp_path / "not-a-demo").mkdir()
    assert clean_stale(tmp_path) == [] and (tmp_path / "not-a-demo").is_dir()
