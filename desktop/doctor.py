"""``chorus doctor`` and Help → Diagnostics: gather what support asks first, checked for real.

What is in force (version, folders, managed settings and their errors, the active policy and where
it comes from, how fresh), whether the keyring is usable and unlocked (asked without a password
prompt), the proxy each server is reached through, and whether a TLS connection to the policy
server and to each linked account's server succeeds with the trust Chorus uses (the operating
system's store plus ``network.ca_certificates``). The model and its text/JSON forms are in
:mod:`desktop.core.diagnostics`; nothing secret or personal goes in (no token, password, client
secret, proxy password, post text).

Blocking (D-Bus, the network, reading a policy): the command line runs it directly, the app on a
worker lane. The TLS checks run side by side, each bounded by :data:`TLS_DEADLINE_S`.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from desktop import APP_NAME, __version__
from desktop.core.diagnostics import Item, Report, Section, Status
from desktop.core.paths import AppPaths, resources_dir
from desktop.core.settings import Settings

TLS_DEADLINE_S = 10.0


def diagnose(paths: AppPaths, settings: Settings, *, remote_policy: Any = None,
             accounts: Callable[[], Sequence[Any]] | None = None,
             keyring_status: Callable[[], Item] | None = None,
             tls_check: Callable[[str], Item] | None = None) -> Report:
    """The report. *accounts* lists the linked accounts (AccountRecord); *keyring_status* and
    *tls_check* replace the real probes (the composition root and tests pass the real ones by
    default: :func:`keyring_item`, :func:`tls_item`). The TLS checks go through the proxy and trust the
    caller installed with ``desktop.adapters.http.use_settings`` (the app's and the command line's
    composition do), so they test what every adapter uses."""
    records, accounts_problem = _accounts(accounts)
    sections = [
        Section("Chorus", tuple(_about())),
        Section("Files", tuple(_files(paths))),
        Section("Settings", tuple(_settings(settings))),
        Section("Policy", tuple(_policy(settings, paths, remote_policy))),
        Section("Keyring", ((keyring_status or keyring_item)(),)),
        Section("Network", tuple(_network(settings, records, tls_check or tls_item))),
        Section("Accounts", tuple(_account_items(records, accounts_problem))),
    ]
    return Report(tuple(sections))


# -- sections -------------------------------------------------------------------------------------
def _about() -> Iterable[Item]:
    yield Item("Version", f"{APP_NAME} {__version__}")
    yield Item("Runs from", "installed bundle" if getattr(sys, "frozen", False) else str(Path(__file__).parent))
    yield Item("System", platform.platform(terse=True))
    yield Item("Python", platform.python_version())
    try:
        import PySide6

        yield Item("Qt for Python", str(PySide6.__version__))
    except ImportError:
        yield Item("Qt for Python", "not installed", Status.PROBLEM, "Reinstall Chorus.")
    session = os.environ.get("XDG_SESSION_TYPE") or os.environ.get("QT_QPA_PLATFORM") or ""
    if session:
        yield Item("Display", session)


def _files(paths: AppPaths) -> Iterable[Item]:
    for label, folder in (("Settings folder", paths.config_dir), ("Data folder", paths.data_dir),
                          ("Log folder", paths.log_dir), ("Cache folder", paths.cache_dir)):
        if not folder.exists():
            yield Item(label, f"{folder} (not created yet)")
        elif not os.access(folder, os.W_OK):
            yield Item(label, str(folder), Status.PROBLEM,
                       "Chorus cannot write here: check the folder's owner and permissions.")
        else:
            yield Item(label, str(folder), Status.OK)
    drafts = paths.drafts_db
    if drafts.exists():
        yield Item("Drafts database", f"{drafts} ({_size(drafts.stat().st_size)})", Status.OK)
    yield Item("Log file", str(paths.log_file))
    resources = resources_dir()
    if (resources / "policies").is_dir():
        yield Item("Built-in policies", str(resources / "policies"), Status.OK)
    else:
        yield Item("Built-in policies", f"missing ({resources})", Status.PROBLEM, "Reinstall Chorus.")


def _settings(settings: Settings) -> Iterable[Item]:
    yield Item("Your settings file", str(settings.user_file) if settings.user_file else "none")
    levels: dict[str, int] = {}
    for key in settings.specs:
        level = settings.source(key)
        levels[level] = levels.get(level, 0) + 1
    yield Item("Values in force", ", ".join(f"{count} {level}" for level, count in sorted(levels.items())))
    for source in settings.managed_sources:
        data = source.as_json()
        status = {"ok": Status.OK, "absent": Status.INFO}.get(str(data["status"]), Status.WARNING)
        state = {"absent": "nothing set", "ok": f"{len(source.keys)} value(s) set"}.get(str(data["status"]),
                                                                                       "read with errors")
        yield Item(f"Managed ({source.level})", f"{data['location']}: {state}", status,
                   "" if status is not Status.WARNING else "; ".join(
                       f"{e['origin']}: {e['key'] or ''} {e['message']}".replace(":  ", ": ")
                       for e in data["errors"])[:400] or "; ".join(source.failed)[:400])
    for problem in settings.problems:
        yield Item("Settings problem", str(problem), Status.WARNING,
                   "Values with a problem are ignored; the rest apply. `chorus settings list` shows every value.")


def _policy(settings: Settings, paths: AppPaths, remote_policy: Any) -> Iterable[Item]:
    from desktop.core.policy.active import load_active_policy

    source = str(settings.get("policy.source"))
    yield Item("Configured", f"{source} ({settings.source('policy.source')})")
    # last_good None: the doctor reads, it never replaces the app's last good copy
    active = load_active_policy(source, None, remote=remote_policy)
    if active.policy is None:
        yield Item("In use", "none: publishing is refused", Status.PROBLEM,
                   "; ".join(str(problem) for problem in active.problems[:3]) or "Choose a policy in Settings.")
        return
    status = Status.OK if active.ok and not active.offline else Status.WARNING
    yield Item("In use", f"{active.label} ({active.source_label})", status)
    freshness = active.freshness()
    if freshness:
        yield Item("Freshness", freshness, status)
    for problem in active.problems[:3]:
        yield Item("Policy problem", str(problem), Status.WARNING,
                   "Chorus keeps checking with the last good copy; ask the policy's owner to fix it.")
    if active.policy.info.contact:
        yield Item("Policy contact", active.policy.info.contact)


def _network(settings: Settings, records: Sequence[Any], tls_check: Callable[[str], Item]) -> Iterable[Item]:
    from desktop.adapters import http

    proxy = str(settings.get("network.proxy") or "")
    yield Item("Proxy setting", _setting_shown(proxy) or "(empty: the system's proxy)")
    extra = str(settings.get("network.ca_certificates") or "")
    if extra:
        path = Path(extra).expanduser()
        yield (Item("Extra certificates", str(path), Status.OK) if path.is_file()
               else Item("Extra certificates", f"{path} (missing)", Status.PROBLEM,
                         "The file in network.ca_certificates does not exist; ask IT."))
    targets: dict[str, str] = {}
    source = str(settings.get("policy.source")).strip()
    if source.lower().startswith(("https://", "http://")):
        targets[_origin(source)] = "policy server"
    for record in records:
        server = getattr(record.account, "server", "")
        if server.startswith(("https://", "http://")):
            targets.setdefault(_origin(server), f"{record.account.network} account server")
    for url in targets:
        yield Item(f"Proxy for {urlsplit(url).hostname}", http.describe_proxy(url))
    if not targets:
        yield Item("Connections", "nothing to check (no policy address, no linked account)")
        return
    with ThreadPoolExecutor(max_workers=min(4, len(targets)), thread_name_prefix="doctor-tls") as pool:
        results = list(pool.map(tls_check, targets))
    for (url, role), item in zip(targets.items(), results, strict=True):
        yield Item(f"TLS to {urlsplit(url).hostname} ({role})", item.value, item.status, item.advice)


def _account_items(records: Sequence[Any], problem: Item | None) -> Iterable[Item]:
    if problem is not None:
        yield problem
        return
    if not records:
        yield Item("Linked accounts", "none")
        return
    for record in records:
        account = record.account
        host = urlsplit(account.server).hostname or account.server
        if record.needs_relink:
            yield Item(account.network, f"{account.handle} on {host}", Status.WARNING,
                       f"Link it again: {record.last_error or 'its sign-in was refused'}")
        else:
            yield Item(account.network, f"{account.handle} on {host}", Status.OK)


# -- probes ---------------------------------------------------------------------------------------
def keyring_item() -> Item:
    """Which keyring holds Chorus's secrets and whether it is unlocked (no password prompt)."""
    from desktop.adapters.keyring_store import KeyringSecretStore
    from desktop.core.ports import SecretStoreError

    store = KeyringSecretStore()
    try:
        name = store.check()
        locked = store.locked()
    except SecretStoreError as exc:
        return Item("Keyring", str(exc), Status.PROBLEM, exc.advice)
    if locked:
        return Item("Keyring", f"{name}: locked", Status.WARNING,
                    "Chorus asks you to unlock it the next time it needs a credential.")
    return Item("Keyring", f"{name}: {'unlocked' if locked is False else 'available'}", Status.OK)


