"""ruff (lint, import order) and mypy (strict on desktop/core, default elsewhere) pass, as part of the
test suite, so the README's test command and CI enforce them. Settings: pyproject.toml."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUFF_PATHS = ["desktop", "tests", "packaging", "main.py"]


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name(tool)
    assert executable.exists(), f"{tool} is not installed next to {sys.executable}: pip install -e '.[test]'"
    return subprocess.run([str(executable), *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    # no cache: nothing written into the working tree, and a stale cache can never hide a finding
    result = _run("ruff", "check", "--no-cache", *RUFF_PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing(tmp_path):
    # a fresh cache each run (a few seconds cold): the result never depends on an earlier run
    result = _run("mypy", "--cache-dir", str(tmp_path / "mypy-cache"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout, result.stdout
