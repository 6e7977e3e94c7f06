"""The acme-example policy scored on our own corpus of realistic posts (acme-policy.md §1.5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.core.policy import load_policy
from tests.policy.scoring import Score, locate, score_post

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = DATA / "acme_corpus.jsonl"
# Written blind (from the policy text only, without seeing the engine or the first corpus) to
# measure the engine on posts it was not tuned on; first run: precision 1.0, recall 0.991.
HOLDOUT = DATA / "acme_holdout.jsonl"


def _posts(path: Path = CORPUS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def acme():
    return load_policy("acme-example")


@pytest.mark.parametrize("path", [CORPUS, HOLDOUT], ids=["corpus", "holdout"])
def test_corpus_is_big_and_covers_every_rule(path: Path) -> None:
    posts = _posts(path)
    assert len(posts) >= 80
    assert sum(1 for p in posts if not p["expect"]) >= 20  # clean near-misses
    kinds = {e["rule_kind"] for p in posts for e in p["expect"]}
    assert len(kinds) == 20  # one rule_kind per rule R1-R20, all present
    for post in posts:
        locate(post["text"], post["expect"])  # every expectation points at real text


@pytest.mark.parametrize("path", [CORPUS, HOLDOUT], ids=["corpus", "holdout"])
def test_acme_example_scores_perfectly_on_the_corpus(acme, path: Path) -> None:
    score = Score()
    posts = _posts(path)
    for post in posts:
        findings = [f.as_json() for f in acme.check(post["text"], "linkedin")]
        score_post(post["id"], post["text"], post["expect"], findings, score)
    print(json.dumps({"corpus": path.name, "posts": len(posts), "true_positives": score.true_positives,
                      "precision": round(score.precision, 4), "recall": round(score.recall, 4)}))
    assert score.false_positives == []
    assert score.false_negatives == []


def test_scoring_counts_a_second_overlapping_finding_as_extra() -> None:
    score = Score()
    text = "Project Bluebird"
    expect = [{"rule_kind": "codename", "severity": "block", "span_text": "Project Bluebird"}]
    finding = {"category": "codename", "severity": "block", "start": 0, "end": 16}
    score_post("x", text, expect, [finding, dict(finding)], score)
    assert score.true_positives == 1 and len(score.false_positives) == 1
    score = Score()
    score_post("y", text, expect, [{**finding, "severity": "warn"}], score)
    assert score.true_positives == 0 and len(score.false_negatives) == 1 and len(score.false_positives) == 1
