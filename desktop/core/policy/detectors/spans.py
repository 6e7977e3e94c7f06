"""What every detector shares: a detection (kind and code-point span), merging overlaps, the runs of
non-space text around candidate positions, and :class:`Intervals` for "does this span overlap any
of those?" in one binary search."""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass

Span = tuple[int, int]


@dataclass(frozen=True)
class Detection:
    kind: str
    start: int
    end: int
    label: str = ""  # what was found, in words for the author ("a Stripe secret key"); "" when the rule says it


def merge_overlapping(found: Iterable[Detection]) -> list[Detection]:
    """Overlapping detections of one secret are reported once (the longest wins)."""
    kept: list[Detection] = []
    for det in sorted(found, key=lambda d: (d.start, -(d.end - d.start))):
        if kept and det.start < kept[-1].end:
            if det.end > kept[-1].end and det.kind == kept[-1].kind:
                kept[-1] = Detection(det.kind, kept[-1].start, det.end)
            continue
        kept.append(det)
    return kept


_SPACE = re.compile(r"\s")


def chunks_around(text: str, positions: Iterable[int]) -> list[Span]:
    """The runs of non-space characters holding *positions* (each run once, in order)."""
    chunks: list[Span] = []
    for position in positions:
        if chunks and position < chunks[-1][1]:
            continue
        start = max(text.rfind(" ", 0, position), text.rfind("\n", 0, position), text.rfind("\t", 0, position)) + 1
        space = _SPACE.search(text, position)
        chunks.append((start, space.start() if space else len(text)))
    return chunks


def overlaps(span: Span, zones: Iterable[Span]) -> bool:
    """One question against a few zones; for many questions build :class:`Intervals` once."""
    return any(s < span[1] and span[0] < e for s, e in zones)


class Intervals:
    """Spans merged into sorted, disjoint runs, so "does this span overlap any of them?" is one binary
    search (a post with thousands of links or matches stays linear, not matches x zones)."""

    def __init__(self, spans: Iterable[Span]) -> None:
        ordered = sorted(spans)
        starts = [start for start, _ in ordered]
        ends = [end for _, end in ordered]
        if all(map(operator.ge, starts[1:], ends)) and all(map(operator.le, starts, ends)):
            # already disjoint (the usual case: links, addresses, numbers): nothing to merge, and no
            # Python loop over thousands of them
            self.starts, self.ends = starts, ends
            return
        merged: list[list[int]] = []
        for start, end in ordered:
            if merged and start < merged[-1][1]:  # touching runs stay apart: an empty span between them overlaps neither
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def overlaps(self, span: Span) -> bool:
        """Like :func:`overlaps`: some run has start < span end and span start < its end."""
        i = bisect.bisect_left(self.starts, span[1]) - 1  # the last run starting before the span ends
        return i >= 0 and span[0] < self.ends[i]
