"""The composition root: parse the command line, set up paths and logging, open the data, start the UI.

Nothing here imports Qt until the window is about to be built, so ``--help``, ``--version`` and the
headless commands start fast and work without a display.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop import APP_NAME, __version__
from desktop.core.drafts import DraftStore
from desktop.core.drafts.opening import BUSY_TIMEOUT_S
from desktop.core.errors import ProfileFolderError, StorageError
from desktop.core.logs import configure_logging
from desktop.core.networks import NETWORKS, parse_network
from desktop.core.paths import AppPaths
from desktop.core.settings import Settings

if TYPE_CHECKING:
    from desktop.core.ports import SecretStore
    from desktop.core.services import Services
    from desktop.core.training.gate import PolicyGate

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
    parser.add_argument(
        "--demo",
        metavar="BUNDLE",
        nargs="?",
        const="",
        help="start a demo for training: a temporary profile (deleted at the end) with sample drafts and "
        "accounts on a sandbox network that publishes nowhere; BUNDLE is a demo bundle file "
        "(default: the built-in Acme demo)",
    )
    parser.epilog = ("commands without a window: 'chorus check [FILE ...]' checks posts against the policy, "
                     "'chorus policy validate PATH' checks a policy file, 'chorus settings list' shows every setting and "
                     "where it comes from, 'chorus restore-drafts [FILE]' lists "
                     "or brings back drafts databases moved aside; add --help to any of them for details")
    return parser


def _network_arg(value: str) -> str:
    try:
        return parse_network(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def app_paths(profile: Path | None) -> AppPaths:
    """The profile's folders, created; a path in the way raises :class:`ProfileFolderError`."""
    paths = AppPaths.for_profile(profile) if profile else AppPaths.platform_default()
    try:
        paths.ensure()
    except OSError as exc:
        where = Path(exc.filename) if exc.filename else paths.data_dir
        blocker = next((p for p in [where, *where.parents] if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise ProfileFolderError(
                f"Chorus cannot keep its files in {where}: {blocker} is a file, not a folder. Move that file away "
                f"or choose another folder (--profile DIR), then start Chorus again."
            ) from exc
        raise ProfileFolderError(
            f"Chorus cannot create its folder {where} ({exc.strerror or exc}). Check that your user may write "
            f"there, or choose another folder (--profile DIR), then start Chorus again."
        ) from exc
    return paths


# Exit code of a start that failed with a message (1 means "blocked" for the headless check).
EXIT_START_FAILED = 2


@dataclass(frozen=True)
class StartFailure:
    """Why Chorus cannot start: the message for the dialog and the terminal, and the exit code."""

    message: str
    exit_code: int = EXIT_START_FAILED


@dataclass(frozen=True)
class Started:
    paths: AppPaths
    settings: Settings
    store: DraftStore


def open_profile(profile: Path | None, *, debug: bool = False,
                 busy_timeout: float = BUSY_TIMEOUT_S) -> Started | StartFailure:
    """Everything the window needs from the disk (folders, settings, logging, the drafts database).

    Every storage problem becomes a :class:`StartFailure` (logged when the log can be written),
    never a traceback: the caller shows it and exits with its code.
    """
    try:
        paths = app_paths(profile)
    except StorageError as exc:
        return StartFailure(str(exc))
    from desktop.adapters.managed_settings import load_settings

    settings = load_settings(paths)
    configure_logging(paths.log_file, "debug" if debug else settings.get("logging.level"), to_stderr=debug)
    log.info("%s %s starting; profile data in %s", APP_NAME, __version__, paths.data_dir)
    for problem in settings.problems:
        log.warning("settings: %s", problem)
    try:
        store = DraftStore.open(paths.drafts_db, busy_timeout=busy_timeout)
    except StorageError as exc:
        log.error("cannot open drafts (%s): %s", type(exc).__name__, exc)
        return StartFailure(str(exc))
    for notice in store.notices:
        log.warning("start notice: %s", notice)
    return Started(paths, settings, store)


def report_failure(failure: StartFailure, show: Callable[[str], None] | None = None) -> int:
    """Print *failure*, show it in a dialog (*show*; by default the Qt one) and return its exit code."""
    print(f"chorus: {failure.message}", file=sys.stderr)
    if show is None:
        from desktop.ui.shell.app import show_fatal

        show = show_fatal
    show(failure.message)
    return failure.exit_code


def build_services(
    settings: Settings,
    store: DraftStore,
    cache_dir: Path | None = None,
    *,
    secret_store: SecretStore | None = None,
    endpoints: Mapping[str, Mapping[str, str]] | None = None,
    policy_download: Path | None = None,
    policy_gate: PolicyGate | None = None,
    demo: bool = False,
) -> Services:
    """Accounts, linking and publishing wired to the real adapters, for the UI (desktop.core.services).

    One loop over the network registry: each network whose adapter package is installed gets its
    ``client_factory``. Nothing is imported or built here: the accounts service, the keyring library,
    ``requests`` and the network clients come on first use, on whichever worker asks first. Every
    keyring call goes through one thread (SerialSecretStore). *secret_store* replaces the OS keyring
    (tests point it at a private Secret Service); *endpoints* (per network id) point adapters at test
    servers on this computer; *demo* wires the demo-only networks instead (the sandbox, whose
    ``endpoints`` name its posts file): a demo reaches no real network and links no account.
    *policy_download* is the folder keeping a downloaded policy
    (``AppPaths.policy_download``; None: a policy URL cannot be used). Every adapter's HTTP session
    reads the proxy and extra-certificate settings (``desktop.adapters.http.use_settings``).
    """
    import threading

    from desktop.core import networks
    from desktop.core.services import Services

    lock = threading.Lock()
    closing: list[Any] = []
    built: dict[str, Any] = {}
    endpoints = {network: dict(values) for network, values in (endpoints or {}).items()}
    network_settings_used: list[bool] = []

    def use_network_settings() -> None:
        """Before the first request (under *lock*): every HTTP session follows network.proxy and
        network.ca_certificates from now on."""
        if not network_settings_used:
            from desktop.adapters import http

            http.use_settings(settings.get)
            network_settings_used.append(True)

    def make_accounts() -> Any:
        from desktop.core.accounts import AccountService, AccountStore
        from desktop.core.accounts.secrets import SerialSecretStore

        def make_secret_store() -> SecretStore:
            if secret_store is not None:
                return secret_store
            from desktop.adapters.keyring_store import KeyringSecretStore

            return KeyringSecretStore()

        secrets = SerialSecretStore(make_secret_store)
        closing.append(secrets)
        return AccountService(secrets, AccountStore(store))

    def client_factory(network: networks.Network) -> Callable[[], Any]:
        """The network's client factory, its adapter imported on the first call."""

        def client() -> Any:
            with lock:
                factory = built.get(network.id)
                if factory is None:
                    from desktop.core.ports import AdapterContext

                    use_network_settings()

                    adapter = import_module(network.adapter or "")
                    context = AdapterContext(settings.get, endpoints.get(network.id, {}))
                    factory = built[network.id] = adapter.client_factory(context)
            return factory()

        return client

    factories = {network.id: client_factory(network) for network in networks.in_use(demo=demo)
                 if network.adapter and find_spec(network.adapter) is not None}

    class Clients(dict):
        """The publishing service's clients, each built when first needed."""

        def get(self, network: str, default: Any = None) -> Any:
            factory = factories.get(network)
            return factory() if factory is not None else default

    def link_rules() -> Any:
        from desktop.core.accounts.linking import LinkRules

        return LinkRules.from_settings(settings.get)

    def make_linking(accounts: Any) -> Any:
        from desktop.core.accounts.linking import Linking

        return Linking(accounts, {network.id: factories[network.id] for network in networks.linkable()
                                  if network.id in factories}, rules=link_rules)

    def make_publisher(accounts: Any, policy: Any) -> Any:
        from desktop.core.drafts.media import DraftMedia
        from desktop.core.publishing.service import PublishService
        from desktop.core.references import draft_references

        # a send not handed images (the outbox, Retry after an interruption) takes the draft's own
        return PublishService(accounts, Clients(), policy, gate=policy_gate.refusal if policy_gate else None,
                              draft_images=DraftMedia(store).list,
                              audit_text=lambda: bool(settings.get("audit.include_text")),
                              references=lambda draft_id, rules: draft_references(store, draft_id, rules))

    fetcher: list[Any] = []

    def fetch_image(url: str) -> bytes | None:
        with lock:
            if not fetcher:
                from desktop.adapters.images import ImageFetcher

                use_network_settings()

                fetcher.append(ImageFetcher(cache_dir=cache_dir / "avatars" if cache_dir else None))
        return fetcher[0](url)

    policy_fetchers: list[Any] = []

    class PolicyFetcher:
        """The policy downloader (desktop.adapters.policy_fetch), imported on the first download."""

        def fetch_policy(self, url: str, *, etag: str | None, last_modified: str | None) -> Any:
            with lock:
                if not policy_fetchers:
                    from desktop.adapters.policy_fetch import HttpPolicyFetcher

                    use_network_settings()
                    policy_fetchers.append(HttpPolicyFetcher())
            return policy_fetchers[0].fetch_policy(url, etag=etag, last_modified=last_modified)

    remote_policy = None
    if policy_download is not None:
        from desktop.core.policy.remote import PolicyDownloadCache, RemotePolicy

        remote_policy = RemotePolicy(PolicyFetcher(), PolicyDownloadCache(policy_download))

    feed_fetchers: list[Any] = []

    class FeedFetcher:
        """The Ideas' feed downloader (desktop.adapters.feeds), imported on the first download."""

        def fetch_feed(self, url: str, *, etag: str | None, last_modified: str | None) -> Any:
            with lock:
                if not feed_fetchers:
                    from desktop.adapters.feeds import HttpFeedFetcher

                    use_network_settings()
                    feed_fetchers.append(HttpFeedFetcher())
            return feed_fetchers[0].fetch_feed(url, etag=etag, last_modified=last_modified)

    def close() -> None:
        for each in closing:  # the keyring thread
            each.close()
        with lock:
            made = list(built.values())
            sessions = [fetch.session for fetch in fetcher if fetch._session is not None]
            downloaders = list(policy_fetchers) + list(feed_fetchers)
        for factory in made:  # each adapter's connection pools
            getattr(factory, "close", lambda: None)()
        for session in sessions:
            session.close()
        for downloader in downloaders:
            downloader.close()

    services = Services(make_accounts, make_linking, make_publisher, fetch_image=fetch_image, cache_dir=cache_dir,
                        linkable=[network.id for network in networks.linkable() if network.id in factories],
                        on_close=[close], link_rules=link_rules, remote_policy=remote_policy, policy_gate=policy_gate)
    services.feed_fetcher = FeedFetcher()  # issue 15: the Ideas panel's feeds
    return services


def make_policy_gate(settings: Settings, store: DraftStore) -> PolicyGate:
    """Publishing waits until the policy in force is acknowledged (and, when IT requires it, the check of
    understanding passed): the records are the profile's drafts database (desktop.core.training)."""
    from desktop.core.training import PolicyGate, TrainingRecords

    return PolicyGate(TrainingRecords(store), lambda: bool(settings.get("training.quiz_required")))


def sweep_draft_media(store: DraftStore) -> threading.Thread:
    """Remove image copies no draft uses any more (images removed, drafts purged from the bin), on a
    thread of its own so the window does not wait for the disk. Joined before the database closes."""

    def sweep() -> None:
        from desktop.core.drafts.media import DraftMedia

        try:
            removed = DraftMedia(store).sweep()
        except Exception:  # noqa: BLE001 - a failed clean-up must not stop Chorus; it runs again next start
            log.exception("could not remove unused image copies")
            return
        if removed:
            log.info("removed %d image copies no draft uses any more", removed)

    thread = threading.Thread(target=sweep, name="chorus-media-sweep", daemon=True)
    thread.start()
    return thread


def make_diagnose(paths: AppPaths, settings: Settings, store: DraftStore, remote_policy: Any) -> Callable[[], Any]:
    """Help → Diagnostics: the ``chorus doctor`` report of this profile (desktop.doctor), blocking."""

    def diagnose() -> Any:
        from desktop.adapters import http
        from desktop.core.accounts.store import AccountStore
        from desktop.doctor import diagnose as run

        http.use_settings(settings.get)  # as build_services does before the first request (the same settings)
        return run(paths, settings, remote_policy=remote_policy, accounts=lambda: AccountStore(store).accounts())

    return diagnose


def main(argv: Sequence[str] | None = None, *, show_fatal: Callable[[str], None] | None = None,
         busy_timeout: float = BUSY_TIMEOUT_S) -> int:
    """Start Chorus. *show_fatal* replaces the Qt dialog for start-up failures, *busy_timeout* how long
    opening waits for another program holding the drafts (both for tests and embedding)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("check", "policy", "settings", "doctor", "keyring-selftest", "audit"):
        from desktop.cli import main as cli_main  # headless: no Qt, no profile, no logging set-up

        return cli_main(argv)
    if argv and argv[0] == "restore-drafts":
        from desktop.restore_drafts import main as restore_main  # headless too

        return restore_main(argv[1:])
    args, qt_argv = build_parser().parse_known_args(argv)
    from desktop.ui.shell.qt_check import check_xcb  # imports no Qt: Qt aborts on a missing system library

    missing = check_xcb()
    if missing is not None:
        print(f"chorus: {missing.message()}", file=sys.stderr)
        if missing.required:
            return EXIT_START_FAILED
    if args.demo is not None:
        return run_demo(args.demo or None, args, qt_argv, show_fatal)
    try:
        data_dir = app_paths(args.profile).data_dir
    except StorageError as exc:
        return report_failure(StartFailure(str(exc)), show_fatal)
    from desktop.ui.shell.single_instance import ProfileBusy, ProfileGuard  # QtCore only, before any data is opened

    guard = ProfileGuard(data_dir)
    try:
        if not guard.acquire():
            print(f"chorus: {APP_NAME} is already open with this profile: its window was brought forward",
                  file=sys.stderr)
            return 0
    except ProfileBusy as exc:
        return report_failure(StartFailure(str(exc), exit_code=1), show_fatal)
    try:
        started = open_profile(args.profile, debug=args.debug, busy_timeout=busy_timeout)
        if isinstance(started, StartFailure):
            return report_failure(started, show_fatal)
        settings, store = started.settings, started.store
        services = build_services(settings, store, started.paths.cache_dir,
                                  policy_download=started.paths.policy_download,
                                  policy_gate=make_policy_gate(settings, store))
        services.diagnose = make_diagnose(started.paths, settings, store, services.remote_policy)
        sweeper = sweep_draft_media(store)
        from desktop.ui.shell.app import run  # Qt is imported only now

        try:
            return run(settings, store, args.network, store.notices, qt_argv,
                       policy_cache=started.paths.last_good_policy, services=services, guard=guard)
        finally:
            sweeper.join(timeout=10)
            services.close()
            store.close()
            log.info("%s stopped", APP_NAME)
    finally:
        guard.release()


# -- demo mode (chorus --demo [BUNDLE]) ---------------------------------------------------------------
def run_demo(bundle_path: str | None, args: argparse.Namespace, qt_argv: Sequence[str],
             show_fatal: Callable[[str], None] | None = None) -> int:
    """A demo: the bundle checked, a fresh temporary profile (old ones left by a crash deleted), the
    sandbox network wired with secrets in memory only, the sample state put in, the window, and the
    profile deleted at the end. Nothing is read from or written to the person's real profile, keyring
    or home folder (the XDG folders of this process point into the demo profile too)."""
    import os

    from desktop.core.accounts.secrets import MemorySecretStore
    from desktop.core.demo import BundleError, DemoProfile, DemoSession, load_bundle

    if args.profile is not None:
        return report_failure(StartFailure("--demo makes its own temporary profile: leave out --profile."), show_fatal)
    try:
        bundle = load_bundle(bundle_path)
    except BundleError as exc:
        return report_failure(StartFailure(f"{exc} {exc.advice}"), show_fatal)
    try:
        profile = DemoProfile.create()
    except OSError as exc:
        return report_failure(StartFailure(f"Chorus cannot make a temporary folder for the demo ({exc}). Check "
                                           "that the temporary folder has room and can be written."), show_fatal)
    saved_environment = dict(os.environ)
    try:
        home = profile.root / "home"  # what Qt, fontconfig and platformdirs write for this process
        for variable, folder in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                                 ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):
            (home / folder).mkdir(parents=True, exist_ok=True)
            os.environ[variable] = str(home / folder)
        session = DemoSession(bundle, profile)
        paths = app_paths(profile.root / "profile")
        session.prepare(paths.settings_file)
        started = open_profile(profile.root / "profile", debug=args.debug)
        if isinstance(started, StartFailure):
            return report_failure(started, show_fatal)
        settings, store = started.settings, started.store
        if not settings.get("demo.available"):
            store.close()
            return report_failure(StartFailure(
                "Demo mode is turned off on this computer by your organisation (the setting demo.available). "
                "Ask IT if you need it for a training session."), show_fatal)
        services = build_services(settings, store, started.paths.cache_dir, secret_store=MemorySecretStore(),
                                  endpoints={"sandbox": {"posts": str(session.posts.path)}}, demo=True,
                                  # the acknowledgement is part of what a trainer shows: asked as on a first start
                                  policy_gate=make_policy_gate(settings, store))
        session.reset(store, services.accounts)
        log.info("demo %r started in %s", bundle.name, profile.root)
        from desktop.ui.shell.app import run  # Qt is imported only now

        try:
            return run(settings, store, args.network, store.notices, qt_argv,
                       policy_cache=started.paths.last_good_policy, services=services, demo=session)
        finally:
            services.close()
            store.close()
            log.info("demo stopped; its profile is deleted")
            configure_logging(None, to_stderr=args.debug)  # the log file is in the profile: closed before it goes
    except StorageError as exc:
        return report_failure(StartFailure(str(exc)), show_fatal)
    finally:
        profile.remove()
        for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            if variable in saved_environment:
                os.environ[variable] = saved_environment[variable]
            else:
                os.environ.pop(variable, None)
