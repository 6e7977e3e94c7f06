"""The authenticity rule (``kind = "authenticity"``): a post that copies a reference text nearly verbatim.

Advocacy tools hand every employee the same pre-written post, and the networks notice: identical
posts from many accounts read as fake and lose reach. So Chorus compares the draft with its
*references*, texts passed to :meth:`desktop.core.policy.Policy.check` beside the post
(``references=``): the suggested copy of the feed item the draft is about (``kind = "feed"``) and
the author's own recent posts (``kind = "own_post"``). When most of a reference's word sequence is
in the draft, the rule suggests adding something of the author's own (severity ``info`` by
default: a hint, never a block).

    [[rules]]
    id = "own-words"
    category = "authenticity"
    kind = "authenticity"
    min_copied = 0.8          # of the reference's words, found in the draft in runs (default 0.8)
    own_posts_days = 30       # the author's own posts of the last 30 days count (0: never)
    message = "Most of this post is the suggested copy from {source}"
    own_post_message = "This repeats {source}"
    example_reference = "The suggested copy the examples are checked against"
    examples = { flag = ["..."], pass = ["..."] }

How much is copied: both texts are cut into *units* (words; for scripts written without spaces,
Chinese, Japanese, Thai and others, each character, a grapheme cluster, is a unit), after NFKC
and case folding, with punctuation, emoji and links left out. A unit of the reference counts as
copied when it lies in a run of ``n`` consecutive units (``n`` = 4, fewer for very short
references) that also appears in the draft. So a changed word or two, a reordered sentence, an
added greeting, hashtag or emoji, or different case and punctuation keep a copy a copy, while a
rewrite in one's own words shares only short phrases (a product name, "the new release") and
stays far below 80 %. The finding's span runs from the first to the last copied unit in the draft.

Cost: the draft's units and runs are computed once per check and each reference's once per
process (cached by text), then a set lookup per unit: about a millisecond for 50 references of
500 characters against a 3,000-character post. The work is counted against the check's time
budget (:mod:`desktop.core.policy.budget`): when it runs out (a pasted book, thousands of
references) the rule reports itself *incomplete*, never a silent pass.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, ClassVar

import regex

from desktop.core.networks import DISPLAY_NAMES
from desktop.core.policy import detectors
from desktop.core.policy.budget import RuleIncomplete
from desktop.core.policy.model import ADVISE, ENFORCE, FEED, OWN_POST, Finding, Reference
from desktop.core.policy.rules import Document, Rule

DEFAULT_MIN_COPIED = 0.8
DEFAULT_OWN_POSTS_DAYS = 30
SHINGLE = 4  # units in a run; shorter references use shorter runs (see _run_length)
MIN_UNITS = 4  # a reference shorter than this ("Big news!") says too little to call a post a copy of it
MAX_FINDINGS = 3  # references a post copies, reported (the closest first)
_CHECK_EVERY = 64  # references (or 2,000 units of the draft) between looks at the time budget

# Scripts written without spaces between words: each grapheme cluster is a unit.
_NO_SPACE = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}\p{Yi}"
_UNIT = regex.compile(rf"(?V1)(?=[{_NO_SPACE}])\X|[\w--[{_NO_SPACE}]]+")
_HAS_NO_SPACE = regex.compile(rf"[{_NO_SPACE}]")
_WORD = regex.compile(r"\w+")  # the same units when the text has no such script: five times faster


def own_post_reference(text: str, published: dt.datetime, networks: Iterable[str] = ()) -> Reference:
    """A reference for one of the author's own posts: "your post of 3 Dec on Mastodon and Bluesky"."""
    names = [DISPLAY_NAMES.get(n, n) for n in dict.fromkeys(networks)]
    where = f" on {' and '.join(names)}" if names else ""
    when = f"{published.day} {published:%b}"
    return Reference(OWN_POST, text, f"your post of {when}{where}", published.date())


