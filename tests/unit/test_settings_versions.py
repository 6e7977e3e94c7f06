"""The settings file's format version is read: older files are upgraded, newer ones never written over."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from desktop.core import settings as settings_module
from desktop.core.settings import SCHEMA_VERSION, Settings

DATA = Path(__file__).resolve().parent.parent / "data"


def test_a_real_version_1_file_reads_every_value(tmp_path):
    path = tmp_path / "settings.json"
    shutil.copy(DATA / "settings-v1.json", path)
    settings = Settings(path)
    assert settings.problems == []
    assert settings.file_version == 1
    assert settings.get("appearance.theme") == "dark"
    assert settings.get("composer.networks") == ("bluesky", "mastodon")
    assert settings.get("mastodon.max_characters") == 640
    assert settings.get("linkedin.client_id") == "86abcdefghijkl"


def test_migrations_run_in_order_on_an_older_file_and_the_upgrade_is_saved(tmp_path, monkeypatch):
    # the upgrade path itself, with two steps made for this test on top of the real v1 file
    path = tmp_path / "settings.json"
    shutil.copy(DATA / "settings-v1.json", path)
    steps = []

    def to_2(values):
        steps.append(2)
        return {**values, "editor.font_size": values["editor.font_size"] + 1}

    def to_3(values):
        steps.append(3)
        return values

    monkeypatch.setattr(settings_module, "MIGRATIONS", ((2, to_2), (3, to_3)))
    monkeypatch.setattr(settings_module, "SCHEMA_VERSION", 3)
    settings = Settings(path)
    assert steps == [2, 3] and settings.file_version == 3
    assert settings.get("editor.font_size") == 15
    settings.save()
    assert json.loads(path.read_text())["schema_version"] == 3


def test_a_file_from_a_newer_chorus_is_read_but_never_written_over(tmp_path):
    path = tmp_path / "settings.json"
    document = {"schema_version": SCHEMA_VERSION + 1,
                "values": {"appearance.theme": "light", "future.setting": {"shape": "unknown"}}}
    path.write_text(json.dumps(document))
    settings = Settings(path)
    assert settings.get("appearance.theme") == "light"
    assert any("newer version of Chorus" in str(p) for p in settings.problems)
    settings.set("appearance.theme", "dark")
    settings.save()
    assert json.loads(path.read_text()) == document


def test_a_nonsense_version_is_reported_and_read_as_the_first_format(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema_version": "two", "values": {"editor.font_size": 20}}))
    settings = Settings(path)
    assert settings.get("editor.font_size") == 20
    assert [p.key for p in settings.problems] == ["schema_version"]


def test_workers_read_a_snapshot_that_later_changes_do_not_touch(tmp_path):
    settings = Settings(tmp_path / "settings.json")
    snapshot = settings.snapshot()
    settings.set("editor.font_size", 20)
    assert snapshot["editor.font_size"] == 12 and settings.snapshot()["editor.font_size"] == 20
    with pytest.raises(TypeError):
        snapshot["editor.font_size"] = 30  # type: ignore[index]
    seen = []
    reader = threading.Thread(target=lambda: seen.append(settings.snapshot()["editor.font_size"]))
    reader.start()
    reader.join()
    assert seen == [20]
