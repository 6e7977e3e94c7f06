"""Chorus installed from its wheel (not editable) carries resources/ and works from it.

The wheel is built from a copy of this checkout with the venv's own setuptools (no build isolation,
no index), installed with ``--no-deps`` into a fresh virtualenv, and the installed ``chorus`` command
is run there. The fresh venv reaches the dependencies (PySide6, regex, ...) through a ``.pth`` line
naming this venv's site-packages; a path line in a ``.pth`` file does not run the ``.pth`` files of the
folder it adds, so this venv's editable install of ``desktop`` stays out, which the test checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

CHECKOUT_LEFTOVERS = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                            "*_cache", "node_modules", "screenshots-tmp")
LEAK = "Our deploy key for the demo is 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 so have fun\n"
CLEAN = "We are hiring engineers in Berlin: come and say hello at our stand on Thursday.\n"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    work: Path  # an empty folder to run commands in (not the checkout, whose desktop/ would be on sys.path)

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def run(self, *argv: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(a) for a in argv], cwd=self.work, env=_clean_env(), capture_output=True,
                              text=True, timeout=120)

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        return self.run(self.bin / "python", "-c", code)


def _clean_env() -> dict[str, str]:
    """This environment without anything that would point Python at the checkout or this venv."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")}


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


def _require_the_build_backend() -> None:
    """The builds run without isolation, so this venv's setuptools builds; say so plainly when too old."""
    from setuptools import __version__ as setuptools_version

    assert int(setuptools_version.split(".")[0]) >= 77, (
        f"setuptools {setuptools_version} in {sys.prefix} cannot build Chorus (build-system.requires: >= 77); "
        "run `pip install -e '.[test]'` to update it")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    _require_the_build_backend()
    root = tmp_path_factory.mktemp("wheel")
    source, wheels, venv, work = root / "src", root / "wheels", root / "venv", root / "work"
    work.mkdir()
    # a copy, so that setuptools' build/ and egg-info (and any stale file in them) never touch the checkout
    shutil.copytree(REPO, source, ignore=CHECKOUT_LEFTOVERS, symlinks=True)
    _ok(subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                        "-q", "-w", str(wheels), str(source)], capture_output=True, text=True, timeout=300))
    [wheel] = wheels.glob("chorus-*.whl")

    _ok(subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], capture_output=True, text=True,
                       timeout=120))
    layout = Installed(wheel, venv, work)
    child_site = Path(_ok(layout.python("import sysconfig; print(sysconfig.get_paths()['purelib'])")).strip())
    assert child_site.is_relative_to(venv)
    # Nothing of Chorus is importable in the fresh venv before the wheel goes in.
    assert _ok(layout.python("import importlib.util; print(importlib.util.find_spec('desktop'))")).strip() == "None"

    _ok(subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                        "--no-deps", "--no-index", "-q", str(wheel)], capture_output=True, text=True, timeout=300))
    # The dependencies: this venv's site-packages folders, after the fresh venv's own (where the wheel went).
    parent_sites = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]
    (child_site / "zz-parent-venv-deps.pth").write_text("".join(f"{p}\n" for p in parent_sites))
    return layout


def test_the_wheel_carries_every_file_under_resources(installed: Installed) -> None:
    in_repo = {p.relative_to(REPO / "resources").as_posix() for p in (REPO / "resources").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    in_wheel = {n.removeprefix("desktop/_resources/") for n in names if n.startswith("desktop/_resources/")}
    assert {"policies/default.toml", "policies/acme-example.toml", "detectors/credentials.toml",
            "icons/chorus.svg"} <= in_repo
    assert in_wheel == in_repo
    # the source tree's stub is not shipped: without it resources_dir() knows it runs from an installed copy
    assert "desktop/_resources/__init__.py" not in names


def test_the_installed_copy_is_the_wheels_not_the_checkout(installed: Installed) -> None:
    out = _ok(installed.python("import desktop, regex, PySide6\n"
                               "from desktop.core.paths import resources_dir\n"
                               "print(desktop.__file__); print(resources_dir())"))
    module, resources = (Path(line) for line in out.splitlines())
    assert module.is_relative_to(installed.venv), module
    assert resources == module.parent / "_resources"
    assert (resources / "policies" / "default.toml").is_file()


def test_installed_chorus_lists_the_built_in_policies(installed: Installed) -> None:
    out = _ok(installed.run(installed.bin / "chorus", "policy", "list"))
    names = [line.split("\t")[0] for line in out.splitlines()]
    assert names == ["acme-example", "default"], out


def test_installed_chorus_blocks_a_credential_and_passes_a_clean_post(installed: Installed) -> None:
    leak, clean = installed.work / "leak.txt", installed.work / "clean.txt"
    leak.write_text(LEAK, encoding="utf-8")
    clean.write_text(CLEAN, encoding="utf-8")

    blocked = installed.run(installed.bin / "chorus", "check", leak)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "[secret-credential]" in blocked.stdout and "GitHub token" in blocked.stdout
    assert "Chorus default social media policy" in blocked.stdout and "1 block" in blocked.stdout

    passed = installed.run(installed.bin / "chorus", "check", clean)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "0 block, 0 warn, 0 info" in passed.stdout

    named = installed.run(installed.bin / "chorus", "check", "--policy", "acme-example", clean)
    assert named.returncode == 0, named.stdout + named.stderr
    assert "Acme Corp social media policy" in named.stdout


def test_a_wheel_built_from_the_sdist_carries_resources_too(tmp_path: Path) -> None:
    """``python -m build`` makes the sdist first and the wheel from it: resources/ must survive both."""
    _require_the_build_backend()
    source, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(REPO, source, ignore=CHECKOUT_LEFTOVERS, symlinks=True)
    sdist = _ok(subprocess.run([sys.executable, "-c", "from setuptools import build_meta\n"
                                f"print(build_meta.build_sdist({str(out)!r}))"], cwd=source, capture_output=True,
                               text=True, timeout=300)).splitlines()[-1]
    _ok(subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                        "-q", "-w", str(out), str(out / sdist)], capture_output=True, text=True, timeout=300))
    [wheel] = out.glob("chorus-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"desktop/_resources/policies/default.toml", "desktop/_resources/detectors/credentials.toml",
            "desktop/_resources/icons/chorus.svg"} <= names


def test_from_the_checkout_resources_are_the_top_level_folder() -> None:
    from desktop.core.paths import resources_dir

    assert resources_dir() == REPO / "resources"
    assert (resources_dir() / "detectors" / "credentials.toml").is_file()


def test_frozen_resources_are_in_the_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PyInstaller's bootloader sets ``sys._MEIPASS`` to the bundle; the spec puts resources/ there."""
    from desktop.core.paths import resources_dir

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"
