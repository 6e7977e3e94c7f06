"""Readers of the places IT writes managed settings (:class:`desktop.core.managed.ManagedSource`).

=======  ==========================================================  ===============================
OS       mandatory (locked)                                          recommended (a default)
=======  ==========================================================  ===============================
Linux    ``/etc/xdg/chorus/managed/*.json``                          ``/etc/xdg/chorus/recommended/*.json``
Windows  ``HKLM\\Software\\Policies\\Chorus\\Chorus``, then ``HKCU``,     the same keys plus ``\\Recommended``
         and ``C:\\ProgramData\\Chorus\\Chorus\\managed.json``
macOS    ``/Library/Managed Preferences/[<user>/]<bundle id>.plist``   ``/Library/Preferences/<bundle id>.plist``
=======  ==========================================================  ===============================

Each file holds one object (JSON) or dictionary (plist) whose keys are the setting keys
(``{"accounts.linking_allowed": false}``); each registry value is named after its setting key.

**Who may write.** A user must never be able to lock (or unlock) a setting, so: the Linux folder is
fixed (never ``$XDG_CONFIG_DIRS``, which the user controls), and every file, its folder and the
folders above it must be owned by root and not writable by group or others (a root-owned folder with
the sticky bit, like ``/tmp``, is allowed above: others cannot replace root's entries there), else
the whole file is refused with the reason. On Windows, values under ``HKCU`` never override
``HKLM`` (whether standard users can write ``HKCU\\Software\\Policies`` is not verified), and the
ProgramData file comes below the registry, so Group Policy wins (the installer limits who may
write that folder). On macOS, managed preferences (installed by configuration profiles, forced) are
mandatory; ``/Library/Preferences`` (administrators only) is recommended; ``~/Library/Preferences``
is the user's own and never read here. The machine-wide managed plist beats the per-user one; a
key both set differently is reported.

Precedence within a level: the readings are listed lowest first (files in name order: a later file
wins). A file that cannot be read or parsed is refused whole; a value of the wrong kind is refused
alone. Both are reported and unlock nothing (desktop.core.managed).
"""

from __future__ import annotations

import getpass
import json
import os
import stat
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from desktop import BUNDLE_ID
from desktop.core.managed import Level, ManagedSource, RawValue, SourceReading
from desktop.core.setting_spec import Kind, SettingSpec

if TYPE_CHECKING:
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings

LINUX_BASE = Path("/etc/xdg/chorus")
VENDOR = "Chorus"
WINDOWS_KEY = rf"Software\Policies\{VENDOR}\Chorus"
MAC_BUNDLE_ID = BUNDLE_ID
LEVEL_FOLDERS: dict[Level, str] = {"mandatory": "managed", "recommended": "recommended"}


# ---------------------------------------------------------------------------------------------
# Linux: root-owned JSON files
# ---------------------------------------------------------------------------------------------
def _unsafe(info: os.stat_result, what: str, path: Path, *, sticky_ok: bool = False) -> str | None:
    """Why *path* (of whose stat *info* is) cannot hold settings IT locks, or None when it can."""
    if info.st_uid != 0:
        return f"the {what} {path} is owned by user id {info.st_uid}, not root; only root may set managed settings"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        if sticky_ok and info.st_mode & stat.S_ISVTX:
            return None
        return (f"the {what} {path} may be changed by other users (mode {stat.filemode(info.st_mode)}); "
                "run: chmod go-w " + str(path))
    return None


class LinuxJsonFolder:
    """Every ``*.json`` file of ``/etc/xdg/chorus/managed`` (or ``recommended``), in name order.

    *base* exists only for the tests of the permission rules; Chorus always reads :data:`LINUX_BASE`."""

    def __init__(self, level: Level, base: Path = LINUX_BASE) -> None:
        self.level = level
        self.folder = Path(base) / LEVEL_FOLDERS[level]
        self.name = f"Linux {level} files"

    def read(self, specs: Mapping[str, SettingSpec]) -> SourceReading:
        reading = SourceReading(self.name, self.level, str(self.folder))
        try:
            info = os.stat(self.folder)
        except FileNotFoundError:
            return reading  # no managed settings of this level: the normal case
        except OSError as exc:
            reading.whole_source_failed = True
            reading.fail(str(self.folder), f"cannot be read ({exc.strerror or exc})")
            return reading
        if not stat.S_ISDIR(info.st_mode):
            reading.whole_source_failed = True
            reading.fail(str(self.folder), "is not a folder")
            return reading
        reason = _unsafe(info, "folder", self.folder) or self._unsafe_parents()
        if reason:
            reading.whole_source_failed = True
            reading.fail(str(self.folder), f"refused: {reason}")
            return reading
        try:
            files = sorted(p for p in self.folder.iterdir() if p.name.endswith(".json") and not p.name.startswith("."))
        except OSError as exc:
            reading.whole_source_failed = True
            reading.fail(str(self.folder), f"cannot be listed ({exc.strerror or exc})")
            return reading
        for path in files:
            read_json_file(path, reading, check_owner=True)
        return reading

    def _unsafe_parents(self) -> str | None:
        for parent in self.folder.parents:
            try:
                info = os.stat(parent)
            except OSError as exc:
                return f"the folder {parent} cannot be checked ({exc.strerror or exc})"
            reason = _unsafe(info, "folder", parent, sticky_ok=True)
            if reason:
                return reason
        return None


