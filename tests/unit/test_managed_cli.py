"""``chorus settings list [--format json]`` through the real command line (a subprocess), with real
managed files under /etc/xdg/chorus: every setting's value, level and origin, every managed source
read with its errors, and secrets never printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from desktop.adapters.managed_settings import LINUX_BASE
from desktop.core.settings import SPECS
from tests.unit.managed_etc import etc_managed

REPO = Path(__file__).resolve().parents[2]


def chorus(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", *args], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_settings_list_as_json_reports_levels_origins_and_source_errors(profile):
    (profile / "config").mkdir()
    (profile / "config" / "settings.json").write_text(
        json.dumps({"schema_version": 1, "values": {"editor.font_size": 14, "appearance.theme": "dark"}}))
    with (etc_managed({"accounts.linking_allowed": False, "linkedin.client_secret": "never-printed",
                       "editor.font_size": "big"}) as managed,
          etc_managed('{"appearance.theme": "light", ', level="recommended") as broken):
        result = chorus("settings", "list", "--format", "json", "--profile", str(profile))
    assert result.returncode == 0, result.stderr
    assert "never-printed" not in result.stdout
    document = json.loads(result.stdout)
    rows = {row["key"]: row for row in document["settings"]}
    assert list(rows) == [spec.key for spec in SPECS]
    assert rows["accounts.linking_allowed"] == {"key": "accounts.linking_allowed", "value": False,
                                                "level": "mandatory", "origin": str(managed)}
    assert rows["linkedin.client_secret"]["value"] == "(hidden)" and rows["linkedin.client_secret"]["level"] == "mandatory"
    assert rows["editor.font_size"] == {"key": "editor.font_size", "value": 14, "level": "user",
                                        "origin": str(profile / "config" / "settings.json")}
    assert rows["appearance.theme"]["level"] == "user"
    assert rows["tips.folder"] == {"key": "tips.folder", "value": "", "level": "default", "origin": ""}
    sources = {source["name"]: source for source in document["sources"]}
    mandatory, recommended = sources["Linux mandatory files"], sources["Linux recommended files"]
    assert mandatory["location"] == str(LINUX_BASE / "managed") and mandatory["origins"] == [str(managed)]
    assert mandatory["status"] == "errors"
    assert [(e["origin"], e["key"]) for e in mandatory["errors"]] == [(str(managed), "editor.font_size")]
    assert "a whole number from 8 to 36, not 'big'" in mandatory["errors"][0]["message"]
    assert recommended["failed"] == [str(broken)] and "is not valid JSON" in recommended["errors"][0]["message"]
    assert not (profile / "config" / "managed-last.json").exists()  # listing changes nothing


def test_settings_list_as_text_for_people(profile):
    with etc_managed({"demo.available": False}) as managed:
        result = chorus("settings", "list", "--profile", str(profile))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Settings (level: default < recommended < user < mandatory)"
    demo = next(line for line in lines if line.strip().startswith("demo.available"))
    assert demo.split() == ["demo.available", "false", "[mandatory", f"({managed})]"]
    assert f"  Linux mandatory files: {LINUX_BASE / 'managed'}: ok" in lines
    assert f"    read {managed}" in lines
    assert "  Linux recommended files: " + str(LINUX_BASE / "recommended") + ": absent" in lines
