import json

import pytest

from desktop.core.networks import NETWORKS
from desktop.core.settings import SPECS, SettingLockedError, Settings


def write(path, values, version=1):
    path.write_text(json.dumps({"schema_version": version, "values": values}), encoding="utf-8")


def test_defaults_when_there_is_no_file(tmp_path):
    settings = Settings(tmp_path / "settings.json")
    for spec in SPECS:
        assert settings.get(spec.key) == spec.default
        assert settings.source(spec.key) == "default"
    assert settings.problems == []


def test_layers_default_user_managed(tmp_path):
    path = tmp_path / "settings.json"
    write(path, {"editor.font_size": 16, "appearance.theme": "dark"})
    settings = Settings(path, managed={"appearance.theme": "light"})
    assert settings.get("editor.font_size") == 16 and settings.source("editor.font_size") == "user"
    assert settings.get("appearance.theme") == "light" and settings.is_locked("appearance.theme")
    assert settings.source("appearance.theme") == "mandatory" and settings.origin("appearance.theme") == "managed settings"
    assert settings.get("mastodon.max_characters") == 500 and settings.source("mastodon.max_characters") == "default"
    with pytest.raises(SettingLockedError):
        settings.set("appearance.theme", "dark")


def test_wrong_types_are_reported_and_ignored_not_fatal(tmp_path):
    path = tmp_path / "settings.json"
    write(path, {"editor.font_size": "huge", "appearance.theme": 3, "composer.networks": ["bluesky", "myspace"],
                 "mastodon.max_characters": True, "no.such.key": 1})
    settings = Settings(path, managed={"editor.font_size": 500})
    assert settings.get("editor.font_size") == 12
    assert settings.get("appearance.theme") == "system"
    assert settings.get("composer.networks") == NETWORKS  # the default: every network
    assert settings.get("mastodon.max_characters") == 500  # a bool is not a number
    keys = sorted(p.key for p in settings.problems)
    assert keys == ["appearance.theme", "composer.networks", "editor.font_size", "editor.font_size",
                    "mastodon.max_characters", "no.such.key"]
    message = " ".join(str(p) for p in settings.problems)
    assert "whole number from 8 to 36" in message and "'huge'" in message and "managed" in message


def test_broken_json_is_moved_aside_not_overwritten(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"values": {"editor.font_size": 14', encoding="utf-8")
    settings = Settings(path)
    assert settings.get("editor.font_size") == 12
    kept = list(tmp_path.glob("settings.json.broken-*"))
    assert len(kept) == 1 and kept[0].read_text() == '{"values": {"editor.font_size": 14'
    assert "is not a valid settings file" in str(settings.problems[0]) and kept[0].name in str(settings.problems[0])
    settings.set("editor.font_size", 20)
    settings.save()
    assert json.loads(path.read_text())["values"] == {"editor.font_size": 20}
    assert kept[0].exists()


def test_set_save_round_trip_keeps_unknown_keys(tmp_path):
    path = tmp_path / "settings.json"
    write(path, {"future.setting": {"x": 1}})
    settings = Settings(path)
    settings.set("composer.networks", ["X", "bluesky"])
    assert settings.get("composer.networks") == ("bluesky", "x")
    with pytest.raises(ValueError, match="must be a whole number"):
        settings.set("editor.font_size", 7)
    settings.save()
    document = json.loads(path.read_text())
    assert document == {"schema_version": 1, "values": {"composer.networks": ["bluesky", "x"],
                                                        "future.setting": {"x": 1}}}
    assert (path.stat().st_mode & 0o777) == 0o600
    again = Settings(path)
    assert again.get("composer.networks") == ("bluesky", "x")
    again.reset("composer.networks")
    assert again.source("composer.networks") == "default"


def test_unknown_key_lookup_is_a_clear_error(tmp_path):
    with pytest.raises(KeyError, match="no setting named 'nope'"):
        Settings(None).get("nope")
