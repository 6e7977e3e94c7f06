"""The sandbox network's adapter: publishing that stays on this computer (demo mode only).

``client_factory(context)`` gives one :class:`SandboxClient` writing to the sandbox file the
composition root names in ``context.endpoints["posts"]`` (the demo profile's ``sandbox.db``). It
opens no socket: a "published" post is a row in that file (desktop.core.demo.feed), shown in the
Sandbox feed. Publishing is exactly once like on the networks that dedupe: the same idempotency key
again returns the post kept the first time.
"""

from __future__ import annotations

from desktop.adapters.networks.sandbox.client import SandboxClient
from desktop.core.ports import AdapterContext, PublishError

__all__ = ["SandboxClient", "client_factory"]


class _Factory:
    """One client for the run (the file is the only state)."""

    def __init__(self, client: SandboxClient) -> None:
        self.client = client

    def __call__(self) -> SandboxClient:
        return self.client

    def close(self) -> None:
        pass


def client_factory(context: AdapterContext) -> _Factory:
    posts = context.endpoints.get("posts")
    if not posts:  # only demo mode names the file: anywhere else the sandbox cannot publish
        raise PublishError("The sandbox network only works in demo mode (chorus --demo).", retryable=False)
    return _Factory(SandboxClient(posts))
