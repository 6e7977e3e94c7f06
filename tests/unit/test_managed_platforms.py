"""The Windows and macOS managed-settings readers with their platform layer faked: a stand-in for
the ``winreg`` module holding registry keys in memory (the same functions, constants and errors),
and real plist files (XML and binary) under a temporary root. Value types are checked per setting;
a bad value is reported and dropped alone, and HKLM beats HKCU (desktop.adapters.managed_settings)."""

from __future__ import annotations

import json
import plistlib
from pathlib import Path
from typing import Any

from desktop.adapters.managed_settings import (
    MAC_BUNDLE_ID,
    WINDOWS_KEY,
    JsonFile,
    MacPreferences,
    WindowsRegistry,
    platform_sources,
)
from desktop.core.managed import LastManaged, read_all
from desktop.core.settings import SPECS, Settings

SPEC_MAP = {spec.key: spec for spec in SPECS}


class FakeWinreg:
    """What the readers use of :mod:`winreg`, over a dict {(hive, key path): {value name: (data, type)}}."""

    HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE = 0x80000001, 0x80000002
    KEY_READ, KEY_WOW64_64KEY = 0x20019, 0x0100
    REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ = 1, 2, 3, 4, 7

    def __init__(self, keys: dict[tuple[int, str], dict[str, tuple[Any, int]]], denied: frozenset[tuple[int, str]] = frozenset()):
        self.keys, self.denied = keys, denied
        self.opened: list[tuple[int, str, int]] = []
        self.closed = 0

    def OpenKey(self, root: int, path: str, reserved: int = 0, access: int = 0) -> tuple[int, str]:  # noqa: N802
        self.opened.append((root, path, access))
        if (root, path) in self.denied:
            raise PermissionError(13, "Access is denied")
        if (root, path) not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return (root, path)

    def EnumValue(self, handle: tuple[int, str], index: int) -> tuple[str, Any, int]:  # noqa: N802
        values = list(self.keys[handle].items())
        if index >= len(values):
            raise OSError(259, "No more data is available")
        name, (data, kind) = values[index]
        return name, data, kind

    def CloseKey(self, handle: tuple[int, str]) -> None:  # noqa: N802
        self.closed += 1


HKLM, HKCU = FakeWinreg.HKEY_LOCAL_MACHINE, FakeWinreg.HKEY_CURRENT_USER
RECOMMENDED = WINDOWS_KEY + r"\Recommended"


def windows_sources(reg: FakeWinreg, program_data: Path) -> list:
    return [JsonFile(program_data, "mandatory", "Windows ProgramData file (mandatory)"),
            WindowsRegistry("HKCU", "mandatory", reg), WindowsRegistry("HKLM", "mandatory", reg),
            WindowsRegistry("HKCU", "recommended", reg), WindowsRegistry("HKLM", "recommended", reg)]


def test_registry_values_become_settings_by_their_type(tmp_path):
    reg = FakeWinreg({
        (HKLM, WINDOWS_KEY): {
            "accounts.linking_allowed": (0, FakeWinreg.REG_DWORD),
            "editor.font_size": (16, FakeWinreg.REG_DWORD),
            "linkedin.client_id": ("86abc", FakeWinreg.REG_SZ),
            "mastodon.allowed_instances": (["mastodon.social", "*.example.org"], FakeWinreg.REG_MULTI_SZ),
            "accounts.allowed_networks": (["bluesky", "linkedin"], FakeWinreg.REG_MULTI_SZ),
        },
        (HKLM, RECOMMENDED): {"appearance.theme": ("dark", FakeWinreg.REG_SZ)},
    })
    state = read_all(windows_sources(reg, tmp_path / "managed.json"), SPEC_MAP)
    settings = Settings(None, state=state)
    assert settings.get("accounts.linking_allowed") is False and settings.is_locked("accounts.linking_allowed")
    assert settings.origin("accounts.linking_allowed") == rf"HKLM\{WINDOWS_KEY}"
    assert settings.get("editor.font_size") == 16 and settings.get("linkedin.client_id") == "86abc"
    assert settings.get("mastodon.allowed_instances") == ("mastodon.social", "*.example.org")
    assert settings.get("accounts.allowed_networks") == ("bluesky", "linkedin")
    assert (settings.get("appearance.theme"), settings.source("appearance.theme"),
            settings.origin("appearance.theme")) == ("dark", "recommended", rf"HKLM\{RECOMMENDED}")
    assert settings.problems == []
    assert all(access == FakeWinreg.KEY_READ | FakeWinreg.KEY_WOW64_64KEY for _r, _p, access in reg.opened)
    assert reg.closed == 2  # every key opened is closed
    assert [report.status for report in settings.managed_sources] == ["absent", "absent", "ok", "absent", "ok"]


