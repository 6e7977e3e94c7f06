"""Downloading the policy IT serves at an https:// address (the core's PolicyFetcher port).

One conditional GET through :func:`desktop.adapters.http.fetch`: https only (plain http only to this
computer), the proxy and extra root certificates from the settings, a 2 MB cap and a 30 s deadline
for the whole exchange. ``If-None-Match``/``If-Modified-Since`` carry the kept copy's validators,
so an unchanged policy costs a ``304``. A redirect is followed (the request carries no credential),
each hop checked like the first address. Every failure becomes
:class:`~desktop.core.policy.remote.PolicyFetchFailed` with a sentence naming the server.
"""

from __future__ import annotations

import requests

from desktop.adapters.http import DEFAULT_DEADLINE_S, host_of
from desktop.adapters.refetch import Refetcher, RefetchRefused
from desktop.core.policy.remote import MAX_POLICY_BYTES, PolicyDownload, PolicyFetchFailed
from desktop.core.ports import Offline, PublishError

ACCEPT = "application/toml, text/plain;q=0.9, */*;q=0.5"


class HttpPolicyFetcher(Refetcher):
    """The policy downloader; one session (its connections kept alive between refreshes)."""

    def __init__(self, session: requests.Session | None = None, *, deadline: float = DEFAULT_DEADLINE_S) -> None:
        super().__init__(session)
        self._deadline = deadline

    def fetch_policy(self, url: str, *, etag: str | None, last_modified: str | None) -> PolicyDownload:
        where = f"the policy server {host_of(url)}"
        try:
            got = self.refetch(url, etag=etag, last_modified=last_modified, accept=ACCEPT,
                               what="downloading the policy", where=where,
                               advice="Check the policy address in Settings (policy.source) with IT.",
                               headers={"Cache-Control": "no-cache"}, max_bytes=MAX_POLICY_BYTES,
                               deadline=self._deadline)
        except Offline as exc:
            raise PolicyFetchFailed(f"offline: {exc.reason}", offline=True) from None
        except PublishError as exc:
            raise PolicyFetchFailed(exc.reason) from None
        except RefetchRefused as exc:
            raise PolicyFetchFailed(str(exc)) from None
        return PolicyDownload(got.not_modified, got.body, etag=got.etag, last_modified=got.last_modified)
