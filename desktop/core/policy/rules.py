"""The rule kinds of a policy and the per-check document they read.

Every rule turns a :class:`Document` into findings with code-point spans into the original text.
Rules that read words (lexicon, proximity, conditional, substitution) match on the normalised view
and skip the excluded zones (URLs, e-mail addresses, secrets: G3); detectors, patterns marked
``on = "original"`` and the length metric read the original text.

The length rule itself (``MetricRule``, ``fit``) is in :mod:`desktop.core.policy.metric`, the time
budget of the author's patterns in :mod:`desktop.core.policy.budget`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import compress
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import regex

from desktop.core.policy import detectors

# The time budget moved to its own module; its names stay importable from here (the UI's live
# check imports budget_limit, older code and tests the rest).
from desktop.core.policy.budget import (  # noqa: F401
    CHECK_BUDGET_S,
    EXAMPLE_BUDGET_S,
    EXAMPLE_REGEX_TIMEOUT_S,
    REGEX_TIMEOUT_S,
    Budget,
    RuleIncomplete,
    bounded_finditer,
    bounded_search,
    budget_limit,
    on_time,
)
from desktop.core.policy.lexicon import Lexicon, TokenIndex, self_censored
from desktop.core.policy.model import Finding, QuickFix, Severity
from desktop.core.policy.text import View, normalise, sentence_bounds

if TYPE_CHECKING:
    from desktop.core.policy.model import Reference

Span = tuple[int, int]
_T = TypeVar("_T")
INCOMPLETE_MESSAGE = "Rule {rule} could not be completed in time; check this post yourself."


class Document:
    """One text being checked; everything derived from it is computed once, on first use."""

    def __init__(self, text: str, network: str | None, today: dt.date, *, budget: Budget | None = None,
                 instance_limits: dict[str, dict[str, Any]] | None = None,
                 alt_texts: Sequence[str] = (), references: Sequence[Reference] = ()) -> None:
        self.text = text
        # texts the post is compared with (a feed item's suggested copy, the author's own recent
        # posts): read by the authenticity rule (desktop.core.policy.authenticity)
        self.references = tuple(references)
        self._cached: dict[str, Any] = {}
        # the alt text of each image attached to the post, in order ("" when it has none): read by
        # the alt_text rule (desktop.core.policy.alt_text); text rules never look at it
        self.alt_texts = tuple(alt_texts)
        self.network = network
        self.today = today
        # the time the author's patterns may take in this check (shared by every rule)
        self.budget = budget if budget is not None else Budget()
        # what the author's accounts' servers allow, e.g. {"mastodon": {"max_characters": 640,
        # "characters_reserved_per_url": 23}}: length limits follow the instance (R20)
        self.instance_limits = instance_limits or {}
        self._lexicon_cache: dict[int, list[Any]] = {}
        self._contains: dict[tuple[str, int], bool | None] = {}  # None: the search ran out of time
        self._detections: dict[str, list[detectors.Detection]] = {}

    def cached(self, key: str, compute: Callable[[], _T]) -> _T:
        """*compute()*, once per document under *key*: what several rules (or one rule's several
        runs) derive from the text. Not stored when *compute* raises (it may run out of time)."""
        if key not in self._cached:
            self._cached[key] = compute()
        return self._cached[key]  # type: ignore[no-any-return]

    def contains(self, pattern: regex.Pattern[str]) -> bool:
        """Whether *pattern* is found anywhere in the text: an ``unless`` exception. Searched once per
        text whichever rules and terms share the pattern (a timed-out search is not tried again)."""
        key = (pattern.pattern, pattern.flags)
        if key not in self._contains:
            self._contains[key] = None
            self._contains[key] = bounded_search(pattern, self.text, self.budget)
        found = self._contains[key]
        if found is None:
            raise RuleIncomplete(f"{pattern.pattern[:80]!r} ran out of time")
        return found

    # Each part of the engine's work on the text starts only with time left in the check's budget
    # (and its loops stop when it runs out: budget.on_time); one that raised RuleIncomplete is not
    # cached, and asked again it raises at once, the budget being spent.
    @cached_property
    def view(self) -> View:
        self.budget.check("normalising the text")
        return normalise(self.text)

    @cached_property
    def sentences(self) -> list[Span]:
        self.budget.check("finding sentences")
        return sentence_bounds(self.text)

    @cached_property
    def secrets(self) -> list[detectors.Detection]:
        self.budget.check("the secrets detector")
        return detectors.find_secrets(self.text)

    @cached_property
    def urls(self) -> list[Span]:
        self.budget.check("finding links")
        return detectors.find_urls(self.text)

    @cached_property
    def url_hosts(self) -> list[str]:
        """The host of each of :attr:`urls`, in order: read once per text for every internal-URL rule."""
        urls = self.urls
        self.budget.check("reading the links' hosts")
        text, host = self.text, detectors.url_host
        return [host(text[start:end]) for start, end in urls]

    @cached_property
    def emails(self) -> list[Span]:
        self.budget.check("finding e-mail addresses")
        return detectors.find_emails(self.text)

    def detections(self, name: str) -> list[detectors.Detection]:
        """What the registered detector *name* (detectors.EXTRA) finds in the text, searched once per
        text whichever rules ask (the phone rule asks for cards and IBANs too, to leave them out)."""
        if name not in self._detections:
            self.budget.check(f"the {name} detector")
            self._detections[name] = detectors.EXTRA[name](self.text)
        return self._detections[name]

    @cached_property
    def zones(self) -> list[Span]:
        """G3: URLs, e-mail addresses and secrets are out of reach of word rules."""
        return sorted(self.urls + self.emails + [(d.start, d.end) for d in self.secrets])

    @cached_property
    def zone_index(self) -> detectors.Intervals:
        return detectors.Intervals(self.zones)

    @cached_property
    def token_index(self) -> TokenIndex:
        view, zones = self.view, self.zones
        self.budget.check("reading the words")
        return TokenIndex(view, zones)

    def lexicon_matches(self, lexicon: Lexicon) -> list[Any]:
        key = id(lexicon)
        if key not in self._lexicon_cache:
            index = self.token_index
            self.budget.check("a word list")
            self._lexicon_cache[key] = lexicon.find_in(index)
        return self._lexicon_cache[key]

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [start for start, _ in self.sentences]

    def sentence_of(self, position: int) -> int:
        return max(0, bisect.bisect_right(self._sentence_starts, position) - 1)


# -- matchers: building blocks of proximity and conditional rules ------------------------------------
class Matcher:
    cheap = False  # dictionary lookups only: evaluated first, so costlier parts can be skipped

    def spans(self, doc: Document) -> list[Span]:
        raise NotImplementedError

    def spans_within(self, doc: Document, ranges: list[Span]) -> list[Span]:
        """The spans that start inside one of *ranges* (original code points, sorted, disjoint)."""
        starts = [s for s, _ in ranges]
        found = []
        for span in self.spans(doc):
            i = bisect.bisect_right(starts, span[0]) - 1
            if i >= 0 and span[0] < ranges[i][1]:
                found.append(span)
        return found


@dataclass
class LexiconMatcher(Matcher):
    lexicon: Lexicon
    cheap = True

    def spans(self, doc: Document) -> list[Span]:
        return [(m.start, m.end) for m in doc.lexicon_matches(self.lexicon)]


@dataclass
class PatternMatcher(Matcher):
    pattern: regex.Pattern[str]
    on: str = "original"  # or "view": the pattern sees the normalised text (G1)
    capture: int | str = 0

    def spans(self, doc: Document) -> list[Span]:
        return self.spans_within(doc, [(0, len(doc.text))])

    def spans_within(self, doc: Document, ranges: list[Span]) -> list[Span]:
        """Searches only inside *ranges* (e.g. the sentences that have every other part of a rule)."""
        found = []
        if self.on == "view":
            view = doc.view
            for range_start, range_end in ranges:
                pos = bisect.bisect_left(view.starts, range_start)
                endpos = bisect.bisect_left(view.starts, range_end)
                for match in bounded_finditer(self.pattern, view.text, doc.budget, pos, endpos):
                    s, e = match.span(self.capture)
                    if s < 0 or s == e:
                        continue
                    span = view.original_span(s, e)
                    if not doc.zone_index.overlaps(span):
                        found.append(span)
        else:
            for range_start, range_end in ranges:
                for match in bounded_finditer(self.pattern, doc.text, doc.budget, range_start, range_end):
                    s, e = match.span(self.capture)
                    if s >= 0 and s < e and not doc.zone_index.overlaps((s, e)):
                        found.append((s, e))
        return found


@dataclass
class AnyMatcher(Matcher):
    parts: list[Matcher]

    def __post_init__(self) -> None:
        self.cheap = all(part.cheap for part in self.parts)

    def spans(self, doc: Document) -> list[Span]:
        return sorted({span for part in self.parts for span in part.spans(doc)})

    def spans_within(self, doc: Document, ranges: list[Span]) -> list[Span]:
        return sorted({span for part in self.parts for span in part.spans_within(doc, ranges)})


# -- rules -----------------------------------------------------------------------------------------
@dataclass
class Rule:
    id: str
    category: str
    severity: Severity
    message: str
    explanation: str = ""
    tip: str = ""
    networks: frozenset[str] | None = None  # None: every network
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    unless: list[regex.Pattern[str]] = field(default_factory=list)  # post-wide exceptions
    quick_fix: QuickFix | None = None
    examples_flag: list[tuple[str, str | None]] = field(default_factory=list)  # (text, network or None)
    examples_pass: list[tuple[str, str | None]] = field(default_factory=list)
    # staged roll-out: "enforce" (the default), "advise" (shown as advisory, never blocks) or "shadow"
    # (never shown, only counted locally); applied to the findings by Policy.evaluate
    mode: str = "enforce"
    # the rule reads the images' alt texts, not the post's text: its examples are alt texts
    reads_alt_texts: ClassVar[bool] = False
    # when a check runs its rules (lowest first; policy order within a level): the built-in detectors
    # and measures (secrets, personal data, length) before word lists, and both before the author's
    # patterns, so a post that exhausts the check's time budget loses the costly rules first
    priority: ClassVar[int] = 2
    # the rule compares the post with Document.references: its examples are checked against its
    # example_references() (desktop.core.policy.authenticity)
    reads_references: ClassVar[bool] = False

    def example_references(self) -> tuple[Reference, ...]:
        return ()

    def active(self, doc: Document) -> bool:
        if self.valid_from and doc.today < self.valid_from:
            return False
        if self.valid_until and doc.today > self.valid_until:
            return False
        if self.networks is not None and doc.network is not None and doc.network not in self.networks:
            return False
        return not any(doc.contains(p) for p in self.unless)

    def check(self, doc: Document) -> list[Finding]:
        raise NotImplementedError

    def incomplete(self, doc: Document) -> Finding:
        """The finding for a check of this rule that ran out of time: its outcome is unknown, so the
        author must look (a ``block`` rule still blocks, anything else asks for attention as a
        warning). Zero-length at the start of the post: it is about the whole post, not a passage."""
        severity = Severity.BLOCK if self.severity is Severity.BLOCK else Severity.WARN
        return Finding(
            rule_id=self.id,
            category=self.category,
            severity=severity,
            start=0,
            end=0,
            text="",
            message=INCOMPLETE_MESSAGE.format(rule=self.id),
            explanation=("Checking this post took longer than Chorus allows for one check (its patterns, or a "
                         "post this long or unusual), so the rule was not fully applied. Its own message is: "
                         + self.message.replace("{match}", "…")),
            tip="Read the post against this rule yourself. If it keeps happening, tell the policy's owner.",
            incomplete=True,
        )

    def finding(self, doc: Document, start: int, end: int, *, severity: Severity | None = None,
                quick_fix: QuickFix | None = None, network: str | None = None) -> Finding:
        matched = doc.text[start:end]
        return Finding(
            rule_id=self.id,
            category=self.category,
            severity=severity or self.severity,
            start=start,
            end=end,
            text=matched,
            message=self.message.replace("{match}", matched.strip()[:80]),
            explanation=self.explanation,
            tip=self.tip,
            quick_fix=quick_fix if quick_fix is not None else self.quick_fix,
            network=network,
        )


# A post with thousands of the same problem (a paste of a word list) shows its first ones, and the
# last of them says how many more: the rest would only cost time and bury the panel.
MAX_FINDINGS_PER_RULE = 200


def _capped(findings: list[Finding], total: int) -> list[Finding]:
    """*findings* (the first of *total*) with the last one saying how many more there are."""
    if total > len(findings) and findings:
        last = findings[-1]
        more = total - len(findings)
        findings[-1] = replace(last, message=f"{last.message} (and {more:,} more like it in this post)")
    return findings


def _report(spans: Sequence[Span], mode: str, doc: Document) -> list[Span]:
    spans = sorted(spans)
    if mode == "once":
        return spans[:1]
    if mode == "once_per_sentence":
        seen: set[int] = set()
        kept = []
        for span in spans:
            sentence = doc.sentence_of(span[0])
            if sentence not in seen:
                seen.add(sentence)
                kept.append(span)
        return kept
    return spans


@dataclass
class LexiconRule(Rule):
    priority: ClassVar[int] = 1
    lexicon: Lexicon | None = None
    report: str = "every"
    term_unless: dict[str, list[regex.Pattern[str]]] = field(default_factory=dict)
    self_censor: bool = False  # look for f*ck-style spellings; they report one level lower

    def check(self, doc: Document) -> list[Finding]:
        assert self.lexicon is not None
        spans = []
        excepted: dict[str, bool] = {}  # term text -> one of its exceptions is in the post
        for match in doc.lexicon_matches(self.lexicon):
            term = match.term.text
            if term not in excepted:
                # post-wide, as the README says: each pattern is searched once per text (Document.contains)
                excepted[term] = any(doc.contains(p) for p in self.term_unless.get(term, ()))
            if excepted[term]:
                continue
            spans.append((match.start, match.end))
        reported = _report(spans, self.report, doc)
        total = len(reported)
        findings = [self.finding(doc, s, e) for s, e in reported[:MAX_FINDINGS_PER_RULE]]
        if self.self_censor:
            found = detectors.Intervals(spans)
            for start, end, _term in self_censored(doc.text, self.lexicon.terms):
                if not found.overlaps((start, end)) and not doc.zone_index.overlaps((start, end)):
                    total += 1
                    if len(findings) < MAX_FINDINGS_PER_RULE:
                        findings.append(self.finding(doc, start, end, severity=self.severity.lowered()))
        return _capped(findings, total)


@dataclass
class PatternRule(Rule):
    matcher: PatternMatcher | None = None
    report: str = "every"

    def check(self, doc: Document) -> list[Finding]:
        assert self.matcher is not None
        reported = _report(self.matcher.spans(doc), self.report, doc)
        return _capped([self.finding(doc, s, e) for s, e in reported[:MAX_FINDINGS_PER_RULE]], len(reported))


def _has_internal_label(host: str, hosts: tuple[str, ...]) -> bool:
    """A host entry ending in a dot (``corp.``) is a label: it matches a host that has this label with
    at least two more after it (``wiki.corp.acme.example``, ``corp.acme.com``), so the label is a
    subdomain of some registered domain, never that domain itself (``corp.com`` does not match)."""
    labels = host.split(".")
    for entry in hosts:
        if entry.endswith(".") and entry.count(".") == 1:
            wanted = entry[:-1]
            if any(label == wanted for label in labels[:-2]):
                return True
    return False


@dataclass
class DetectorRule(Rule):
    priority: ClassVar[int] = 0
    detector: str = "secrets"  # secrets | internal_url | email | phone | a name in detectors.EXTRA
    hosts: tuple[str, ...] = ()
    private_ips: bool = False
    allow: tuple[str, ...] = ()  # e-mail addresses / phone numbers (last 10 digits) that are fine

    def check(self, doc: Document) -> list[Finding]:
        spans: list[Span] = []
        labels: dict[Span, str] = {}  # what each detection is, for "{kind}" in the message
        if self.detector == "secrets":
            spans = [(d.start, d.end) for d in doc.secrets]
            labels = {(d.start, d.end): d.label for d in doc.secrets if d.label}
        elif self.detector == "internal_url":
            # decided once per distinct host (a post of thousands of links has few), then picked in C
            hosts = doc.url_hosts
            internal: dict[str, bool] = {}
            for count, host in enumerate(set(hosts)):
                if not count & 255:
                    on_time("the internal-link rule")  # thousands of distinct hosts
                internal[host] = (detectors.host_matches(host, self.hosts) or _has_internal_label(host, self.hosts)
                                  or bool(self.private_ips and detectors.is_private_ip(host)))
            spans = list(compress(doc.urls, map(internal.__getitem__, hosts)))
        elif self.detector == "email":
            allowed = {a.lower() for a in self.allow}
            spans = [(s, e) for s, e in doc.emails if doc.text[s:e].lower() not in allowed]
        elif self.detector == "phone":
            allowed = {detectors.last_digits(a) for a in self.allow}
            numbers = doc.detections("payment_card") + doc.detections("iban")  # not phones either
            excluded = detectors.Intervals(doc.urls + [(d.start, d.end) for d in doc.secrets + numbers])
            for s, e in detectors.find_phones(doc.text):
                if excluded.overlaps((s, e)) or detectors.last_digits(doc.text[s:e]) in allowed:
                    continue
                if detectors.phone.is_toll_free(doc.text[s:e]):
                    continue  # a business's freephone line is published to be called, never personal data
                spans.append((s, e))
            labels = detectors.phone.phone_labels(doc.text)  # "a phone number from Germany" (cached: no second search)
        elif self.detector in detectors.EXTRA:
            allowed = {a.lower() for a in self.allow}
            for found in doc.detections(self.detector):
                if doc.text[found.start:found.end].lower() not in allowed:
                    spans.append((found.start, found.end))
                    if found.label:
                        labels[(found.start, found.end)] = found.label
        findings = []
        spans.sort()
        for s, e in spans[:MAX_FINDINGS_PER_RULE]:
            finding = self.finding(doc, s, e)
            if "{kind}" in finding.message:
                finding = replace(finding, message=finding.message.replace("{kind}", labels.get((s, e), "a detection")))
            findings.append(finding)
        return _capped(findings, len(spans))


@dataclass
class ProximityRule(Rule):
    """All of several matchers within one sentence; the finding is anchored on one of them."""

    parts: list[Matcher] = field(default_factory=list)
    anchor: int = 0
    report: str = "once_per_sentence"

    def check(self, doc: Document) -> list[Finding]:
        # Cheap parts (word lists) first: when one is absent, or no sentence has them all, the
        # costlier parts (patterns) never run; otherwise they search only the candidate sentences.
        order = sorted(range(len(self.parts)), key=lambda i: not self.parts[i].cheap)
        per_part: dict[int, list[Span]] = {}
        common: set[int] | None = None
        for i in order:
            part = self.parts[i]
            if common is None or part.cheap:
                spans = part.spans(doc)
            else:
                spans = part.spans_within(doc, [doc.sentences[s] for s in sorted(common)])
            sentences = {doc.sentence_of(s) for s, _ in spans}
            common = sentences if common is None else common & sentences
            if not common:
                return []
            per_part[i] = spans
        assert common is not None
        anchors = [span for span in per_part[self.anchor] if doc.sentence_of(span[0]) in common]
        reported = _report(anchors, self.report, doc)
        return _capped([self.finding(doc, s, e) for s, e in reported[:MAX_FINDINGS_PER_RULE]], len(reported))


@dataclass
class ConditionalRule(Rule):
    """If the trigger appears, the post must also contain the requirement (anywhere)."""

    trigger: Matcher | None = None
    require: Matcher | None = None
    ambiguous: Matcher | None = None
    ambiguous_message: str = ""

    def check(self, doc: Document) -> list[Finding]:
        assert self.trigger is not None and self.require is not None
        triggers = self.trigger.spans(doc)
        if not triggers or self.require.spans(doc):
            return []
        start, end = triggers[0]
        finding = self.finding(doc, start, end)
        if self.ambiguous is not None and self.ambiguous_message:
            vague = self.ambiguous.spans(doc)
            if vague:
                s, e = vague[0]
                note = self.ambiguous_message.replace("{ambiguous}", doc.text[s:e])
                finding = Finding(**{**finding.__dict__, "message": f"{finding.message} {note}"})
        return [finding]


@dataclass
class PlacementRule(Rule):
    """Where the target appears, its first occurrence must start before ``max_start``."""

    target: Matcher | None = None
    max_start: int = 200

    def check(self, doc: Document) -> list[Finding]:
        assert self.target is not None
        spans = self.target.spans(doc)
        if spans and spans[0][0] >= self.max_start:
            return [self.finding(doc, *spans[0])]
        return []


@dataclass
class SubstitutionRule(Rule):
    """Flag a form and offer its replacement as a quick fix (hashtags and handles exempt)."""

    priority: ClassVar[int] = 1
    lexicon: Lexicon | None = None
    swaps: dict[str, str] = field(default_factory=dict)  # policy term text -> replacement

    def check(self, doc: Document) -> list[Finding]:
        assert self.lexicon is not None
        findings = []
        for match in doc.lexicon_matches(self.lexicon):
            if doc.text[match.start : match.start + 1] in ("#", "@"):
                continue
            replacement = self.swaps[match.term.text]
            fix = QuickFix(f"Replace with “{replacement}”", replacement=replacement)
            findings.append(self.finding(doc, match.start, match.end, quick_fix=fix))
        return findings
