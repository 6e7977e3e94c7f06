"""The secrets detector on hostile posts: is it linear in the post's length?

    python -m tests.benchmarks.secrets [--runs 5]

Prints one JSON line: ``baseline_ms`` (the ~3,000-character benchmark post, same run), then for each
hostile input made to defeat the prefilter or make a pattern backtrack (runs of a token prefix, of
``key=``, of ``-----BEGIN``, of ``user:pass@``, of base64 with dots, ...), the best of *runs* at
10,000 and 100,000 characters, ``<case>_ratio`` = 100k / 10k (linear: about 10), and
``worst_100k_ms`` with ``worst_ratio``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from desktop.core.policy.detectors import find_secrets  # noqa: E402
from tests.benchmarks.keystroke import long_post  # noqa: E402

CASES = {
    "prefixes": "ghp_sk-xoxb-AKIAeyJSG.glpat-npm_hf_",
    "assignments": "key=",
    "quoted_names": "\"token\":\"",
    "prose_password": "the password is ",
    "pem_headers": "-----BEGIN PRIVATE KEY-----\n",
    "url_credentials": "postgres://u:p",
    "base64_dots": "MTk4NjIyNDgzNDcxOTI1MjQ4.",
    "jwt_parts": "eyJhbGciOiJIUzI1NiJ9.",
    "hex_run": "0123456789abcdef",
    "keyword_window": "aws_secret ",
    "one_char": "a",
    "password_values": "password=Hunter22 ",
}


def best_ms(text: str, runs: int) -> float:
    """The fastest of *runs*: on a shared 2-core machine the others measure the neighbours."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        find_secrets(text)
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    find_secrets("warm up the catalogue")
    post = long_post()
    result: dict[str, float] = {"baseline_ms": round(best_ms(post, 20), 3)}
    worst, worst_ratio = 0.0, 0.0
    for name, unit in CASES.items():
        small = best_ms((unit * (10_000 // len(unit) + 1))[:10_000], args.runs)
        large = best_ms((unit * (100_000 // len(unit) + 1))[:100_000], args.runs)
        ratio = large / small if small else 0.0
        result[f"{name}_10k_ms"] = round(small, 2)
        result[f"{name}_100k_ms"] = round(large, 2)
        result[f"{name}_ratio"] = round(ratio, 1)
        worst, worst_ratio = max(worst, large), max(worst_ratio, ratio)
    result["worst_100k_ms"] = round(worst, 2)
    result["worst_ratio"] = round(worst_ratio, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
