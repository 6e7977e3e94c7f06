"""Publishing benchmark: one draft to three accounts versus to one, each server 300 ms slow.

    python -m tests.benchmarks.publish [--runs 5] [--latency 0.3]

Three Mastodon test servers on 127.0.0.1 (tests/servers/mastodon_server.py), each holding every
post for ``--latency`` seconds before answering; the real Mastodon adapter, the real publishing
service, accounts linked through the real OAuth flow, secrets in a real Secret Service
(gnome-keyring on a private D-Bus). Each run publishes a new text (so nothing is deduplicated):
once to one account, once to all three. Medians over ``--runs``. Prints one JSON line.
Target (issue 5): ``parallel_ratio`` = three / one <= 1.3.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from desktop.adapters.keyring_store import KeyringSecretStore
from desktop.adapters.networks.mastodon import MastodonClient
from desktop.core.accounts import AccountService, AccountStore
from desktop.core.drafts import DraftStore
from desktop.core.policy import load_policy
from desktop.core.publishing.service import PublishService
from tests.integration.secret_service import SecretService
from tests.servers.mastodon_browser import AuthorizeBrowser
from tests.servers.mastodon_server import MastodonTestServer

STATUSES = "/api/v1/statuses"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.3)
    args = parser.parse_args()
    keyring_service = SecretService().start()
    servers = [MastodonTestServer(users={"alice": "pw"}, statuses_limit=10_000).start() for _ in range(3)]
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = keyring_service.address
    from keyring.backends import SecretService as secret_service_backend

    try:
        with tempfile.TemporaryDirectory() as folder:
            drafts = DraftStore.open(Path(folder) / "drafts.db")
            accounts = AccountService(KeyringSecretStore(secret_service_backend.Keyring()), AccountStore(drafts))
            client = MastodonClient(timeout=(2.0, 10.0))
            targets = []
            for server in servers:
                registration, client_secret = client.register_app(server.url)
                browser = AuthorizeBrowser("alice", "pw")
                account, token = client.link_with_browser(registration, client_secret, browser, timeout=10)
                browser.close()
                targets.append(accounts.link(account, token).account.id)
            policy = load_policy("acme-example")
            service = PublishService(accounts, {"mastodon": client}, lambda: policy)
            draft = drafts.create("")
            single, triple = [], []
            for run in range(args.runs):
                for chosen, times in ((targets[:1], single), (targets, triple)):
                    for server in servers[: len(chosen)]:
                        server.delay_next(args.latency, path=STATUSES, method="POST")
                    text = f"Benchmark post {run}-{len(chosen)} {time.time_ns()}"
                    started = time.perf_counter()
                    results = service.publish(draft.id, text, chosen)
                    times.append(time.perf_counter() - started)
                    assert all(r.state == "sent" for r in results), results
            service.close()
            client.http.close()
            drafts.close()
    finally:
        for server in servers:
            server.stop()
        keyring_service.stop()
    one, three = statistics.median(single), statistics.median(triple)
    print(json.dumps({"latency_s": args.latency, "runs": args.runs, "single_s": round(one, 3),
                      "three_s": round(three, 3), "parallel_ratio": round(three / one, 3)}))


if __name__ == "__main__":
    main()
