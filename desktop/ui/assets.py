"""The one place that knows where ``resources/`` is: the source tree, or inside a frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def asset_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
