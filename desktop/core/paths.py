"""Where Chorus keeps its files.

By default the platform's per-user folders from platformdirs; with ``--profile DIR`` every file
lives under DIR instead (tests, demos and support use this to get an isolated profile).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from desktop import APP_ID, APP_NAME


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path
    cache_dir: Path

    @classmethod
    def for_profile(cls, profile: Path) -> AppPaths:
        profile = Path(profile).expanduser().resolve()
        return cls(profile / "config", profile / "data", profile / "logs", profile / "cache")

    @classmethod
    def platform_default(cls) -> AppPaths:
        import platformdirs

        dirs = platformdirs.PlatformDirs(appname=APP_ID if os.name != "nt" else APP_NAME, appauthor=False)
        return cls(
            Path(dirs.user_config_dir),
            Path(dirs.user_data_dir),
            Path(dirs.user_log_dir),
            Path(dirs.user_cache_dir),
        )

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def drafts_db(self) -> Path:
        return self.data_dir / "drafts.db"

    @property
    def last_good_policy(self) -> Path:
        """A copy of the last policy file that loaded without problems (used while the configured one is broken)."""
        return self.data_dir / "policy-last-good.toml"

    @property
    def policy_download(self) -> Path:
        """The folder keeping the last valid policy downloaded from a policy URL, with its ETag and
        fetch time (desktop.core.policy.remote): used while the server cannot be reached."""
        return self.cache_dir / "policy-download"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "chorus.log"

    def ensure(self) -> None:
        """Create the folders, readable by the user only (drafts and logs are personal)."""
        for folder in (self.config_dir, self.data_dir, self.log_dir, self.cache_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def resources_dir() -> Path:
    """``resources/`` (built-in policies, the credentials catalogue, icons, tips) wherever Chorus runs from.

    - Frozen by PyInstaller: ``resources/`` inside the bundle (``sys._MEIPASS``), where the spec puts it.
    - Installed from a wheel: ``desktop/_resources``, the package the build maps ``resources/`` onto
      (pyproject.toml, ``[tool.setuptools.package-dir]``); it has no ``__init__.py`` there.
    - A source checkout or an editable install: ``resources/`` at the top of the repo. There
      ``desktop/_resources`` is only the stub package (with an ``__init__.py``) that lets the build find
      the package name, so it is passed over.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    package = Path(__file__).resolve().parents[1]
    installed = package / "_resources"
    if installed.is_dir() and not (installed / "__init__.py").exists():
        return installed
    return package.parent / "resources"
