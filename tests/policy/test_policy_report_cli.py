"""`chorus check --record-usage` and `chorus policy report`, run as the real command in a subprocess
over an isolated profile."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from desktop.core.drafts import DraftStore
from desktop.core.drafts.policy_usage import PolicyUsageStore

REPO = Path(__file__).resolve().parents[2]
POLICY = """
[policy]
id = "staged"
name = "Staged"
version = "3"
owner = "Comms"
contact = "comms@acme.example"

[[rules]]
id = "forecast"
category = "finance"
kind = "lexicon"
terms = ["revenue will double"]
severity = "block"
mode = "advise"
message = "Forward-looking statement: {match}"
examples.flag = ["revenue will double"]

[[rules]]
id = "roadmap"
category = "confidential"
kind = "lexicon"
terms = ["ships next week"]
severity = "warn"
mode = "shadow"
message = "Launch date"
examples.flag = ["it ships next week"]
"""
SECRET_WORDS = "Project Gannet"


def chorus(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "main.py"), *args], cwd=REPO, input=stdin, text=True,
                          capture_output=True, timeout=120)


def test_check_records_only_when_asked_and_the_report_has_counts_and_no_text(tmp_path: Path) -> None:
    policy = tmp_path / "staged.toml"
    policy.write_text(POLICY, encoding="utf-8")
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "a.txt").write_text(f"{SECRET_WORDS}: revenue will double, revenue will double.", encoding="utf-8")
    (posts / "b.txt").write_text(f"{SECRET_WORDS} ships next week.", encoding="utf-8")
    (posts / "c.txt").write_text("A walk by the sea.", encoding="utf-8")
    profile = tmp_path / "profile"
    files = [str(posts / name) for name in ("a.txt", "b.txt", "c.txt")]

    plain = chorus("check", "--policy", str(policy), "--profile", str(profile), *files)
    assert plain.returncode == 0, plain.stderr  # an advise block rule never blocks
    assert "info (advisory: block once enforced): Forward-looking statement" in plain.stdout
    assert "Launch date" not in plain.stdout  # shadow: never shown
    assert not (profile / "data" / "drafts.db").exists()  # without --record-usage nothing is written

    for _ in range(2):  # checking the same files again counts each post once
        recorded = chorus("check", "--policy", str(policy), "--record-usage", "--profile", str(profile), *files)
        assert recorded.returncode == 0, recorded.stderr

    report = chorus("policy", "report", "--profile", str(profile))
    assert report.returncode == 0, report.stderr
    lines = report.stdout.splitlines()
    assert "staged 3" in lines
    assert any(line.startswith("  forecast (advise): fired 2 times on 1 of 3 posts checked") for line in lines)
    assert any(line.startswith("  roadmap (shadow): fired 1 time on 1 of 3 posts checked") for line in lines)
    as_json = chorus("policy", "report", "--profile", str(profile), "--format", "json")
    rules = {row["rule_id"]: row for row in json.loads(as_json.stdout)["rules"]}
    assert (rules["forecast"]["firings"], rules["forecast"]["posts"], rules["forecast"]["posts_checked"]) == (2, 1, 3)
    assert rules["roadmap"]["mode"] == "shadow" and rules["roadmap"]["posts"] == 1
    for output in (report.stdout, as_json.stdout):
        assert SECRET_WORDS not in output and "revenue" not in output and "a.txt" not in output
    database = (profile / "data" / "drafts.db").read_bytes()
    assert SECRET_WORDS.encode() not in database and b"a.txt" not in database


def test_the_report_lists_false_positives_and_says_when_there_is_nothing(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    empty = chorus("policy", "report", "--profile", str(profile))
    assert empty.returncode == 0 and "No staged rules (mode advise or shadow) counted" in empty.stdout
    assert not (profile / "data" / "drafts.db").exists()  # reading a report creates nothing

    (profile / "data").mkdir(parents=True)
    store = DraftStore.open(profile / "data" / "drafts.db")
    try:
        usage = PolicyUsageStore(store)
        usage.record_false_positive("staged", "3", "forecast", None)
        usage.record_false_positive("staged", "3", "roadmap", "ships next week")
    finally:
        store.close()
    listed = chorus("policy", "report", "--profile", str(profile), "--false-positives")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].endswith("staged 3  rule forecast (words not included)")
    assert lines[1].endswith('staged 3  rule roadmap "ships next week"')
    as_json = json.loads(chorus("policy", "report", "--profile", str(profile), "--false-positives",
                                "--format", "json").stdout)
    assert [(r["rule_id"], r["matched_text"]) for r in as_json["false_positives"]] == [
        ("forecast", None), ("roadmap", "ships next week")]


def test_recording_into_a_profile_that_cannot_be_opened_fails_with_a_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "profile"
    blocker.write_text("not a folder", encoding="utf-8")
    result = chorus("check", "--policy", "default", "--record-usage", "--profile", str(blocker), stdin="hello")
    assert result.returncode == 2
    assert "chorus: cannot record usage in" in result.stderr and "Traceback" not in result.stderr
