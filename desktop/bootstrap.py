"""The composition root: parse the command line, set up paths and logging, open the data, start the UI.

Nothing here imports Qt until the window is about to be built, so ``--help``, ``--version`` and the
headless commands start fast and work without a display.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop import APP_NAME, __version__
from desktop.core.drafts import DraftStore
from desktop.core.errors import DatabaseTooNewError, StorageError
from desktop.core.logs import configure_logging
from desktop.core.networks import NETWORKS, parse_network
from desktop.core.paths import AppPaths
from desktop.core.settings import Settings

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
    from desktop.ui.app import run  # Qt is imported only now

    try:
        return run(settings, store, args.network, store.notices, qt_argv, policy_cache=paths.last_good_policy)
    finally:
        store.close()
        log.info("%s stopped", APP_NAME)
