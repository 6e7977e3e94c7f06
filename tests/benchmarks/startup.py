"""Startup benchmark: Chorus to its first shown main window, against a bare PySide6 window.

    python -m tests.benchmarks.startup [--runs 7] [--platform offscreen|xcb]

Each run is a fresh Python process. Time is measured by this parent from spawning the process to
the child's report, which the child sends from the first event-loop turn after ``show()``. Peak
memory is the child's own maximum resident set size at that moment. Medians over ``--runs``
repetitions, the two programs interleaved so machine noise hits both alike. Prints one JSON line.
Targets (issue 3): startup_ratio <= 2.0 and memory_ratio <= 2.0.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BASELINE = r"""
import json, resource, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("baseline")
window.resize(1100, 700)
window.show()
def shown():
    print(json.dumps({"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""

CHORUS = r"""
import json, resource, sys
import desktop.ui.shell.app as ui_app
from desktop import bootstrap
real_create = ui_app.create_window
def create_window(*args, **kwargs):
    from PySide6.QtCore import QTimer
    app, window, runner = real_create(*args, **kwargs)
    def shown():
        assert window.isVisible()
        heavy = sorted(m for m in ("requests", "keyring", "urllib3") if m in sys.modules)
        print(json.dumps({"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                          "heavy_modules_loaded": heavy}), flush=True)
        app.quit()
    QTimer.singleShot(0, shown)
    return app, window, runner
ui_app.create_window = create_window
sys.exit(bootstrap.main(["--profile", sys.argv[1]]))
"""


def run_once(code: str, env: dict[str, str], *args: str) -> tuple[float, dict]:
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, *args], env=env, cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    _out, err = process.communicate(timeout=60)
    if process.returncode != 0 or not line:
        raise SystemExit(f"benchmark child failed ({process.returncode}): {err}")
    return elapsed, json.loads(line)


def seed_profile(profile: Path, drafts: int) -> None:
    sys.path.insert(0, str(REPO))
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    store = DraftStore.open(paths.drafts_db)
    for n in range(drafts):
        store.create(f"Draft {n}: notes for a post about release {n} with a link https://example.com/{n}")
    store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    parser.add_argument("--drafts", type=int, default=200, help="drafts in the benchmark profile")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chorus-bench-") as tmp:
        # Like an installed app (pip and PyInstaller ship compiled bytecode): the untimed warm-up runs
        # write bytecode to a cache of their own, which the timed runs of both programs then use,
        # even where PYTHONDONTWRITEBYTECODE is set for development.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(QT_QPA_PLATFORM=args.platform, PYTHONPYCACHEPREFIX=str(Path(tmp) / "bytecode"))
        profile = Path(tmp) / "profile"
        seed_profile(profile, args.drafts)
        run_once(BASELINE, env)  # warm the OS file cache for both, untimed
        run_once(CHORUS, env, str(profile))
        chorus_times, chorus_mem, base_times, base_mem = [], [], [], []
        heavy: list[str] = []
        for _ in range(args.runs):
            seconds, report = run_once(BASELINE, env)
            base_times.append(seconds)
            base_mem.append(report["maxrss_kib"] / 1024)
            seconds, report = run_once(CHORUS, env, str(profile))
            chorus_times.append(seconds)
            chorus_mem.append(report["maxrss_kib"] / 1024)
            heavy = report["heavy_modules_loaded"]
    startup, baseline = statistics.median(chorus_times), statistics.median(base_times)
    peak, base_peak = statistics.median(chorus_mem), statistics.median(base_mem)
    print(json.dumps({
        "startup_s": round(startup, 3),
        "baseline_s": round(baseline, 3),
        "startup_ratio": round(startup / baseline, 2),
        "peak_mib": round(peak, 1),
        "baseline_peak_mib": round(base_peak, 1),
        "memory_ratio": round(peak / base_peak, 2),
        "runs": args.runs,
        "platform": args.platform,
        "drafts": args.drafts,
        "heavy_modules_at_first_window": heavy,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
