"""Real managed-settings files under the fixed ``/etc/xdg/chorus`` (tests run as root, as CI does).

:func:`etc_managed` writes one JSON file (root-owned, 0644) into ``managed/`` or ``recommended/``
and removes it, and any folder it had to create, afterwards, so the machine is left as it was.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop.adapters.managed_settings import LINUX_BASE


@contextmanager
def etc_managed(values: dict[str, Any] | str, level: str = "managed", name: str | None = None) -> Iterator[Path]:
    """*values* (or raw text) as ``/etc/xdg/chorus/<level>/<name>``; yields the file's path."""
    assert os.geteuid() == 0, "these tests write under /etc/xdg/chorus: run them as root (CI does)"
    folder = LINUX_BASE / level
    created = [p for p in (LINUX_BASE, folder) if not p.exists()]
    for each in created:
        each.mkdir(mode=0o755)
        os.chmod(each, 0o755)  # whatever the umask
    path = folder / (name or f"zz-chorus-test-{os.getpid()}.json")
    try:
        path.write_text(values if isinstance(values, str) else json.dumps(values), encoding="utf-8")
        os.chown(path, 0, 0)
        os.chmod(path, 0o644)
        yield path
    finally:
        path.unlink(missing_ok=True)
        for each in reversed(created):
            try:
                each.rmdir()
            except OSError:  # something else was put there meanwhile: leave it
                pass
