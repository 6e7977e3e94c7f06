"""Managed settings on Linux, for real: the levels (default < recommended < user < mandatory), the
root-owned JSON files and their permission rules, precise errors key by key, and a broken source
that never unlocks what it locked before (desktop.core.managed, desktop.adapters.managed_settings)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from desktop.adapters.managed_settings import (
    LINUX_BASE,
    MANAGED_RECORD,
    LinuxJsonFolder,
    load_settings,
    platform_sources,
)
from desktop.core.managed import LastManaged, read_all
from desktop.core.paths import AppPaths
from desktop.core.settings import SPECS, SettingLockedError, Settings
from tests.unit.managed_etc import etc_managed

SPEC_MAP = {spec.key: spec for spec in SPECS}


def write(path: Path, values: object, mode: int = 0o644, uid: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    path.write_text(values if isinstance(values, str) else json.dumps(values), encoding="utf-8")
    os.chown(path, uid, 0)
    os.chmod(path, mode)
    return path


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A stand-in for /etc/xdg/chorus, for the permission rules only (owned by root: tests run as root)."""
    assert os.geteuid() == 0, "these tests check root ownership: run them as root (CI does)"
    folder = tmp_path / "etc-xdg-chorus"
    for each in (folder, folder / "managed", folder / "recommended"):
        each.mkdir(mode=0o755)
        os.chmod(each, 0o755)
    return folder


def settings_from(base: Path, profile: Path, user: dict | None = None) -> Settings:
    paths = AppPaths.for_profile(profile)
    paths.ensure()
    if user is not None:
        paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": user}), encoding="utf-8")
    return load_settings(paths, [LinuxJsonFolder("mandatory", base), LinuxJsonFolder("recommended", base)])


def test_the_four_levels_each_with_its_origin(base, profile):
    managed = write(base / "managed" / "10-it.json", {"accounts.linking_allowed": False, "editor.font_size": 18})
    recommended = write(base / "recommended" / "10-it.json", {"appearance.theme": "dark", "editor.font_size": 9,
                                                              "logging.level": "debug"})
    settings = settings_from(base, profile, user={"editor.font_size": 14, "logging.level": "warning"})
    assert (settings.get("accounts.linking_allowed"), settings.source("accounts.linking_allowed"),
            settings.origin("accounts.linking_allowed")) == (False, "mandatory", str(managed))
    assert settings.is_locked("accounts.linking_allowed")
    assert (settings.get("editor.font_size"), settings.source("editor.font_size")) == (18, "mandatory")  # beats user
    assert (settings.get("logging.level"), settings.source("logging.level")) == ("warning", "user")  # beats recommended
    assert (settings.get("appearance.theme"), settings.source("appearance.theme"),
            settings.origin("appearance.theme")) == ("dark", "recommended", str(recommended))
    assert not settings.is_locked("appearance.theme")
    assert (settings.source("tips.folder"), settings.origin("tips.folder")) == ("default", "")
    with pytest.raises(SettingLockedError, match="set by your organisation"):
        settings.set("accounts.linking_allowed", True)
    settings.set("appearance.theme", "light")  # a recommendation is only a default
    assert settings.source("appearance.theme") == "user"
    settings.reset("appearance.theme")
    assert (settings.get("appearance.theme"), settings.fallback("appearance.theme")) == ("dark", "dark")


def test_files_are_read_in_name_order_and_the_later_file_wins(base, profile):
    write(base / "managed" / "20-team.json", {"tips.folder": "/srv/tips-team"})
    first = write(base / "managed" / "10-org.json", {"tips.folder": "/srv/tips-org", "demo.available": False})
    write(base / "managed" / "notes.txt", "not read: only .json files")
    settings = settings_from(base, profile)
    assert settings.get("tips.folder") == "/srv/tips-team"
    assert settings.origin("tips.folder") == str(base / "managed" / "20-team.json")
    assert (settings.get("demo.available"), settings.origin("demo.available")) == (False, str(first))
    report = settings.managed_sources[0]
    assert report.status == "ok" and report.origins == (str(first), str(base / "managed" / "20-team.json"))


