"""The composition root: parse the command line, set up paths and logging, open the data, start the UI.

Nothing here imports Qt until the window is about to be built, so ``--help``, ``--version`` and the
headless commands start fast and work without a display.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop import APP_NAME, __version__
from desktop.core.drafts import DraftStore
from desktop.core.errors import DatabaseTooNewError, StorageError
from desktop.core.logs import configure_logging
from desktop.core.networks import NETWORKS, parse_network
from desktop.core.paths import AppPaths
from desktop.core.settings import Settings

if TYPE_CHECKING:
    from desktop.core.publishing import SecretStore
    from desktop.core.services import Services

log = logging.getLogger("chorus")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chorus",
        description=f"{APP_NAME}: write posts, check them against your company's social-media policy, "
        "and publish them to your own accounts.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        type=Path,
        help="keep settings, drafts and logs in DIR instead of your user folders "
        "(an isolated profile for demos, tests and support)",
    )
    parser.add_argument(
        "--network",
        metavar="NAME",
        action="append",
        type=_network_arg,
        help=f"show length counters for this network (repeatable; one of: {', '.join(NETWORKS)}); "
        "default: the 'Length counters' setting",
    )
    parser.add_argument("--debug", action="store_true", help="log everything, also to the terminal")
    parser.epilog = ("commands without a window: 'chorus check [FILE ...]' checks posts against the policy, "
                     "'chorus policy validate PATH' checks a policy file; add --help to either for details")
    return parser


def _network_arg(value: str) -> str:
    try:
        return parse_network(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def app_paths(profile: Path | None) -> AppPaths:
    paths = AppPaths.for_profile(profile) if profile else AppPaths.platform_default()
    paths.ensure()
    return paths


def build_services(
    settings: Settings,
    store: DraftStore,
    cache_dir: Path | None = None,
    *,
    secret_store: "SecretStore | None" = None,
    endpoints: Mapping[str, Mapping[str, str]] | None = None,
) -> "Services":
    """Accounts, linking and publishing wired to the real adapters, for the UI (desktop.core.services).

    One loop over the network registry: each network whose adapter package is installed gets its
    ``client_factory``. Nothing is imported or built here: the accounts service, the keyring library,
    ``requests`` and the network clients come on first use, on whichever worker asks first. Every
    keyring call goes through one thread (SerialSecretStore). *secret_store* replaces the OS keyring
    (tests point it at a private Secret Service); *endpoints* (per network id) point adapters at test
    servers on this computer.
    """
    import threading

    from desktop.core import networks
    from desktop.core.services import Services

    lock = threading.Lock()
    closing: list[Any] = []
    built: dict[str, Any] = {}
    endpoints = {network: dict(values) for network, values in (endpoints or {}).items()}

    def make_accounts() -> Any:
        from desktop.core.accounts import AccountService, AccountStore
        from desktop.core.accounts.secrets import SerialSecretStore

        def make_secret_store() -> "SecretStore":
            if secret_store is not None:
                return secret_store
            from desktop.adapters.keyring_store import KeyringSecretStore

            return KeyringSecretStore()

        secrets = SerialSecretStore(make_secret_store)
        closing.append(secrets)
        return AccountService(secrets, AccountStore(store))

    def client_factory(network: "networks.Network") -> Callable[[], Any]:
        """The network's client factory, its adapter imported on the first call."""

        def client() -> Any:
            with lock:
                factory = built.get(network.id)
                if factory is None:
                    from desktop.core.ports import AdapterContext

                    adapter = import_module(network.adapter or "")
                    context = AdapterContext(settings.get, endpoints.get(network.id, {}))
                    factory = built[network.id] = adapter.client_factory(context)
            return factory()

        return client

    factories = {network.id: client_factory(network) for network in networks.REGISTRY
                 if network.adapter and find_spec(network.adapter) is not None}

    class Clients(dict):
        """The publishing service's clients, each built when first needed."""

        def get(self, network: str, default: Any = None) -> Any:
            factory = factories.get(network)
            return factory() if factory is not None else default

    def make_linking(accounts: Any) -> Any:
        from desktop.core.accounts.linking import Linking

        return Linking(accounts, {network.id: factories[network.id] for network in networks.linkable()
                                  if network.id in factories})

    def make_publisher(accounts: Any, policy: Any) -> Any:
        from desktop.core.publishing.service import PublishService

        return PublishService(accounts, Clients(), policy)

    fetcher: list[Any] = []

    def fetch_image(url: str) -> bytes | None:
        with lock:
            if not fetcher:
                from desktop.adapters.images import ImageFetcher

                fetcher.append(ImageFetcher(cache_dir=cache_dir / "avatars" if cache_dir else None))
        return fetcher[0](url)

    def close() -> None:
        for each in closing:  # the keyring thread
            each.close()
        with lock:
            made = list(built.values())
            sessions = [fetch.session for fetch in fetcher if fetch._session is not None]
        for factory in made:  # each adapter's connection pools
            getattr(factory, "close", lambda: None)()
        for session in sessions:
            session.close()

    return Services(make_accounts, make_linking, make_publisher, fetch_image=fetch_image, cache_dir=cache_dir,
                    linkable=[network.id for network in networks.linkable() if network.id in factories],
                    on_close=[close])


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("check", "policy"):
        from desktop.cli import main as cli_main  # headless: no Qt, no profile, no logging set-up

        return cli_main(argv)
    args, qt_argv = build_parser().parse_known_args(argv)
    paths = app_paths(args.profile)
    settings = Settings(paths.settings_file)
    configure_logging(paths.log_file, "debug" if args.debug else settings.get("logging.level"), to_stderr=args.debug)
    log.info("%s %s starting; profile data in %s", APP_NAME, __version__, paths.data_dir)
    for problem in settings.problems:
        log.warning("settings: %s", problem)
    try:
        store = DraftStore.open(paths.drafts_db)
    except (DatabaseTooNewError, StorageError) as exc:
        log.error("cannot open drafts: %s", exc)
        print(f"chorus: {exc}", file=sys.stderr)
        from desktop.ui.app import show_fatal

        show_fatal(str(exc))
        return 1
    services = build_services(settings, store, paths.cache_dir)
    from desktop.ui.app import run  # Qt is imported only now

    try:
        return run(settings, store, args.network, store.notices, qt_argv, policy_cache=paths.last_good_policy,
                   services=services)
    finally:
        services.close()
        store.close()
        log.info("%s stopped", APP_NAME)
