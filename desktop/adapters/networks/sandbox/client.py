"""Publishing to the sandbox: the NetworkClient port, in-process."""

from __future__ import annotations

from pathlib import Path

from desktop.core.demo.feed import SandboxPosts, account_style
from desktop.core.networks.sandbox import ID
from desktop.core.ports import Account, Post, Published, PublishError, SecretSink


class SandboxClient:
    """NetworkClient for the sandbox. Refuses what a real network refuses (an empty post, a missing
    credential), so a demo shows the same statuses; keeps the rest in the demo's sandbox file."""

    network = ID

    def __init__(self, posts: Path | str | SandboxPosts) -> None:
        self.posts = posts if isinstance(posts, SandboxPosts) else SandboxPosts(Path(posts))

    def publish(self, account: Account, secret: str, post: Post, *, on_secret: SecretSink | None = None) -> Published:
        if not secret:
            raise PublishError("The sandbox account has no credential: reset the demo.", retryable=False)
        if not post.text.strip():
            raise PublishError("The post is empty.", retryable=False)
        if not post.idempotency_key:
            raise ValueError("a post needs an idempotency key")
        kept, _added = self.posts.publish(account.id, account.display_name or account.handle, account.handle,
                                          account_style(account.server), post.text, post.idempotency_key)
        return Published(url=kept.url, remote_id=str(kept.id))

    def find_published(self, account: Account, secret: str, post: Post, *,
                       on_secret: SecretSink | None = None) -> Published | None:
        kept = self.posts.find(post.idempotency_key)
        return Published(url=kept.url, remote_id=str(kept.id)) if kept is not None else None
