"""Resource files for the UI (icons); where ``resources/`` lives is decided in desktop.core.paths."""

from __future__ import annotations

from pathlib import Path

from desktop.core.paths import resources_dir


def asset_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