def own_posts_days(rules: Iterable[Rule]) -> int:
    """How many days of the author's own posts the authenticity rules in force or advised look at
    (0: none does, so nothing needs to be read)."""
    return max((rule.own_posts_days for rule in rules
                if isinstance(rule, AuthenticityRule) and rule.mode in (ENFORCE, ADVISE)), default=0)


def reads_references(rules: Iterable[Rule]) -> bool:
    """Whether any rule compares the post with references (else loading them is wasted work)."""
    return any(isinstance(rule, AuthenticityRule) for rule in rules)


# -- units ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Units:
    """A text cut into normalised units, with each unit's code-point span in the text."""

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def units(text: str, skip: Sequence[tuple[int, int]] = (), deadline: float | None = None) -> Units:
    """*text*'s units (see the module docstring), leaving out those that start inside a *skip* span
    (links). Raises :class:`RuleIncomplete` past *deadline* (a ``time.perf_counter()`` value)."""
    found: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    skips = sorted(skip)
    k = 0
    normalize = unicodedata.normalize
    for count, match in enumerate(_UNIT.finditer(text)):
        start = match.start()
        while k < len(skips) and skips[k][1] <= start:
            k += 1
        if k < len(skips) and skips[k][0] <= start:
            continue
        if deadline is not None and count % 2000 == 1999 and time.perf_counter() > deadline:
            raise RuleIncomplete("the post is too long to compare with its references in time")
        word = match.group()
        found.append(normalize("NFKC", word).casefold() if not word.isascii() else word.lower())
        starts.append(start)
        ends.append(match.end())
    return Units(tuple(found), tuple(starts), tuple(ends))


def words(text: str, skip: Sequence[tuple[int, int]] = ()) -> tuple[str, ...]:
    """The normalised units of *text* without their places (what the comparison needs; :func:`units`
    finds the places of a passage once it is known to be copied). *skip*: spans left out (links)."""
    if skip:
        parts, last = [], 0
        for start, end in sorted(skip):
            parts += [text[last:start], " "]
            last = max(last, end)
        text = "".join(parts) + text[last:]
    found = (_UNIT if _HAS_NO_SPACE.search(text) else _WORD).findall(text)
    if not found:
        return ()
    joined = " ".join(found)
    # one normalisation for them all; a compatibility character may normalise to more than one word
    return tuple((joined.lower() if joined.isascii() else unicodedata.normalize("NFKC", joined).casefold()).split())


def _run_length(count: int) -> int:
    return SHINGLE if count >= 3 * SHINGLE else 3 if count >= 6 else 2


def _runs(words: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return list(zip(*(words[i:] for i in range(n)), strict=False))


@dataclass(frozen=True)
class _Profile:
    words: tuple[str, ...]
    n: int
    runs: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=1024)
def _profile(text: str) -> _Profile:
    """A reference's units and runs, once per text: references stay the same while the author types."""
    found = words(text, detectors.find_urls(text))
    n = _run_length(len(found))
    return _Profile(found, n, tuple(_runs(found, n)))


def copied_share(reference: str, draft: str) -> float:
    """How much of *reference*'s word sequence is in *draft* (0 to 1): the measure the rule uses."""
    profile = _profile(reference)
    found = set(_runs(words(draft, detectors.find_urls(draft)), profile.n))
    return _covered(profile, found) / len(profile.words) if profile.words else 0.0


def _covered(profile: _Profile, found: set[tuple[str, ...]]) -> int:
    """The reference's units inside a run that the draft has too."""
    covered = 0
    until = 0  # units before this are counted already
    n = profile.n
    for i, run in enumerate(profile.runs):
        if run in found:
            covered += i + n - max(i, until)
            until = i + n
    return covered