def test_a_bad_value_is_reported_precisely_and_dropped_alone(base, profile):
    path = write(base / "managed" / "10-it.json", {"editor.font_size": "huge", "demo.available": False,
                                                   "accounts.allowed_networks": ["bluesky", "myspace"],
                                                   "no.such.setting": 1})
    settings = settings_from(base, profile)
    assert settings.get("demo.available") is False and settings.is_locked("demo.available")  # the rest applies
    assert not settings.is_locked("editor.font_size") and not settings.is_locked("accounts.allowed_networks")
    problems = {p.key: str(p) for p in settings.problems}
    assert problems["editor.font_size"].startswith(f"{path}: editor.font_size: ")
    assert "a whole number from 8 to 36" in problems["editor.font_size"] and "'huge'" in problems["editor.font_size"]
    assert "a list of network names" in problems["accounts.allowed_networks"]
    assert "not a setting this version of Chorus knows" in problems["no.such.setting"]
    assert settings.managed_sources[0].status == "errors"


@pytest.mark.parametrize(("text", "expected"), [
    ("{not json", "is not valid JSON"),
    ('["a", "list"]', "must hold one JSON object of settings"),
    (b"\xff\xfe{}", "is not UTF-8 text"),
])
def test_a_malformed_file_is_refused_whole_and_the_other_files_apply(base, profile, text, expected):
    broken = base / "managed" / "10-broken.json"
    if isinstance(text, bytes):
        broken.write_bytes(text)
        os.chmod(broken, 0o644)
    else:
        write(broken, text)
    write(base / "managed" / "20-good.json", {"demo.available": False})
    settings = settings_from(base, profile)
    assert settings.is_locked("demo.available")
    report = settings.managed_sources[0]
    assert report.failed == (str(broken),)
    assert any(str(problem).startswith(str(broken)) and expected in str(problem) for problem in settings.problems)


def test_files_and_folders_others_may_write_are_refused_with_the_reason(base, profile):
    writable = write(base / "managed" / "10-group.json", {"demo.available": False}, mode=0o664)
    not_root = write(base / "managed" / "20-user.json", {"tips.folder": "/home/me/tips"}, uid=1000)
    fine = write(base / "managed" / "30-fine.json", {"editor.font_size": 20})
    settings = settings_from(base, profile)
    assert not settings.is_locked("demo.available") and not settings.is_locked("tips.folder")
    assert settings.is_locked("editor.font_size")
    text = [str(problem) for problem in settings.problems]
    assert any(str(writable) in line and "may be changed by other users" in line and "chmod go-w" in line
               for line in text)
    assert any(str(not_root) in line and "owned by user id 1000, not root" in line for line in text)
    assert str(fine) in settings.managed_sources[0].origins

    os.chmod(base / "managed", 0o777)  # the folder itself: every file in it refused
    again = settings_from(base, profile.parent / "fresh-profile")  # (the first profile keeps its locks: below)
    assert not again.is_locked("editor.font_size")
    assert any(f"the folder {base / 'managed'}" in str(p) and "may be changed by other users" in str(p)
               for p in again.problems)

    os.chmod(base / "managed", 0o755)
    os.chown(base, 1000, 0)  # a folder above, owned by someone else
    third = settings_from(base, profile.parent / "another-profile")
    assert not third.is_locked("editor.font_size")
    assert any(f"the folder {base} is owned by user id 1000" in str(p) for p in third.problems)