def test_a_value_of_the_wrong_registry_type_is_reported_and_dropped_alone(tmp_path):
    reg = FakeWinreg({(HKLM, WINDOWS_KEY): {
        "accounts.linking_allowed": (2, FakeWinreg.REG_DWORD),  # neither 0 nor 1
        "editor.font_size": ("16", FakeWinreg.REG_SZ),
        "mastodon.allowed_instances": ("mastodon.social", FakeWinreg.REG_SZ),
        "linkedin.client_secret": (b"\x01\x02", FakeWinreg.REG_BINARY),
        "demo.available": (0, FakeWinreg.REG_DWORD),
        "editor.colour": ("red", FakeWinreg.REG_SZ),
    }})
    settings = Settings(None, state=read_all(windows_sources(reg, tmp_path / "none.json"), SPEC_MAP))
    assert settings.is_locked("demo.available") and settings.get("demo.available") is False
    for key in ("accounts.linking_allowed", "editor.font_size", "mastodon.allowed_instances", "linkedin.client_secret"):
        assert not settings.is_locked(key)
    problems = {p.key: str(p) for p in settings.problems}
    where = rf"HKLM\{WINDOWS_KEY}"
    assert problems["accounts.linking_allowed"] == (
        rf"{where}: accounts.linking_allowed: must be a REG_DWORD of 0 (off) or 1 (on), not REG_DWORD 2; ignored")
    assert "must be a REG_DWORD, not REG_SZ '16'" in problems["editor.font_size"]
    assert "must be a REG_MULTI_SZ (one entry per line), not REG_SZ" in problems["mastodon.allowed_instances"]
    assert "registry type 3 (hidden)" in problems["linkedin.client_secret"]  # a secret's value is never repeated
    assert "not a setting this version of Chorus knows" in problems["editor.colour"]


def test_hklm_beats_hkcu_and_the_registry_beats_the_programdata_file(tmp_path):
    program_data = tmp_path / "managed.json"
    program_data.write_text(json.dumps({"tips.folder": r"C:\file-tips", "demo.available": False}), encoding="utf-8")
    reg = FakeWinreg({
        (HKCU, WINDOWS_KEY): {"tips.folder": (r"C:\user-tips", FakeWinreg.REG_SZ),
                              "editor.font_size": (20, FakeWinreg.REG_DWORD)},
        (HKLM, WINDOWS_KEY): {"tips.folder": (r"\\server\tips", FakeWinreg.REG_SZ)},
        (HKCU, RECOMMENDED): {"appearance.theme": ("light", FakeWinreg.REG_SZ)},
        (HKLM, RECOMMENDED): {"appearance.theme": ("dark", FakeWinreg.REG_SZ)},
    })
    settings = Settings(None, state=read_all(windows_sources(reg, program_data), SPEC_MAP))
    assert (settings.get("tips.folder"), settings.origin("tips.folder")) == (r"\\server\tips", rf"HKLM\{WINDOWS_KEY}")
    assert (settings.get("editor.font_size"), settings.origin("editor.font_size")) == (20, rf"HKCU\{WINDOWS_KEY}")
    assert (settings.get("demo.available"), settings.origin("demo.available")) == (False, str(program_data))
    assert settings.get("appearance.theme") == "dark"


def test_a_registry_key_that_cannot_be_read_keeps_its_last_locks(tmp_path):
    record = LastManaged(tmp_path / "managed-last.json")
    keys = {(HKLM, WINDOWS_KEY): {"accounts.linking_allowed": (0, FakeWinreg.REG_DWORD)}}
    first = Settings(None, state=read_all(windows_sources(FakeWinreg(keys), tmp_path / "x.json"), SPEC_MAP, record))
    assert first.is_locked("accounts.linking_allowed")
    denied = FakeWinreg(keys, denied={(HKLM, WINDOWS_KEY)})
    later = Settings(None, state=read_all(windows_sources(denied, tmp_path / "x.json"), SPEC_MAP,
                                          LastManaged(tmp_path / "managed-last.json")))
    assert later.is_locked("accounts.linking_allowed") and later.get("accounts.linking_allowed") is False
    lines = [str(p) for p in later.problems]
    assert rf"HKLM\{WINDOWS_KEY}: cannot be read (Access is denied)" in lines
    assert any("stays locked at its last good value" in line for line in lines)


