"""Installer benchmark: the size of the frozen app and of the .deb, and the frozen app's start against
the same checkout started from source.

    python -m tests.benchmarks.bundle [--runs 5] [--dist DIR]

Builds with ``packaging/linux/build-deb.sh`` into a temporary folder (about a minute), or measures
an earlier build given with ``--dist`` (the folder holding ``chorus/`` and the .deb).

Start time: from spawning the process to its main window being visible on a private Xvfb (platform
xcb), found by polling ``xdotool search`` every 10 ms, the way the tests wait for the window. Each
run is a fresh process on a profile an untimed first start created (so no first-start migrations),
with a warm OS file cache (nothing here may drop the machine's caches); the source runs use compiled
bytecode, as an installed app does. Medians over ``--runs``, the two interleaved so machine noise
hits both alike. The CPU time each used until then (user + system, from /proc; 10 ms ticks) is
reported too: on a busy machine it varies much less than the wall time. Prints one JSON line.
Targets (issue 12): deb_mib <= 80, frozen_ratio <= 1.0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
MEASURE = "spawn to main window visible on Xvfb (xcb), warm file cache, existing profile"


def tree_size(folder: Path) -> int:
    return sum(path.lstat().st_size for path in folder.rglob("*") if not path.is_dir())


def build(into: Path) -> Path:
    env = dict(os.environ, PYTHON=sys.executable, DIST_DIR=str(into / "dist"), BUILD_DIR=str(into / "build"))
    result = subprocess.run(["bash", str(REPO / "packaging" / "linux" / "build-deb.sh")], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"build-deb.sh failed:\n{result.stdout}\n{result.stderr}")
    return into / "dist"


def start_xvfb() -> tuple[subprocess.Popen, str]:
    binary = shutil.which("Xvfb")
    if not binary or not shutil.which("xdotool"):
        raise SystemExit("Xvfb and xdotool are needed (Debian/Ubuntu packages: xvfb, xdotool)")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen([binary, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24",
                                "-nolisten", "tcp", "-noreset"],
                               pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        raise SystemExit("Xvfb did not start")
    return process, f":{number}"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def time_to_window(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds from spawning *command* to its window being visible; it is then stopped."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Chorus$"],
                                   env=env, capture_output=True, text=True)
            if found.stdout.split():
                return time.perf_counter() - start, cpu_seconds(process.pid)
            if process.poll() is not None:
                raise SystemExit(f"{command[0]} exited with {process.returncode} before showing its window: "
                                 f"{process.stderr.read().decode(errors='replace') if process.stderr else ''}")
            if time.perf_counter() - start > 60:
                raise SystemExit(f"{command[0]}: no window within 60 s")
            time.sleep(0.01)
    finally:
        process.terminate()
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dist", type=Path, help="measure this earlier build (holds chorus/ and the .deb)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chorus-bundle-") as tmp:
        dist = args.dist.resolve() if args.dist else build(Path(tmp))
        bundle = dist / "chorus"
        [deb] = sorted(dist.glob("chorus_*.deb"))
        bundle_mib, deb_mib = tree_size(bundle) / MIB, deb.stat().st_size / MIB
        xvfb, display = start_xvfb()
        try:
            env = {k: v for k, v in os.environ.items() if not k.startswith("QT_") and k != "PYTHONDONTWRITEBYTECODE"}
            env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONPYCACHEPREFIX=str(Path(tmp) / "bytecode"))
            env.pop("SESSION_MANAGER", None)
            frozen = [str(bundle / "chorus"), "--profile", str(Path(tmp) / "frozen-profile")]
            source = [sys.executable, str(REPO / "main.py"), "--profile", str(Path(tmp) / "source-profile")]
            time_to_window(frozen, env)  # untimed: creates the profiles, writes the source's bytecode,
            time_to_window(source, env)  # and warms the file cache for both
            frozen_runs, source_runs = [], []
            for _ in range(args.runs):
                frozen_runs.append(time_to_window(frozen, env))
                source_runs.append(time_to_window(source, env))
        finally:
            xvfb.terminate()
            xvfb.wait(timeout=10)
    frozen_s, source_s = (statistics.median(wall for wall, _cpu in runs) for runs in (frozen_runs, source_runs))
    frozen_cpu, source_cpu = (statistics.median(cpu for _wall, cpu in runs) for runs in (frozen_runs, source_runs))
    print(json.dumps({
        "bundle_mib": round(bundle_mib, 1),
        "deb_mib": round(deb_mib, 1),
        "frozen_start_s": round(frozen_s, 3),
        "source_start_s": round(source_s, 3),
        "frozen_ratio": round(frozen_s / source_s, 2),
        "frozen_cpu_s": round(frozen_cpu, 2),
        "source_cpu_s": round(source_cpu, 2),
        "cpu_ratio": round(frozen_cpu / source_cpu, 2),
        "runs": args.runs,
        "measure": MEASURE,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