def tls_item(url: str) -> Item:
    """Connect to *url*'s server the way every adapter does (proxy, trust store, extra roots) and say
    whether TLS succeeded. Any HTTP answer counts: the connection and the certificate are what is checked."""
    from desktop.adapters import http
    from desktop.core.ports import Offline, PublishError

    session = http.make_session()
    try:
        # any answer will do: the connection and the certificate are what is checked
        http.fetch(session, "HEAD", url, what="checking the connection", public=True,
                   deadline=TLS_DEADLINE_S, max_bytes=64 * 1024, allow_http=True)
    except Offline as exc:
        return Item("TLS", f"cannot be reached: {exc.reason}", Status.PROBLEM,
                    "Check the network, the proxy (network.proxy) and that the server is up.")
    except PublishError as exc:
        advice = ("Ask IT for the company's root certificate (network.ca_certificates)."
                  if isinstance(exc, http.CertificateNotTrusted) else "")
        return Item("TLS", exc.reason, Status.PROBLEM, advice)
    finally:
        session.close()
    if urlsplit(url).scheme == "https":
        return Item("TLS", "connected; certificate trusted", Status.OK)
    return Item("TLS", "connected (plain HTTP, allowed to this computer only)", Status.OK)


# -- helpers --------------------------------------------------------------------------------------
def _accounts(accounts: Callable[[], Sequence[Any]] | None) -> tuple[Sequence[Any], Item | None]:
    if accounts is None:
        return (), None
    try:
        return list(accounts()), None
    except Exception as exc:  # noqa: BLE001 - a locked or damaged database is reported, not raised
        return (), Item("Linked accounts", f"cannot be read ({type(exc).__name__}: {exc})", Status.WARNING)


def profile_accounts(paths: AppPaths) -> Callable[[], Sequence[Any]]:
    """The linked accounts of a profile, read from its drafts database (nothing when it has none)."""

    def read() -> Sequence[Any]:
        if not paths.drafts_db.exists():
            return []
        from desktop.core.accounts.store import AccountStore
        from desktop.core.drafts import DraftStore

        store = DraftStore.open(paths.drafts_db)
        try:
            return AccountStore(store).accounts()
        finally:
            store.close()

    return read


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return f"{parts.scheme.lower()}://{netloc}/"


def _setting_shown(value: str) -> str:
    """A proxy setting without a password in it."""
    parts = urlsplit(value)
    if parts.password:
        netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return parts._replace(netloc=netloc).geturl()
    return value


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    value = n / 1024
    for unit in ("kB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