def read_json_file(path: Path, reading: SourceReading, *, check_owner: bool) -> None:
    """Add *path*'s values to *reading*, or refuse the whole file with the reason (:meth:`SourceReading.fail`).
    *check_owner*: the file must be owned by root and not writable by others (checked on the file
    actually opened, so a file swapped in between cannot slip through)."""
    origin = str(path)
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                reading.fail(origin, "is not a regular file; refused")
                return
            reason = _unsafe(info, "file", path) if check_owner else None
            if reason:
                reading.fail(origin, f"refused: {reason}")
                return
            data = handle.read()
    except FileNotFoundError:
        return  # removed while reading: nothing set
    except OSError as exc:
        reading.fail(origin, f"cannot be read ({exc.strerror or exc})")
        return
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        reading.fail(origin, f"is not UTF-8 text (byte {exc.start}); none of its settings apply")
        return
    except ValueError as exc:
        reading.fail(origin, f"is not valid JSON ({exc}); none of its settings apply")
        return
    if not isinstance(document, dict):
        reading.fail(origin, f"must hold one JSON object of settings ({{\"key\": value}}), not a "
                     f"{type(document).__name__}; none of its settings apply")
        return
    reading.origins.append(origin)
    for key, value in document.items():
        reading.values.append(RawValue(key, value, origin))


class JsonFile:
    """One JSON file (Windows: ``C:\\ProgramData\\Chorus\\Chorus\\managed.json``, its folder's rights set by
    the installer; ACLs are not checked here)."""

    def __init__(self, path: Path, level: Level, name: str) -> None:
        self.path, self.level, self.name = Path(path), level, name

    def read(self, specs: Mapping[str, SettingSpec]) -> SourceReading:
        reading = SourceReading(self.name, self.level, str(self.path))
        read_json_file(self.path, reading, check_owner=False)
        return reading


# ---------------------------------------------------------------------------------------------
# Windows: the Policies registry keys
# ---------------------------------------------------------------------------------------------
class WindowsRegistry:
    """The values of one Policies key (``HKLM`` or ``HKCU``, mandatory or ``\\Recommended``), through
    *winreg* (the standard module; tests hand in a stand-in with the same functions and constants)."""

    def __init__(self, hive: str, level: Level, winreg: ModuleType | Any = None, key: str = WINDOWS_KEY) -> None:
        self._winreg = winreg
        self.hive = hive  # "HKLM" or "HKCU"
        self.level = level
        self.key = key + (r"\Recommended" if level == "recommended" else "")
        self.location = f"{hive}\\{self.key}"
        self.name = f"Windows registry {hive} ({level})"

    @property
    def winreg(self) -> Any:
        if self._winreg is None:
            import winreg as real  # type: ignore[import-not-found,unused-ignore]  # Windows only

            self._winreg = real
        return self._winreg

    def read(self, specs: Mapping[str, SettingSpec]) -> SourceReading:
        reg = self.winreg
        reading = SourceReading(self.name, self.level, self.location)
        root = reg.HKEY_LOCAL_MACHINE if self.hive == "HKLM" else reg.HKEY_CURRENT_USER
        try:
            handle = reg.OpenKey(root, self.key, 0, reg.KEY_READ | reg.KEY_WOW64_64KEY)
        except FileNotFoundError:
            return reading
        except OSError as exc:
            reading.whole_source_failed = True
            reading.fail(self.location, f"cannot be read ({exc.strerror or exc})")
            return reading
        try:
            index = 0
            while True:
                try:
                    name, data, kind = reg.EnumValue(handle, index)
                except OSError:  # ERROR_NO_MORE_ITEMS
                    break
                index += 1
                spec = specs.get(name)
                if spec is None:
                    reading.values.append(RawValue(name, data, self.location))  # reported as unknown
                    continue
                converted = self._convert(spec, data, kind, reading)
                if converted is not _BAD:
                    reading.values.append(RawValue(name, converted, self.location))
        finally:
            reg.CloseKey(handle)
        reading.origins.append(self.location)
        return reading

    def _convert(self, spec: SettingSpec, data: Any, kind: int, reading: SourceReading) -> Any:
        reg = self.winreg
        names = {reg.REG_SZ: "REG_SZ", reg.REG_DWORD: "REG_DWORD", reg.REG_MULTI_SZ: "REG_MULTI_SZ",
                 reg.REG_EXPAND_SZ: "REG_EXPAND_SZ"}
        got = names.get(kind, f"registry type {kind}")
        if spec.kind is Kind.BOOL:
            if kind == reg.REG_DWORD and data in (0, 1):
                return bool(data)
            expected = "a REG_DWORD of 0 (off) or 1 (on)"
        elif spec.kind is Kind.INT:
            if kind == reg.REG_DWORD:
                return int(data)
            expected = "a REG_DWORD"
        elif spec.kind in (Kind.TEXT, Kind.CHOICE):
            if kind in (reg.REG_SZ, reg.REG_EXPAND_SZ):
                return data
            expected = "a REG_SZ"
        else:
            if kind == reg.REG_MULTI_SZ:
                return list(data)
            expected = "a REG_MULTI_SZ (one entry per line)"
        shown = "(hidden)" if spec.secret else repr(data)
        reading.bad(self.location, spec.key, f"must be {expected}, not {got} {shown}; ignored")
        return _BAD


