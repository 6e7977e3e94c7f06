"""``chorus --demo`` end to end, in a real process: start, publish a sample to the sandbox, see it in the
feed, reset, quit; then the real profile and the home folder are exactly as before (a snapshot of the
file tree), the temporary demo profile is gone, and the OS keyring was never called (a recording
keyring backend, whose record must not appear).

Also the command line's refusals: a broken bundle, --profile with --demo, demo.available turned off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from desktop.bootstrap import main

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 120


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under *folder*: its size and modification time."""
    tree = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        tree[str(path.relative_to(folder))] = (info.st_size if path.is_file() else -1, info.st_mtime_ns)
    return tree


def environment(tmp_path: Path) -> tuple[dict[str, str], Path, Path, Path]:
    home, temp, record = tmp_path / "home", tmp_path / "tmp", tmp_path / "keyring-calls.txt"
    temp.mkdir()
    # a real profile with settings and drafts of its own, as a person who uses Chorus has
    (home / ".config" / "chorus").mkdir(parents=True)
    (home / ".config" / "chorus" / "settings.json").write_text(
        json.dumps({"schema_version": 1, "values": {"policy.source": "default"}}), encoding="utf-8")
    (home / ".local" / "share" / "chorus").mkdir(parents=True)
    (home / ".local" / "share" / "chorus" / "drafts.db").write_bytes(b"not touched")
    (home / "Documents").mkdir()
    (home / "Documents" / "notes.txt").write_text("mine", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("XDG_")}
    env.update(HOME=str(home), TMPDIR=str(temp), PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen",
               PYTHON_KEYRING_BACKEND="tests.demo.recording_keyring.RecordingKeyring",
               CHORUS_TEST_KEYRING_RECORD=str(record))
    return env, home, temp, record


def test_a_demo_from_start_to_quit_leaves_no_trace(tmp_path: Path) -> None:
    env, home, temp, record = environment(tmp_path)
    before = snapshot(home)
    out = tmp_path / "seen.json"
    finished = subprocess.run([sys.executable, str(REPO / "tests" / "demo" / "demo_driver.py"), str(out)],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert finished.returncode == 0, finished.stderr[-3000:]
    seen = json.loads(out.read_text(encoding="utf-8"))
    assert "timeout_in" not in seen, seen
    assert seen["exit_code"] == 0 and seen["title"].endswith("Demo — nothing is published")
    assert seen["acknowledged"]  # the policy summary asked for, as on any first start
    assert seen["published"] == 3 and seen["styles"] == ["bluesky", "linkedin", "mastodon"]
    assert seen["feed_at_start"] == seen["feed_after_reset"] == 2 and seen["drafts_after_reset"] == 8
    assert Path(seen["root"]).parent == temp and not Path(seen["root"]).exists()
    assert list(temp.iterdir()) == []  # the demo profile is deleted at the end
    assert snapshot(home) == before  # the real profile and home folder are exactly as they were
    assert not record.exists(), record.read_text(encoding="utf-8")


def test_the_recording_keyring_would_have_seen_a_keyring_call(tmp_path: Path) -> None:
    """The control for the test above: the same environment does record a keyring use."""
    env, _home, _temp, record = environment(tmp_path)
    code = "from desktop.adapters.keyring_store import KeyringSecretStore; KeyringSecretStore().get('acct-x')"
    finished = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT_S)
    assert "RecordingKeyring is not one Chorus trusts" in finished.stderr
    assert record.read_text(encoding="utf-8").startswith("load ")


def test_a_broken_bundle_stops_the_start_with_its_reason(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    bundle = tmp_path / "mine.toml"
    bundle.write_text('[bundle]\nformat = 1\nname = "x"\n[policy]\nbuiltin = "acme-example"\n', encoding="utf-8")
    shown: list[str] = []
    assert main(["--demo", str(bundle)], show_fatal=shown.append) == 2
    assert shown and shown[0].startswith(f"The demo bundle {bundle} cannot be used (accounts)")
    assert "resources/demo/README.md" in shown[0] and shown[0] in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["mine.toml"]  # refused before any profile was made


def test_demo_makes_its_own_profile(tmp_path: Path) -> None:
    shown: list[str] = []
    assert main(["--demo", "--profile", str(tmp_path / "p")], show_fatal=shown.append) == 2
    assert "leave out --profile" in shown[0] and not (tmp_path / "p").exists()


def test_it_can_turn_demo_mode_off(tmp_path: Path, monkeypatch) -> None:
    """demo.available = false in a real managed file under /etc/xdg/chorus: --demo refuses, saying
    who turned it off, and leaves no temporary profile behind."""
    from tests.unit.managed_etc import etc_managed

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    shown: list[str] = []
    with etc_managed({"demo.available": False}):
        assert main(["--demo"], show_fatal=shown.append) == 2
    assert "turned off on this computer by your organisation (the setting demo.available)" in shown[0]
    assert list(tmp_path.iterdir()) == []