def test_windows_reads_its_sources_in_precedence_order():
    sources = platform_sources("win32")
    names = [source.name for source in sources]
    assert names == ["Windows ProgramData file (mandatory)", "Windows registry HKCU (mandatory)",
                     "Windows registry HKLM (mandatory)", "Windows registry HKCU (recommended)",
                     "Windows registry HKLM (recommended)"]
    program_data = Path(sources[0].path)  # type: ignore[attr-defined]
    assert program_data.name == "managed.json" and program_data.parent.name == "Chorus"
    assert [(s.hive, s.key) for s in sources[1:]] == [  # type: ignore[attr-defined]
        ("HKCU", WINDOWS_KEY), ("HKLM", WINDOWS_KEY), ("HKCU", RECOMMENDED), ("HKLM", RECOMMENDED)]


# -- macOS -----------------------------------------------------------------------------------------
def plist(path: Path, values: dict, fmt: plistlib.PlistFormat = plistlib.FMT_XML) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        plistlib.dump(values, handle, fmt=fmt)
    return path


def mac_sources(root: Path) -> list[MacPreferences]:
    return [MacPreferences("mandatory", root=root, user="alice"), MacPreferences("recommended", root=root, user="alice")]


def test_forced_managed_preferences_lock_and_administrator_preferences_recommend(tmp_path):
    managed = tmp_path / "Library" / "Managed Preferences"
    machine = plist(managed / f"{MAC_BUNDLE_ID}.plist", {"accounts.linking_allowed": False,
                                                          "mastodon.allowed_instances": ["social.example.org"]},
                    plistlib.FMT_BINARY)
    user = plist(managed / "alice" / f"{MAC_BUNDLE_ID}.plist", {"tips.folder": "/Users/Shared/tips"})
    recommended = plist(tmp_path / "Library" / "Preferences" / f"{MAC_BUNDLE_ID}.plist", {"editor.font_size": 15})
    plist(tmp_path / "Users" / "alice" / "Library" / "Preferences" / f"{MAC_BUNDLE_ID}.plist",
          {"accounts.linking_allowed": True})  # the user's own preferences: never read
    settings = Settings(None, state=read_all(mac_sources(tmp_path), SPEC_MAP))
    assert (settings.get("accounts.linking_allowed"), settings.source("accounts.linking_allowed"),
            settings.origin("accounts.linking_allowed")) == (False, "mandatory", str(machine))
    assert settings.get("mastodon.allowed_instances") == ("social.example.org",)
    assert (settings.get("tips.folder"), settings.origin("tips.folder")) == ("/Users/Shared/tips", str(user))
    assert (settings.get("editor.font_size"), settings.source("editor.font_size"),
            settings.origin("editor.font_size")) == (15, "recommended", str(recommended))
    assert settings.problems == []


def test_the_machine_wide_managed_value_wins_and_a_conflict_is_reported(tmp_path):
    managed = tmp_path / "Library" / "Managed Preferences"
    machine = plist(managed / f"{MAC_BUNDLE_ID}.plist", {"demo.available": False})
    plist(managed / "alice" / f"{MAC_BUNDLE_ID}.plist", {"demo.available": True})
    settings = Settings(None, state=read_all(mac_sources(tmp_path), SPEC_MAP))
    assert settings.get("demo.available") is False
    assert [str(p) for p in settings.problems] == [
        f"{machine}: demo.available: is also set, differently, in "
        f"{managed / 'alice' / (MAC_BUNDLE_ID + '.plist')}; the machine-wide value is used"]


def test_a_malformed_plist_or_value_is_reported_and_the_rest_applies(tmp_path):
    managed = tmp_path / "Library" / "Managed Preferences"
    broken = managed / f"{MAC_BUNDLE_ID}.plist"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"<?xml version='1.0'?><plist><dict><key>x</key>")
    plist(managed / "alice" / f"{MAC_BUNDLE_ID}.plist", {"editor.font_size": 99, "demo.available": False})
    settings = Settings(None, state=read_all(mac_sources(tmp_path), SPEC_MAP))
    assert settings.is_locked("demo.available") and not settings.is_locked("editor.font_size")
    lines = [str(p) for p in settings.problems]
    assert any(line.startswith(f"{broken}: is not a valid property list") for line in lines)
    assert any("editor.font_size: 'editor.font_size' must be a whole number from 8 to 36, not 99" in line
               for line in lines)
