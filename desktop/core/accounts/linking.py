"""Linking accounts, one flow per kind of sign-in (``desktop.core.networks.LinkFlow``), without Qt:
the network's sign-in through its adapter, then the keyring and the database through
:class:`~desktop.core.accounts.service.AccountService`.

    linking = Linking(accounts, clients={network_id: factory, ...})
    record = linking.link_with_password("bluesky", "alice.bsky.social", "abcd-efgh-ijkl-mnop")
    record = linking.link_with_browser("mastodon", "mastodon.social", open_browser, cancel=event)
    pending = linking.begin_code("mastodon", "mastodon.social"); record = linking.complete_code("mastodon", pending, code)
    problem = linking.problem("linkedin")     # what IT must set up first, or None
    linking.unlink(record.id)

What IT allows (:class:`LinkRules`, from the settings ``accounts.linking_allowed``,
``accounts.allowed_networks`` and each federated network's ``<id>.allowed_instances``) is checked before any sign-in
starts: a refused link raises :class:`LinkRefused` with a sentence saying why; the UI asks
:meth:`LinkRules.refusal` first to say it at once.

The clients come from factories the composition root builds from the registry (each adapter
package's ``client_factory``); they implement the link-flow protocols of :mod:`desktop.core.ports`.
Every method blocks (network, keyring, a person in the browser): call it from a worker, never the
GUI thread.

Errors are the :class:`~desktop.core.ports.PublishError` family (``reason`` is a sentence for
people), :class:`~desktop.core.ports.SecretStoreError` (``advice`` says what to do; nothing was
linked), or ValueError for an address that cannot be understood. Use :func:`describe_error` to turn
any of them into the words the user sees.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from desktop.core import networks
from desktop.core.accounts.secrets import app_secret_key
from desktop.core.accounts.service import AccountNotFound, AccountService, MissingSecret
from desktop.core.accounts.store import AccountRecord
from desktop.core.errors import describe
from desktop.core.ports import (
    AppRegistration,
    AuthError,
    BrowserLinker,
    OpenBrowser,
    PasswordLinker,
    PendingCode,
    PublishError,
    SecretStoreError,
)

log = logging.getLogger(__name__)

__all__ = ["LinkRefused", "LinkRules", "Linking", "OpenBrowser", "describe_error", "server_host"]

LINKING_OFF = "Your organisation has turned off linking accounts in Chorus."


class LinkRefused(PublishError):
    """Linking this account is not allowed by the organisation's settings (nothing was contacted)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


def server_host(text: str) -> str:
    """The host name a person's server entry names: ``mastodon.social``, ``you@mastodon.social``,
    ``@you@mastodon.social``, ``https://mastodon.social/@you`` all give ``mastodon.social`` (lower
    case, no port, no trailing dot); '' when it names none."""
    text = text.strip()
    if "://" in text:
        try:
            host = urlsplit(text).hostname or ""
        except ValueError:
            return ""
    else:
        host = text.split("/", 1)[0].rsplit("@", 1)[-1]
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host  # a port, not an IPv6 address
    return host.strip().rstrip(".").lower()


# a network whose registry entry declares "<id>.allowed_instances" (a list of host names) lets IT
# limit the servers its accounts may be linked on (Mastodon's mastodon.allowed_instances)
ALLOWED_SERVERS_SETTING = "{network}.allowed_instances"


def _allowed_servers_setting(network: networks.Network) -> str | None:
    key = ALLOWED_SERVERS_SETTING.format(network=network.id)
    return key if any(spec.key == key for spec in network.settings) else None


def _host_matches(host: str, entry: str) -> bool:
    return host == entry or (entry.startswith("*.") and host.endswith(entry[1:]))