def test_a_broken_source_never_unlocks_what_it_locked_before(base, profile):
    path = write(base / "managed" / "10-it.json", {"accounts.linking_allowed": False, "tips.folder": "/srv/tips",
                                                   "linkedin.client_secret": "s3cret-from-it"})
    first = settings_from(base, profile)
    assert first.is_locked("accounts.linking_allowed") and first.get("linkedin.client_secret") == "s3cret-from-it"
    record_file = AppPaths.for_profile(profile).config_dir / MANAGED_RECORD
    record = json.loads(record_file.read_text())
    assert record["sources"]["Linux mandatory files"][str(path)]["tips.folder"] == "/srv/tips"
    assert "s3cret-from-it" not in record_file.read_text()  # a secret is never copied
    assert oct(record_file.stat().st_mode & 0o777) == "0o600"

    path.write_text("{broken", encoding="utf-8")  # IT's file is damaged: nothing unlocks
    broken = settings_from(base, profile)
    assert broken.get("accounts.linking_allowed") is False and broken.is_locked("accounts.linking_allowed")
    assert broken.get("tips.folder") == "/srv/tips" and broken.origin("tips.folder") == str(path)
    assert broken.is_locked("linkedin.client_secret") and broken.get("linkedin.client_secret") == ""  # stays locked
    kept = [str(p) for p in broken.problems if "stays locked at its last good value" in str(p)]
    assert len(kept) == 3 and all(line.startswith(str(path)) for line in kept)

    os.chmod(path, 0o666)  # refused for its permissions: still locked
    write(path, {"accounts.linking_allowed": False, "tips.folder": "/srv/tips"}, mode=0o666)
    assert settings_from(base, profile).get("tips.folder") == "/srv/tips"

    write(path, {"accounts.linking_allowed": "no", "tips.folder": "/srv/other"})  # one bad value: that key kept
    bad_value = settings_from(base, profile)
    assert bad_value.get("accounts.linking_allowed") is False and bad_value.is_locked("accounts.linking_allowed")
    assert bad_value.get("tips.folder") == "/srv/other"
    assert not bad_value.is_locked("linkedin.client_secret")  # read fine and no longer set: IT unlocked it

    write(path, {"tips.folder": "/srv/other"})  # read fine, key removed: IT's decision, unlocked
    removed = settings_from(base, profile)
    assert not removed.is_locked("accounts.linking_allowed") and removed.get("accounts.linking_allowed") is True
    assert not [p for p in removed.problems if "stays locked" in str(p)]

    path.unlink()  # the file removed: unlocked too
    assert not settings_from(base, profile).is_locked("tips.folder")
    assert json.loads(record_file.read_text())["sources"] == {}


def test_a_folder_that_cannot_be_read_keeps_every_lock(base, profile):
    write(base / "managed" / "10-it.json", {"demo.available": False})
    assert settings_from(base, profile).is_locked("demo.available")
    os.chmod(base / "managed", 0o755)
    os.chown(base / "managed", 1000, 0)  # the folder is refused as a whole
    settings = settings_from(base, profile)
    assert settings.is_locked("demo.available") and settings.get("demo.available") is False
    assert any("stays locked at its last good value because this source cannot be used now" in str(p)
               for p in settings.problems)


def test_secrets_come_only_from_mandatory_values(base, profile):
    write(base / "recommended" / "10-it.json", {"linkedin.client_secret": "recommended-secret"})
    settings = settings_from(base, profile, user={"linkedin.client_secret": "user-secret"})
    assert settings.get("linkedin.client_secret") == ""
    messages = [str(p) for p in settings.problems if p.key == "linkedin.client_secret"]
    assert len(messages) == 2 and all("secret" in m for m in messages)
    with pytest.raises(SettingLockedError, match="only be set by your organisation"):
        settings.set("linkedin.client_secret", "typed")
    settings.set("tips.folder", "/tmp/tips")
    settings.save()
    assert "user-secret" not in settings.user_file.read_text()  # not written back either


def test_an_unreadable_record_is_an_empty_one(tmp_path):
    record = tmp_path / MANAGED_RECORD
    record.write_text("{not json", encoding="utf-8")
    last = LastManaged(record)
    assert last.record == {}
    state = read_all([], SPEC_MAP, last)
    assert state.mandatory == {} and state.sources == []


def test_the_app_reads_the_fixed_etc_folder_never_xdg_config_dirs(profile, monkeypatch, tmp_path):
    evil = tmp_path / "evil" / "chorus" / "managed"
    evil.mkdir(parents=True)
    write(evil / "10.json", {"demo.available": False})
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "evil"))
    sources = platform_sources("linux")
    assert [(s.folder, s.level) for s in sources] == [(LINUX_BASE / "managed", "mandatory"),  # type: ignore[attr-defined]
                                                      (LINUX_BASE / "recommended", "recommended")]
    with etc_managed({"tips.folder": "/srv/chorus-tips"}) as path:
        paths = AppPaths.for_profile(profile)
        paths.ensure()
        settings = load_settings(paths)  # what the app does at start
        assert (settings.get("tips.folder"), settings.source("tips.folder"), settings.origin("tips.folder")) == (
            "/srv/chorus-tips", "mandatory", str(path))
        assert not settings.is_locked("demo.available")
    assert not path.exists()
