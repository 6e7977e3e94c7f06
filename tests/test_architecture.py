"""The layering rules of pyproject.toml's import-linter contracts hold (run as part of the test suite)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout


def test_starting_the_command_line_does_not_import_qt_or_network_libraries():
    code = (
        "import sys; from desktop import bootstrap; bootstrap.build_parser(); "
        "print(sorted(m for m in ('PySide6', 'requests', 'keyring') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_version_and_help_work_without_a_display():
    installed = str(Path(sys.executable).with_name("chorus"))
    for entry in ([sys.executable, "main.py"], [sys.executable, "-m", "desktop"], [installed]):
        version = subprocess.run([*entry, "--version"], cwd=REPO, capture_output=True, text=True, timeout=60,
                                 env={"PATH": "/usr/bin:/bin"})
        assert version.returncode == 0 and version.stdout.strip() == "Chorus 0.1.0", version.stderr
        helptext = subprocess.run([*entry, "--help"], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert "--profile DIR" in helptext.stdout and "bluesky, mastodon, linkedin, x" in helptext.stdout
    bad = subprocess.run([sys.executable, "main.py", "--network", "myspace"], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "unknown network 'myspace'" in bad.stderr