@dataclass(frozen=True)
class LinkRules:
    """What the organisation allows people to link (all of it by default)."""

    allowed: bool = True
    networks: tuple[str, ...] = tuple(networks.NETWORKS)
    # network id -> host names, or *.domain for every server under it; a network not here: any server
    servers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, get: Callable[[str], Any]) -> LinkRules:
        """From the settings in force (``Settings.get``)."""
        servers: dict[str, tuple[str, ...]] = {}
        for network in networks.REGISTRY:
            key = _allowed_servers_setting(network)
            entries = tuple(e.strip().rstrip(".").lower() for e in get(key)) if key else ()
            if entries:
                servers[network.id] = entries
        return cls(bool(get("accounts.linking_allowed")), tuple(get("accounts.allowed_networks")), servers)

    def offered(self, candidates: Sequence[str]) -> list[str]:
        """The networks of *candidates* that may be linked now (none when linking is off)."""
        return [network for network in candidates if self.allowed and network in self.networks]

    def network_refusal(self, network: str) -> str | None:
        if not self.allowed:
            return LINKING_OFF
        if network not in self.networks:
            name = networks.DISPLAY_NAMES.get(network, network)
            return f"Your organisation does not allow linking {name} accounts in Chorus."
        return None

    def refusal(self, network: str, server: str | None = None) -> str | None:
        """Why linking an account of *network* on *server* is not allowed, or None when it is."""
        refused = self.network_refusal(network)
        allowed = self.servers.get(network, ())
        if refused is not None or not allowed:
            return refused
        host = server_host(server or "")
        if host and any(_host_matches(host, entry) for entry in allowed):
            return None
        name = networks.DISPLAY_NAMES.get(network, network)
        named = f"{host} is not one of them" if host else "enter one of them as your server"
        return (f"Your organisation allows {name} accounts only on these servers: {', '.join(allowed)}; {named}. "
                "Ask IT if you need another server.")


# the one mapping of errors to words, under the name the linking callers know
describe_error = describe


class _Vault:
    """The AppVault adapters keep their apps in: registrations in the database, secrets in the keyring."""

    def __init__(self, accounts: AccountService) -> None:
        self.accounts = accounts

    def registration(self, network: str, server: str) -> tuple[AppRegistration, str] | None:
        return self.accounts.app_registration(network, server)

    def save_registration(self, registration: AppRegistration, client_secret: str) -> None:
        self.accounts.save_app_registration(registration, client_secret)

    def app_secret(self, network: str, name: str) -> str | None:
        return self.accounts.secrets.get(app_secret_key(network, name))