# -- the rule ---------------------------------------------------------------------------------------
@dataclass
class AuthenticityRule(Rule):
    min_copied: float = DEFAULT_MIN_COPIED
    own_posts_days: int = DEFAULT_OWN_POSTS_DAYS
    own_post_message: str = "This repeats {source}"
    # what the rule's own examples are compared with (a feed item's suggested copy), at every load
    example_reference: str = ""
    reads_references: ClassVar[bool] = True
    # the engine's own work (no author pattern): charged to the engine's part of the budget, run with the
    # word lists, before the author's patterns
    priority: ClassVar[int] = 1
    # the last post compared: (text, references, day) and what was found. A post is checked once per
    # network it goes to (TargetedCheck), and what it copies does not depend on the network: the other
    # networks' checks of the same text reuse it (one tuple, replaced whole: safe across threads)
    _last: Any = field(default=None, init=False, repr=False, compare=False)

    def example_references(self) -> tuple[Reference, ...]:
        return (Reference(FEED, self.example_reference, "the example's suggested copy"),) \
            if self.example_reference else ()

    def check(self, doc: Document) -> list[Finding]:
        key = (doc.text, doc.references, doc.today)
        last = self._last
        if last is not None and last[0] == key:
            copied = last[1]
        else:
            copied = self._copied(doc)  # RuleIncomplete (out of time) is not kept: the next check tries again
            self._last = (key, copied)
        return [self._finding(doc, span, reference, share) for span, reference, share in copied]

    def _copied(self, doc: Document) -> list[tuple[tuple[int, int], Reference, float]]:
        """The references the post copies (the closest first, at most MAX_FINDINGS): the copied passage's
        span in the post, the reference and the share of it copied."""
        references = [ref for ref in doc.references if self._counts(ref, doc.today)]
        if not references:
            return []
        budget = doc.budget
        started = time.perf_counter()
        if budget.remaining <= 0:
            raise RuleIncomplete("no time left to compare the post with its references")
        deadline = started + budget.remaining
        draft = doc.cached("authenticity.words", lambda: words(doc.text, doc.urls))
        runs: dict[int, set[tuple[str, ...]]] = {}
        scored: list[tuple[float, int, Reference, _Profile]] = []
        for index, reference in enumerate(references):
            if index % _CHECK_EVERY == _CHECK_EVERY - 1 and time.perf_counter() > deadline:
                raise RuleIncomplete("the references took too long to compare")
            profile = _profile(reference.text)
            if len(profile.words) < MIN_UNITS:
                continue
            if profile.n not in runs:
                runs[profile.n] = set(_runs(draft, profile.n))
            share = _covered(profile, runs[profile.n]) / len(profile.words)
            if share >= self.min_copied:
                scored.append((share, index, reference, profile))
        if time.perf_counter() > deadline:
            raise RuleIncomplete("the references took too long to compare")
        scored.sort(key=lambda item: (-item[0], item[1]))
        copied: list[tuple[tuple[int, int], Reference, float]] = []
        spans: set[tuple[int, int]] = set()
        placed = doc.cached("authenticity.units", lambda: units(doc.text, doc.urls, deadline)) if scored else None
        for share, _index, reference, profile in scored:
            assert placed is not None
            span = _draft_span(placed, set(profile.runs), profile.n)
            if span is None or span in spans:
                continue
            spans.add(span)
            copied.append((span, reference, share))
            if len(copied) == MAX_FINDINGS:
                break
        return copied

    def _counts(self, reference: Reference, today: dt.date) -> bool:
        if reference.kind != OWN_POST:
            return True
        if self.own_posts_days <= 0:
            return False
        return reference.published is None or (today - reference.published).days <= self.own_posts_days

    def _finding(self, doc: Document, span: tuple[int, int], reference: Reference, share: float) -> Finding:
        finding = self.finding(doc, *span)
        template = self.own_post_message if reference.kind == OWN_POST else self.message
        message = template.replace("{source}", reference.source).replace("{copied}", f"{share:.0%}")
        return replace(finding, message=message.replace("{match}", finding.text.strip()[:80]))


def _draft_span(draft: Units, reference_runs: set[tuple[str, ...]], n: int) -> tuple[int, int] | None:
    """From the first to the last unit of the draft that is in a run the reference has."""
    first = last = -1
    for i, run in enumerate(_runs(draft.words, n)):
        if run in reference_runs:
            if first < 0:
                first = i
            last = i + n - 1
    if first < 0:
        return None
    return draft.starts[first], draft.ends[last]
