"""The Linux package, end to end, as IT would use it: build the .deb, install it with dpkg, start the
installed app on an X server, use the OS keyring from the frozen app, remove the package.

The .deb is built once per session by ``packaging/linux/build-deb.sh`` (PyInstaller and xz take
about a minute). Installing needs root (CI runs as root); the package is removed again in a
finalizer whatever happens, so the machine is left as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import __version__
from desktop.core.settings import SPECS
from tests.conftest import REPO
from tests.integration.secret_service import SecretService
from tests.integration.xtools import app_env, run_x, stop, wait_for_window

pytestmark = pytest.mark.slow

PACKAGE = "chorus"
INSTALLED_FILES = (
    "/opt/chorus/chorus",
    "/opt/chorus/_internal/resources/policies/default.toml",
    "/opt/chorus/_internal/resources/icons/chorus.svg",
    "/usr/share/applications/chorus.desktop",
    "/usr/share/icons/hicolor/scalable/apps/chorus.svg",
    "/usr/share/icons/hicolor/256x256/apps/chorus.png",
    "/usr/share/doc/chorus/examples/managed-settings.json",
    "/usr/share/doc/chorus/copyright",
)


def unavailable(reason: str) -> None:
    """Fail (CI must run this) or, with CHORUS_ALLOW_SKIP=1 on a developer's machine, skip."""
    if os.environ.get("CHORUS_ALLOW_SKIP") == "1":
        pytest.skip(reason)
    pytest.fail(reason, pytrace=False)


def package_status() -> str:
    """dpkg's status line for the package ("" when dpkg has never heard of it)."""
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else ""