class Linking:
    """The linking flows. *clients* maps a network id to a factory of its client (the networks
    this build can link); a network without one cannot be linked here."""

    def __init__(self, accounts: AccountService, clients: Mapping[str, Callable[[], Any]] | None = None, *,
                 browser_timeout_s: float = 300.0, rules: Callable[[], LinkRules] = LinkRules) -> None:
        """*rules* gives what the organisation allows now (``LinkRules.from_settings``; all by default)."""
        self.accounts = accounts
        self._factories = dict(clients or {})
        self.apps = _Vault(accounts)
        self.browser_timeout_s = browser_timeout_s
        self.rules = rules

    def check_allowed(self, network: str, server: str | None = None) -> None:
        """Raise :class:`LinkRefused` when the organisation does not allow this link."""
        refused = self.rules().refusal(network, server)
        if refused is not None:
            log.info("linking a %s account refused by the managed settings", network)
            raise LinkRefused(refused)

    def available(self, network: str) -> bool:
        return network in self._factories

    def _client(self, network: str) -> Any:
        factory = self._factories.get(network)
        if factory is None:
            name = networks.DISPLAY_NAMES.get(network, network)
            raise PublishError(f"This version of Chorus cannot link {name} accounts.", retryable=False)
        return factory()

    # -- the app password flow --------------------------------------------------------------------
    def link_with_password(self, network: str, identifier: str, app_password: str,
                           server: str | None = None) -> AccountRecord:
        """Sign in with an app password (on the person's own *server* when given); the secret goes to
        the keyring."""
        self.check_allowed(network, server)
        client: PasswordLinker = self._client(network)
        account, secret = client.link(identifier, app_password, (server or "").strip() or None)
        return self.accounts.link(account, secret)

    # -- the browser flow ---------------------------------------------------------------------------
    def problem(self, network: str) -> str | None:
        """Why accounts of *network* cannot be linked on this computer (IT's part), or None when they can."""
        refused = self.rules().network_refusal(network)
        if refused is not None:
            return refused
        try:
            client: BrowserLinker = self._client(network)
            client.check_ready(self.apps)
        except (PublishError, SecretStoreError) as exc:
            return describe_error(exc)
        return None

    def link_with_browser(self, network: str, server: str | None, open_browser: OpenBrowser, *,
                          cancel: threading.Event | None = None, timeout: float | None = None) -> AccountRecord:
        """Authorize in the browser (a loopback redirect back to Chorus); the token goes to the keyring."""
        self.check_allowed(network, server)
        client: BrowserLinker = self._client(network)
        account, token = client.link_with_browser(server, open_browser, self.apps,
                                                  timeout=timeout or self.browser_timeout_s, cancel=cancel)
        return self.accounts.link(account, token)

    def begin_code(self, network: str, server: str | None) -> PendingCode:
        """The paste-the-code fallback: open ``pending.url``; the server shows a code to paste."""
        self.check_allowed(network, server)
        client: BrowserLinker = self._client(network)
        return client.begin_code(server, self.apps)

    def complete_code(self, network: str, pending: Any, code: str) -> AccountRecord:
        client: BrowserLinker = self._client(network)
        account, token = client.complete_code(pending, code)
        return self.accounts.link(account, token)

    # -- keeping linked accounts current -----------------------------------------------------------
    def refresh(self, account_id: str) -> AccountRecord | None:
        """Read the account's current profile (name, avatar) and its server's limits again, through
        the network's ``refresh_account`` (which also checks the sign-in and hands back a renewed
        session through ``on_secret``). Returns the updated record when something changed, None
        otherwise. Never raises: a sign-in that stopped working marks the account for re-linking; a
        network or keyring problem is logged and left for the next time."""
        record = self.accounts.store.get_account(account_id)
        if record is None or not self.available(record.account.network):
            return None
        account = record.account
        try:
            client = self._client(account.network)
            refresh = getattr(client, "refresh_account", None)
            if refresh is None:
                return None
            secret = self.accounts.secret(account_id)
            fresh = refresh(account, secret, on_secret=lambda new: self.accounts.replace_secret(account_id, new))
        except AuthError as exc:
            self.accounts.record_auth_failure(account_id, exc.reason)
            return self.accounts.store.get_account(account_id)
        except Exception as exc:  # noqa: BLE001 - offline, keyring locked, server trouble: try another time
            log.info("could not refresh %s: %s", account_id, describe_error(exc))
            return None
        if fresh == account:
            return None
        return self.accounts.update(fresh)

    # -- unlinking --------------------------------------------------------------------------------
    def unlink(self, account_id: str, *, force: bool = False) -> None:
        """Delete the account's keyring entry and metadata (AccountService.unlink), then, where the
        network can, tell the server to revoke the credential (best effort: unlinking never fails
        because of it)."""
        record = self.accounts.store.get_account(account_id)
        if record is None:
            raise AccountNotFound(account_id)
        forget = None
        if self.available(record.account.network):
            try:
                forget = getattr(self._client(record.account.network), "forget", None)
            except Exception:  # noqa: BLE001 - a client that cannot be built has nothing to revoke
                forget = None
        token = None
        if forget is not None:
            try:
                token = self.accounts.secret(account_id)
            except (SecretStoreError, MissingSecret):
                token = None  # unlink below reports a locked keyring; a missing token needs no revoking
        self.accounts.unlink(account_id, force=force)
        if forget is not None and token:
            try:
                forget(record.account, token, self.apps)
            except Exception as exc:  # noqa: BLE001 - the account is unlinked either way
                log.warning("could not revoke the token of %s: %s", account_id, type(exc).__name__)
