"""``chorus restore-drafts [--profile DIR] [FILE]``: list or bring back drafts databases moved aside.

Headless (no Qt), like ``chorus check``. Without FILE it lists what was moved aside and how many
drafts each file holds that the current database lacks; with FILE it restores that file
(:func:`desktop.core.drafts.recovery.restore_moved_aside`: the current database is kept beside it
and its newer drafts are merged in). Exit codes: 0 done, 2 something stopped it (message on stderr).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from desktop.core.drafts.recovery import list_moved_aside, restore_moved_aside
from desktop.core.errors import StorageError
from desktop.core.paths import AppPaths


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chorus restore-drafts",
        description="List the drafts databases Chorus moved aside (because they could not be read, or because "
        "a restore replaced them), or bring one back. Quit Chorus first. The current database is never "
        "deleted: it is kept beside the restored one and its drafts are merged in.",
    )
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE",
                        help="the file to bring back (one of those listed without FILE)")
    parser.add_argument("--profile", metavar="DIR", type=Path, help="the profile folder Chorus was started with")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    paths = AppPaths.for_profile(args.profile) if args.profile else AppPaths.platform_default()
    database = paths.drafts_db
    try:
        if args.file is None:
            return _list(database)
        chosen = args.file if args.file.is_absolute() or args.file.parent != Path() else database.parent / args.file
        result = restore_moved_aside(database, chosen)
    except StorageError as exc:
        print(f"chorus: {exc}", file=sys.stderr)
        return 2
    print(f"Restored {chosen.name} as {result.restored}: {result.drafts} draft(s).")
    if result.replaced is not None:
        merged = result.merged.get("drafts", 0)
        print(f"The database it replaced is kept as {result.replaced.name}; {merged} draft(s) from it were merged in.")
    for notice in result.notices:
        print(notice)
    return 0


def _list(database: Path) -> int:
    items = list_moved_aside(database)
    if not items:
        print(f"No drafts databases were moved aside beside {database}.")
        return 0
    print(f"Moved aside beside {database}:")
    for item in items:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(item.moved_at))
        held = "unreadable" if item.drafts is None else f"{item.drafts} draft(s), {item.missing} not in your current drafts"
        reason = "could not be read" if item.kind == "damaged" else "replaced by a restore"
        print(f"  {item.path.name}  {when}  ({reason}; {held})")
    print("Bring one back with: chorus restore-drafts [--profile DIR] FILE")
    return 0