def run(*args: str, env: dict[str, str] | None = None, stdin_text: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), input=stdin_text, capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture(scope="session")
def deb(tmp_path_factory) -> Path:
    """dist/chorus_<version>_<arch>.deb, built once from this checkout into a temporary folder."""
    for tool in ("dpkg-deb", "objdump"):
        if not shutil.which(tool):
            unavailable(f"{tool} is not installed (Debian/Ubuntu packages: dpkg, binutils)")
    out = tmp_path_factory.mktemp("deb")
    env = dict(os.environ, PYTHON=sys.executable, DIST_DIR=str(out / "dist"), BUILD_DIR=str(out / "build"))
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(["bash", str(REPO / "packaging" / "linux" / "build-deb.sh")], env=env,
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, f"build-deb.sh failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    arch = run("dpkg", "--print-architecture").stdout.strip()
    path = out / "dist" / f"chorus_{__version__}_{arch}.deb"
    assert path.is_file(), f"build-deb.sh did not write {path}: {sorted(p.name for p in (out / 'dist').iterdir())}"
    return path


@pytest.fixture(scope="module")
def installed(deb: Path) -> Iterator[Path]:
    """The package installed with ``dpkg -i``; removed (purged) again afterwards, whatever happened."""
    if os.geteuid() != 0:
        unavailable("installing the .deb needs root (CI runs as root): run as root or set CHORUS_ALLOW_SKIP=1")
    before = package_status()
    if before and "not-installed" not in before:
        pytest.fail(f"a {PACKAGE} package is already on this machine ({before}); this test would replace and then "
                    f"remove it: remove it first (dpkg -P {PACKAGE})", pytrace=False)
    try:
        result = run("dpkg", "-i", str(deb))
        assert result.returncode == 0, f"dpkg -i failed (missing Depends? see below):\n{result.stdout}\n{result.stderr}"
        yield deb
    finally:
        if package_status():
            subprocess.run(["dpkg", "--purge", PACKAGE], capture_output=True, timeout=120)
        assert not package_status() or "not-installed" in package_status(), package_status()
        assert not Path("/opt/chorus").exists(), "dpkg --purge left /opt/chorus behind"


def test_deb_fields_and_contents(deb):
    fields = {name: run("dpkg-deb", "-f", str(deb), name).stdout.strip()
              for name in ("Package", "Version", "Architecture", "Depends", "Recommends", "Installed-Size")}
    assert fields["Package"] == PACKAGE
    assert fields["Version"] == __version__
    assert fields["Architecture"] == run("dpkg", "--print-architecture").stdout.strip()
    depends = {alternative.strip().split(" ")[0] for part in fields["Depends"].split(",")
               for alternative in part.split("|")}
    # what Qt's xcb platform plugin loads from the system (Qt >= 6.5 stops without libxcb-cursor0)
    assert {"libxcb-cursor0", "libxcb1", "libegl1", "libxkbcommon-x11-0", "libdbus-1-3", "libfontconfig1"} <= depends
    assert fields["Recommends"] == "gnome-keyring"
    contents = run("dpkg-deb", "-c", str(deb)).stdout
    for path in INSTALLED_FILES:
        assert f".{path}\n" in contents, f"{path} is not in the package"
    assert "./usr/bin/chorus -> /opt/chorus/chorus" in contents
    assert "./etc/xdg/chorus/managed/\n" in contents  # the folder IT drops mandatory settings into
    assert int(fields["Installed-Size"]) > 10_000  # KiB: the whole bundle is counted


def test_sample_managed_settings_use_real_keys_and_valid_values(deb, tmp_path):
    run("dpkg-deb", "-x", str(deb), str(tmp_path))
    sample = json.loads((tmp_path / "usr/share/doc/chorus/examples/managed-settings.json").read_text())
    specs = {spec.key: spec for spec in SPECS}
    assert sample and set(sample) <= set(specs), set(sample) - set(specs)
    for key, value in sample.items():
        specs[key].coerce(value)  # raises on a value of the wrong type or out of range
    assert "policy.source" in sample


def test_installed_files_commands_and_bundle(installed):
    for path in INSTALLED_FILES:
        assert Path(path).is_file(), f"{path} is missing after dpkg -i"
    assert os.readlink("/usr/bin/chorus") == "/opt/chorus/chorus"
    listed = run("dpkg", "-L", PACKAGE).stdout.split()
    assert "/usr/bin/chorus" in listed and "/opt/chorus/chorus" in listed
    entry = Path("/usr/share/applications/chorus.desktop").read_text()
    assert "\nExec=chorus\n" in entry and "\nIcon=chorus\n" in entry and "\nStartupWMClass=chorus\n" in entry
    # keyring finds its backends through entry points in its metadata: it must travel in the bundle
    [keyring_metadata] = Path("/opt/chorus/_internal").glob("keyring-*.dist-info")
    assert "SecretService" in (keyring_metadata / "entry_points.txt").read_text()

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    version = run("/usr/bin/chorus", "--version", env=env)
    assert (version.returncode, version.stdout.strip()) == (0, f"Chorus {__version__}"), version.stderr
    policies = run("/usr/bin/chorus", "policy", "list", env=env)
    assert policies.returncode == 0, policies.stderr
    assert [line.split("\t")[0] for line in policies.stdout.splitlines()] == ["acme-example", "default"]
    check = run("/usr/bin/chorus", "check", "--format", "json", "-", env=env, stdin_text="My password is hunter2-Secret!\n")
    assert check.returncode == 1, (check.stdout, check.stderr)  # blocked: the bundled detectors found it
    [checked] = json.loads(check.stdout)["files"]
    assert {(f["category"], f["severity"]) for f in checked["findings"]} == {("secret", "block")}
    # the bundled data files: twitter_text's emoji table (X's weighted length) and UTS #39 confusables
    long_post = "word " * 60 + "\U0001f44d\U0001f3fd https://example.com/" + "x" * 40
    assert rule_ids(long_post, "--network", "x") == ["length-limit"]
    assert rule_ids("Quick update: NIGHTJ\u0410R is on my mind today.", "--policy", "acme-example") == ["R3-codename"]


def rule_ids(text: str, *options: str) -> list[str]:
    """What the installed ``chorus check`` finds in *text*."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    result = run("/usr/bin/chorus", "check", "--format", "json", *options, "-", env=env, stdin_text=text)
    assert result.returncode in (0, 1), (result.stdout, result.stderr)
    [checked] = json.loads(result.stdout)["files"]
    return [finding["rule_id"] for finding in checked["findings"]]


def test_frozen_app_without_a_keyring_says_so(installed, tmp_path):
    """No D-Bus session: the frozen app refuses (no plaintext fallback) and tells the user what to install."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "PYTHON_KEYRING_BACKEND")}
    env.update(HOME=str(tmp_path), XDG_RUNTIME_DIR=str(tmp_path))
    result = run("/usr/bin/chorus", "keyring-selftest", env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "No secure keyring is available" in result.stderr and "gnome-keyring" in result.stderr


def saved_drafts(profile: Path) -> list[str]:
    database = profile / "data" / "drafts.db"
    if not database.exists():
        return []
    connection = sqlite3.connect(database)
    try:
        return [row[0] for row in connection.execute("SELECT body FROM drafts WHERE deleted_at IS NULL")]
    except sqlite3.OperationalError:  # the app has not created its tables yet
        return []
    finally:
        connection.close()


def self_test_items(service: SecretService) -> list[str]:
    import secretstorage

    connection = service.connection()
    try:
        collection = secretstorage.get_default_collection(connection)
        return [item.get_label() for item in collection.get_all_items()
                if item.get_attributes().get("service") == "Chorus keyring self-test"]
    finally:
        connection.close()


@pytest.mark.xvfb
def test_installed_app_shows_its_window_uses_the_keyring_and_removal_keeps_user_data(installed, xserver, tmp_path):
    profile = tmp_path / "profile"
    env = app_env(xserver.env())
    text = "Written in the installed Chorus"
    process = subprocess.Popen(["/usr/bin/chorus", "--profile", str(profile)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        window = wait_for_window(env, r"^Untitled draft — Chorus$", process, timeout=60)
        # the menu entry's StartupWMClass: the window's WM_CLASS instance name
        assert window in run_x(env, "xdotool", "search", "--onlyvisible", "--classname", "^chorus$").split()
        run_x(env, "xdotool", "windowfocus", "--sync", window)
        run_x(env, "xdotool", "mousemove", "--window", window, "600", "300")
        run_x(env, "xdotool", "type", "--delay", "15", text)
        deadline = time.monotonic() + 30
        while text not in saved_drafts(profile) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop(process)
    assert saved_drafts(profile) == [text], "the installed app did not save the typed draft"
    log = (profile / "logs" / "chorus.log").read_text()
    assert f"Chorus {__version__} starting" in log

    service = SecretService().start()
    try:
        result = run("/usr/bin/chorus", "keyring-selftest", env=service.env())
        assert result.returncode == 0, (result.stdout, result.stderr)
        assert "backend: keyring.backends.SecretService.Keyring" in result.stdout
        assert "round trip: saved, read back and deleted" in result.stdout
        assert self_test_items(service) == [], "the self-test left its secret in the keyring"
    finally:
        service.stop()

    removed = run("dpkg", "-r", PACKAGE)
    assert removed.returncode == 0, removed.stderr
    assert not Path("/opt/chorus").exists() and not os.path.lexists("/usr/bin/chorus")
    assert not Path("/usr/share/applications/chorus.desktop").exists()
    assert saved_drafts(profile) == [text], "removing the package touched the user's drafts"
    assert (profile / "logs" / "chorus.log").is_file()