_BAD = object()


# ---------------------------------------------------------------------------------------------
# macOS: managed preferences (configuration profiles)
# ---------------------------------------------------------------------------------------------
class MacPreferences:
    """Managed preferences for the bundle id, read with :mod:`plistlib` (XML or binary plists).

    Mandatory: ``/Library/Managed Preferences/<user>/<id>.plist`` then ``/Library/Managed
    Preferences/<id>.plist`` (machine-wide wins; a key the two set differently is reported).
    Recommended: ``/Library/Preferences/<id>.plist``. *root* and *user* are for tests only."""

    def __init__(self, level: Level, bundle_id: str = MAC_BUNDLE_ID, *, root: Path = Path("/"),
                 user: str | None = None) -> None:
        self.level = level
        self.bundle_id = bundle_id
        self.root = Path(root)
        self.user = user or getpass.getuser()
        self.name = f"macOS {'managed' if level == 'mandatory' else 'administrator'} preferences ({level})"

    def paths(self) -> list[Path]:
        if self.level == "recommended":
            return [self.root / "Library" / "Preferences" / f"{self.bundle_id}.plist"]
        managed = self.root / "Library" / "Managed Preferences"
        return [managed / self.user / f"{self.bundle_id}.plist", managed / f"{self.bundle_id}.plist"]

    def read(self, specs: Mapping[str, SettingSpec]) -> SourceReading:
        import plistlib  # macOS only: not loaded at every start elsewhere

        paths = self.paths()
        reading = SourceReading(self.name, self.level, " and ".join(str(p) for p in paths))
        seen: dict[str, tuple[Any, str]] = {}
        for path in paths:
            origin = str(path)
            try:
                with open(path, "rb") as handle:
                    document = plistlib.load(handle)
            except FileNotFoundError:
                continue
            except OSError as exc:
                reading.fail(origin, f"cannot be read ({exc.strerror or exc})")
                continue
            except Exception as exc:  # noqa: BLE001 - plistlib raises InvalidFileException, ValueError, ExpatError...
                reading.fail(origin, f"is not a valid property list ({type(exc).__name__}: {exc}); none of its "
                             "settings apply")
                continue
            if not isinstance(document, dict):
                reading.fail(origin, "must hold a dictionary of settings; none of its settings apply")
                continue
            reading.origins.append(origin)
            for key, value in document.items():
                if key in seen and seen[key][0] != value:
                    reading.error(origin, key, f"is also set, differently, in {seen[key][1]}; the machine-wide "
                                  "value is used")
                seen[key] = (value, origin)
                reading.values.append(RawValue(key, value, origin))
        return reading


# ---------------------------------------------------------------------------------------------
# This computer's sources
# ---------------------------------------------------------------------------------------------
def platform_sources(platform: str | None = None) -> list[ManagedSource]:
    """The managed sources of this operating system, lowest precedence first within each level."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        import platformdirs

        program_data = Path(platformdirs.site_config_dir(appname="Chorus", appauthor=VENDOR))
        return [
            JsonFile(program_data / "managed.json", "mandatory", "Windows ProgramData file (mandatory)"),
            WindowsRegistry("HKCU", "mandatory"),
            WindowsRegistry("HKLM", "mandatory"),
            WindowsRegistry("HKCU", "recommended"),
            WindowsRegistry("HKLM", "recommended"),
        ]
    if platform == "darwin":
        return [MacPreferences("mandatory"), MacPreferences("recommended")]
    return [LinuxJsonFolder("mandatory"), LinuxJsonFolder("recommended")]


MANAGED_RECORD = "managed-last.json"  # in the config folder: the mandatory values each managed source last set


def load_settings(paths: AppPaths, sources: Sequence[ManagedSource] | None = None, *,
                  remember: bool = True) -> Settings:
    """The settings as the app uses them: the user's file, plus the managed values of this computer's
    sources (:func:`platform_sources`; *sources* replaces them), with the record that keeps
    a broken source from unlocking what it locked before (updated unless *remember* is False: a
    diagnostic command reads it only)."""
    from desktop.core.managed import LastManaged, read_all
    from desktop.core.settings import SPECS, Settings

    if sources is None:
        sources = platform_sources()
    state = read_all(sources, {spec.key: spec for spec in SPECS}, LastManaged(paths.config_dir / MANAGED_RECORD,
                                                                                  read_only=not remember))
    return Settings(paths.settings_file, state=state)
