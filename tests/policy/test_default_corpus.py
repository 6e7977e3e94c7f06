"""The built-in `default` policy scored on a corpus written blind (tests/data/default_corpus.jsonl).

The corpus was written from the default policy's intent only (issue 11: what it must catch and what
must pass), without reading its rules, so it measures how the rules generalise. Scoring adapts
tests/policy/scoring.py to a corpus that names themes, not our rule categories:

- an expectation is found when a finding of severity warn or block overlaps its span (one finding
  satisfies one expectation; the theme names are the writer's, so they are not compared);
- a clean post (no expectations) is a false positive when any warn or block finding appears on it;
  info hints are not findings here (they never stop or slow anyone down).

Themes that need detectors added by another change (payment cards, IBANs, US SSNs) are scored once
the policy has their rules (ids below); until then they are reported separately, not hidden.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop.core.policy import load_policy

CORPUS = Path(__file__).resolve().parents[1] / "data" / "default_corpus.jsonl"
REPORTED = {"warn", "block"}
# theme -> the rule id that covers it, for themes whose detector another change brings
PENDING_DETECTOR_RULES = {"payment_card": "payment-card", "bank_account": "iban"}
# a US Social Security number (a personal ID) needs the us-ssn rule
SSN_SHAPE = re.compile(r"(?<!\d)\d{3}[- ]?\d{2}[- ]?\d{4}(?!\d)")
MIN_RECALL = 0.9
MAX_FALSE_POSITIVE_RATE = 0.05


def read_posts(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _posts() -> list[dict]:
    return read_posts(CORPUS)


def score_seen(policy, path: Path) -> CorpusScore:
    """Every post of a seen corpus (a hold-out the policy has since been taught) scored with *policy*,
    nothing pending; the score's line, misses and flagged clean posts printed for the test log."""
    score = CorpusScore()
    for post in read_posts(path):
        score_post(post, [f.as_json() for f in policy.check(post["text"], "linkedin")], score, set())
    print(json.dumps({"corpus": path.name, "seen": True, "recall": round(score.recall, 4), "found": score.found,
                      "missed": len(score.missed), "clean_posts": score.clean_posts,
                      "false_positive_rate": round(score.false_positive_rate, 4), "flagged_clean": len(score.flagged_clean)}))
    for post_id, expect in score.missed:
        print("missed", post_id, expect["theme"], repr(expect["span_text"]))
    for post_id, found in score.flagged_clean:
        print("flagged clean", post_id, found)
    return score


def _span(text: str, span_text: str, after: int = 0) -> tuple[int, int]:
    start = text.find(span_text, after)
    if start < 0:
        raise ValueError(f"span_text {span_text!r} is not in the post")
    return start, start + len(span_text)


@dataclass
class CorpusScore:
    found: int = 0
    missed: list[tuple[str, dict]] = field(default_factory=list)
    pending: list[tuple[str, dict, bool]] = field(default_factory=list)  # (post id, expectation, found)
    clean_posts: int = 0
    flagged_clean: list[tuple[str, list[tuple[str, str, str]]]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        expected = self.found + len(self.missed)
        return self.found / expected if expected else 1.0

    @property
    def false_positive_rate(self) -> float:
        return len(self.flagged_clean) / self.clean_posts if self.clean_posts else 0.0


def score_post(post: dict, findings: list[dict], score: CorpusScore, pending_themes: set[str]) -> None:
    """One-to-one: each warn/block finding satisfies at most one expectation it overlaps."""
    text = post["text"]
    reported = [f for f in findings if f["severity"] in REPORTED]
    if not post["expect"]:
        score.clean_posts += 1
        if reported:
            score.flagged_clean.append((post["id"], [(f["rule_id"], f["severity"], text[f["start"]:f["end"]])
                                                     for f in reported]))
        return
    used: set[int] = set()
    next_from: dict[str, int] = {}
    for expect in post["expect"]:
        s, e = _span(text, expect["span_text"], next_from.get(expect["span_text"], 0))
        next_from[expect["span_text"]] = s + 1
        hit = next((i for i, f in enumerate(reported) if i not in used and f["start"] < e and s < f["end"]), None)
        if hit is not None:
            used.add(hit)
        if _is_pending(expect, pending_themes):
            score.pending.append((post["id"], expect, hit is not None))
        elif hit is not None:
            score.found += 1
        else:
            score.missed.append((post["id"], expect))


def _is_pending(expect: dict, pending_themes: set[str]) -> bool:
    if expect["theme"] in pending_themes:
        return True
    return "ssn" in pending_themes and expect["theme"] == "personal_id" and bool(SSN_SHAPE.search(expect["span_text"]))


@pytest.fixture(scope="module")
def policy():
    return load_policy("default")


def _score(policy) -> CorpusScore:
    ids = {rule.id for rule in policy.rules}
    pending = {theme for theme, rule_id in PENDING_DETECTOR_RULES.items() if rule_id not in ids}
    if "us-ssn" not in ids:
        pending.add("ssn")
    score = CorpusScore()
    for post in _posts():
        findings = [f.as_json() for f in policy.check(post["text"], "linkedin")]
        score_post(post, findings, score, pending)
    return score


def test_corpus_is_big_and_every_expectation_points_at_real_text() -> None:
    posts = _posts()
    assert len(posts) >= 150
    assert sum(1 for p in posts if not p["expect"]) >= 50
    for post in posts:
        for expect in post["expect"]:
            assert expect["severity"] in REPORTED, post["id"]
            _span(post["text"], expect["span_text"])


def test_default_policy_scores_on_the_blind_corpus(policy) -> None:
    score = _score(policy)
    pending_found = sum(1 for *_, found in score.pending if found)
    print(json.dumps({"corpus": CORPUS.name, "recall": round(score.recall, 4), "found": score.found,
                      "missed": len(score.missed), "clean_posts": score.clean_posts,
                      "false_positive_rate": round(score.false_positive_rate, 4),
                      "flagged_clean": len(score.flagged_clean),
                      "pending_detector_expectations": len(score.pending), "pending_found": pending_found}))
    for post_id, expect in score.missed:
        print("missed", post_id, expect["theme"], repr(expect["span_text"]))
    for post_id, found in score.flagged_clean:
        print("flagged clean", post_id, found)
    assert score.recall >= MIN_RECALL, score.missed
    assert score.false_positive_rate <= MAX_FALSE_POSITIVE_RATE, score.flagged_clean


def test_scoring_counts_overlap_and_ignores_info_hints() -> None:
    post = {"id": "x", "text": "Our revenue will double next quarter", "expect": [
        {"theme": "financial_forward_looking", "severity": "block", "span_text": "revenue will double"}]}
    score = CorpusScore()
    score_post(post, [{"rule_id": "r", "severity": "warn", "start": 4, "end": 11}], score, set())
    assert score.found == 1 and not score.missed
    score = CorpusScore()
    score_post(post, [{"rule_id": "r", "severity": "info", "start": 4, "end": 11}], score, set())
    assert score.found == 0 and len(score.missed) == 1
    clean = {"id": "y", "text": "Damn, what a game", "expect": []}
    score = CorpusScore()
    score_post(clean, [{"rule_id": "r", "severity": "info", "start": 0, "end": 4}], score, set())
    assert score.clean_posts == 1 and score.flagged_clean == []
