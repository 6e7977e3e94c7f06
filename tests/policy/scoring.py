"""Scoring of a policy corpus, following acme-policy.md §1.5 (overlap, one to one, clean posts)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Score:
    true_positives: int = 0
    false_positives: list[tuple[str, dict]] = field(default_factory=list)  # (post id, finding)
    false_negatives: list[tuple[str, dict]] = field(default_factory=list)  # (post id, expectation)

    @property
    def precision(self) -> float:
        reported = self.true_positives + len(self.false_positives)
        return self.true_positives / reported if reported else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + len(self.false_negatives)
        return self.true_positives / expected if expected else 1.0


def locate(text: str, expectations: list[dict]) -> list[tuple[int, int]]:
    """Each expectation's span; repeated (kind, span_text) pairs take the next occurrence in order."""
    spans = []
    next_from: dict[tuple[str, str], int] = {}
    for expect in expectations:
        key = (expect["rule_kind"], expect["span_text"])
        start = text.find(expect["span_text"], next_from.get(key, 0))
        if start < 0:
            raise ValueError(f"span_text {expect['span_text']!r} is not in the post")
        next_from[key] = start + 1
        spans.append((start, start + len(expect["span_text"])))
    return spans


def score_post(post_id: str, text: str, expectations: list[dict], findings: list[dict], score: Score) -> None:
    spans = locate(text, expectations)
    used: set[int] = set()
    satisfied: set[int] = set()
    for e_index, (expect, (s, e)) in enumerate(zip(expectations, spans, strict=True)):
        for f_index, finding in enumerate(findings):
            if f_index in used:
                continue
            if (finding["category"] == expect["rule_kind"] and finding["severity"] == expect["severity"]
                    and finding["start"] < e and s < finding["end"]):
                used.add(f_index)
                satisfied.add(e_index)
                break
    score.true_positives += len(satisfied)
    score.false_negatives += [(post_id, x) for i, x in enumerate(expectations) if i not in satisfied]
    score.false_positives += [(post_id, f) for i, f in enumerate(findings) if i not in used]
