"""Reading a policy file (TOML) into rules, with precise errors and the rules' own examples run.

Why TOML: the standard library reads it (no dependency), it has comments, multi-line strings
and dates (embargo windows), and it has no surprises such as YAML's ``no`` becoming ``false``
or implicit type guessing, which matters for files written by communications and IT staff.

A policy is data, never code. Problems are collected, not raised one at a time, so a policy
author sees every mistake in one go: file, rule id, field, what is wrong.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import regex

try:  # the standard library's regex parser, only to build probe texts (see _probes_for)
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - another Python: fewer probes, no failure
    _sre_parser = None

from desktop.core.errors import UserFacingError
from desktop.core.networks import NETWORKS, REGISTRY
from desktop.core.policy.lexicon import CASE_MODES, EVASION_LEVELS, Lexicon, Term, make_term
from desktop.core.policy.model import PolicyInfo, QuickFix, Severity
from desktop.core.policy.metric import Limit, MetricRule
from desktop.core.policy.rules import (
    AnyMatcher,
    ConditionalRule,
    DetectorRule,
    LexiconMatcher,
    LexiconRule,
    Matcher,
    PatternMatcher,
    PatternRule,
    PlacementRule,
    ProximityRule,
    Rule,
    SubstitutionRule,
)

KINDS = ("lexicon", "pattern", "detector", "proximity", "conditional", "placement", "substitution", "metric")
DETECTORS = ("secrets", "internal_url", "email", "phone")
REPORTS = ("every", "once", "once_per_sentence")
MEASURE_NAMES = ("code_points", "utf16_units", "graphemes", "utf8_bytes",
                 *(network.measure for network in REGISTRY if network.measure))
COMMON_FIELDS = {"id", "category", "kind", "severity", "message", "explanation", "tip", "networks", "valid_from",
                 "valid_until", "unless", "quick_fix", "examples"}
KIND_FIELDS = {
    "lexicon": {"terms", "sets", "evasion", "compact", "report", "self_censor"},
    "pattern": {"pattern", "on", "capture", "ignore_case", "report"},
    "detector": {"detector", "hosts", "private_ips", "allow"},
    "proximity": {"all", "anchor", "report"},
    "conditional": {"trigger", "require", "ambiguous", "ambiguous_message"},
    "placement": {"target", "max_start"},
    "substitution": {"swaps", "evasion"},
    "metric": {"limits"},
}
MATCHER_FIELDS = {"terms", "sets", "patterns", "on", "ignore_case", "evasion", "compact"}
TERM_FIELDS = {"term", "case", "unless"}
# Keys that are only warned about when unknown: the policy still works, but a typo there
# (``examples.pas``) silently drops what the author meant, so ``policy validate`` says so.
TOP_FIELDS = {"policy", "sets", "rules"}
POLICY_FIELDS = {"id", "name", "version", "owner", "contact", "default_network"}
EXAMPLE_FIELDS = {"flag", "pass"}
QUICK_FIX_FIELDS = {"label", "append", "replace"}
LIMIT_FIELDS = {"measure", "max"}
# Characters that can drive a terminal or reorder what is shown (escape codes, C1 controls,
# bidirectional overrides): never needed in a message, so a policy text holding one is warned about
# (and the CLI prints them escaped). Tabs and line breaks are fine in explanations.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# tomllib reads nested arrays and tables recursively; far deeper than any policy needs, it would
# overflow Python's stack, so such a file is refused with this message instead.
NESTED_TOO_DEEPLY = ("the policy file is nested too deeply (arrays or tables hundreds of levels inside each other), "
                     "so it cannot be read; a policy needs only a few levels")
# Inputs that make a backtracking regex blow up; a pattern that cannot finish on them in time is refused.
_PROBES = ("a" * 3000 + "!", "1" * 3000 + "x", " " * 3000 + "!", "ab" * 1500 + "!", "a." * 1500, "a-" * 1500 + "@")
_PROBE_TIMEOUT_S = 0.2
# A probe that runs out of time is tried again with this much: a busy computer can slow a sound
# pattern down several times, a catastrophic one needs millions of times longer.
_PROBE_RETRY_TIMEOUT_S = 1.0
_REGEX_ONLY_ESCAPE = re.compile(r"\\(?:[pP](?:\{[^}]*\}|[A-Za-z])|.)", re.DOTALL)


# Probes built from each pattern (see _probes_for): how long a repeated run is, and how many of them.
_RUN = 1000
_MAX_RUN_CHARACTERS = 64
_MAX_PUMPED = 32
_MAX_SAMPLE = 200


def _probes_for(source: str) -> list[str]:
    r"""Texts made from *source* itself on which a badly written pattern backtracks for ages.

    The fixed probes above only use common characters, so ``(?:%|%)+~`` sailed through: nothing
    in them is a ``%``. Here every character the pattern mentions (literals, escapes such as
    ``\x25``, class members, alternatives) is tried as a long run, and every repetition in the
    pattern is "pumped": the text that leads up to it, then its body repeated thousands of times.
    Each run is followed by a NUL, which no sensible pattern expects, so the engine must give
    the run back piece by piece; it is tried again alone, ending the text, for patterns such as
    ``(~|~)+[^~]`` that fail only there. The pattern's own characters come along in ``tail`` so an
    engine that first looks for a required literal (the ``~``) cannot skip the work.
    """
    characters: dict[str, None] = {}  # an ordered set: characters inside repetitions first
    pumped: dict[str, None] = {}
    tree = _parse_tree(source)
    if tree is not None:
        _walk(tree, "", pumped, characters)
    escaped = False
    for char in source:  # also when the pattern uses syntax the stdlib parser does not know
        if escaped or char not in "\\^$.|?*+()[]{}":
            characters.setdefault(char)
        escaped = char == "\\" and not escaped
    runs = list(characters)[:_MAX_RUN_CHARACTERS]
    tail = "".join(runs)
    probes = []
    for char in runs:
        probes += [char * _RUN + "\x00" + tail, char * _RUN]
    for text in list(pumped)[:_MAX_PUMPED]:
        probes += [text + "\x00" + tail, text]
    return probes


def _parse_tree(source: str) -> Any:
    r"""The pattern parsed by the standard library's own regex parser, or None when it cannot.

    Only used to build probe texts, so the few ``regex``-only escapes are replaced by a near
    equivalent first (``\p{L}`` by ``\w``); anything else it does not know simply means fewer probes.
    """
    if _sre_parser is None:
        return None

    def near(match: Any) -> str:
        escape = match.group(0)
        if escape[1] in "pP":
            return r"\w" if escape[1] == "p" else r"\W"
        return {"\\X": ".", "\\m": "", "\\M": "", "\\G": "", "\\K": ""}.get(escape, escape)

    try:
        return _sre_parser.parse(_REGEX_ONLY_ESCAPE.sub(near, source), 0)
    except Exception:  # any refusal (or a RecursionError on deep nesting): no structural probes
        return None


def _op(op: Any) -> str:
    return getattr(op, "name", str(op))


def _walk(items: Any, prefix: str, pumped: dict[str, None], characters: dict[str, None]) -> None:
    """Record, for every repetition in *items*, the text before it followed by its body many times."""
    text = prefix
    for op, av in items:
        name = _op(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = av
            if high > 1:
                for unit in _units(body):
                    if unit:
                        pumped.setdefault(text[-_MAX_SAMPLE:] + unit * max(2, _RUN // len(unit)))
                        for char in unit:
                            characters.setdefault(char)
            _walk(body, text, pumped, characters)
        elif name == "BRANCH":
            for alternative in av[1]:
                _walk(alternative, text, pumped, characters)
        elif name == "SUBPATTERN":
            _walk(av[-1], text, pumped, characters)
        elif name == "ATOMIC_GROUP":
            _walk(av, text, pumped, characters)
        elif name in ("ASSERT", "ASSERT_NOT"):
            _walk(av[1], text, pumped, characters)
        elif name == "GROUPREF_EXISTS":
            for branch in av[1:]:
                if branch is not None:
                    _walk(branch, text, pumped, characters)
        elif name == "IN":
            for member_op, member in av:
                if _op(member_op) == "LITERAL":
                    characters.setdefault(chr(member))
                elif _op(member_op) == "RANGE":
                    characters.setdefault(chr(member[0]))
                    characters.setdefault(chr(member[1]))
        elif name == "LITERAL":
            characters.setdefault(chr(av))
        text = (text + _sample([(op, av)]))[-_MAX_SAMPLE:]


def _units(body: Any) -> list[str]:
    """What one turn of a repetition can match: the body's sample and, for an alternation, each alternative's."""
    units = [_sample(body)]
    items = list(body)
    while len(items) == 1 and _op(items[0][0]) in ("SUBPATTERN", "ATOMIC_GROUP"):
        items = list(items[0][1][-1] if _op(items[0][0]) == "SUBPATTERN" else items[0][1])
    if len(items) == 1 and _op(items[0][0]) == "BRANCH":
        units += [_sample(alternative) for alternative in items[0][1][1]]
    return list(dict.fromkeys(u for u in units if u))


_CATEGORY_SAMPLES = {"DIGIT": "0", "WORD": "a", "SPACE": " ", "LINEBREAK": "\n", "NOT_DIGIT": "a", "NOT_WORD": "!",
                     "NOT_SPACE": "a", "NOT_LINEBREAK": "a"}


def _sample(items: Any) -> str:
    """A short text that *items* match (or nearly: only used to lead up to a repetition)."""
    out = ""
    for op, av in items:
        name = _op(op)
        if name == "LITERAL":
            out += chr(av)
        elif name == "NOT_LITERAL":
            out += "b" if av == ord("a") else "a"
        elif name == "ANY":
            out += "a"
        elif name == "IN":
            out += _member_sample(av)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, body = av
            out += _sample(body) * min(low, _MAX_SAMPLE)
        elif name == "BRANCH":
            out += _sample(av[1][0])
        elif name == "SUBPATTERN":
            out += _sample(av[-1])
        elif name == "ATOMIC_GROUP":
            out += _sample(av)
        elif name == "GROUPREF_EXISTS":
            out += _sample(av[1])
        if len(out) > _MAX_SAMPLE:
            return out[:_MAX_SAMPLE]
    return out


def _member_sample(members: Any) -> str:
    if members and _op(members[0][0]) == "NEGATE":
        return "\x01"
    for op, av in members:
        name = _op(op)
        if name == "LITERAL":
            return chr(av)
        if name == "RANGE":
            return chr(av[0])
        if name == "CATEGORY":
            return _CATEGORY_SAMPLES.get(_op(av).replace("CATEGORY_", "").replace("UNI_", "").replace("LOC_", ""), "a")
    return "a"


@dataclass(frozen=True)
class PolicyProblem:
    source: str
    rule_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.rule_id:
            where += f": rule {self.rule_id}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


def did_you_mean(word: Any, known: Any) -> str:
    """`` (did you mean `pass`?)`` for a near miss among *known*, else an empty text."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, sorted(str(k) for k in known), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _unknown_list(keys: Any, known: Any) -> str:
    return ", ".join(f"{key}{did_you_mean(key, known)}" for key in sorted(map(str, keys)))


def control_characters(text: str) -> list[str]:
    """The terminal-driving characters in *text*, as ``U+001B`` (empty when there are none)."""
    return sorted({f"U+{ord(c):04X}" for c in CONTROL_CHARACTERS.findall(text)})


class PolicyError(UserFacingError):
    def __init__(self, problems: list[PolicyProblem], warnings: list[PolicyProblem] | None = None) -> None:
        self.problems = problems
        # found on the way; a "did you mean `rules`?" often explains a problem, so validate shows them too
        self.warnings = list(warnings or [])
        count = len(problems)
        super().__init__(f"the policy has {count} problem{'s' if count != 1 else ''}:\n" +
                         "\n".join(f"  {p}" for p in problems))


class _Reader:
    """Collects problems while turning the TOML document into rules."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[PolicyProblem] = []
        self.warnings: list[PolicyProblem] = []  # the policy works, but the author should look (see TOP_FIELDS)
        self.sets: dict[str, list[Term]] = {}
        self.set_exceptions: dict[str, list[regex.Pattern[str]]] = {}
        self._lexicons: dict[tuple, Lexicon] = {}

    def lexicon(self, terms: list[Term], evasion: str, compact: bool) -> Lexicon:
        """One Lexicon per distinct term list: a check matches each only once, however many rules use it."""
        key = (tuple(terms), evasion, compact)
        if key not in self._lexicons:
            self._lexicons[key] = Lexicon(terms, evasion, compact)
        return self._lexicons[key]

    def problem(self, rule_id: str | None, field: str | None, message: str) -> None:
        self.problems.append(PolicyProblem(self.source, rule_id, field, message))

    def warn(self, rule_id: str | None, field: str | None, message: str) -> None:
        self.warnings.append(PolicyProblem(self.source, rule_id, field, message))

    def unknown_keys(self, table: dict, known: set[str], rule_id: str | None, field: str | None, where: str) -> None:
        """Warn about each key of *table* not in *known*, with the nearest known key as a suggestion."""
        for key in sorted(set(map(str, table)) - known):
            self.warn(rule_id, field, f"unknown key `{key}` in {where}, ignored{did_you_mean(key, known)}; "
                      f"known keys: {', '.join(sorted(known))}")

    def shown_text(self, value: str, rule_id: str | None, field: str) -> None:
        """Warn when a text shown to authors holds a control character (it could drive a terminal)."""
        found = control_characters(value)
        if found:
            self.warn(rule_id, field, f"contains control character(s) {', '.join(found)}, which are shown escaped "
                      "(for example \\x1b); remove them")

    # -- small typed getters -------------------------------------------------------------------
    def text(self, table: dict, key: str, rule_id: str | None, *, required: bool = True, default: str = "") -> str:
        value = table.get(key, None)
        if value is None:
            if required:
                self.problem(rule_id, key, "is missing")
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(rule_id, key, f"must be a non-empty text, not {value!r}")
            return default
        self.shown_text(value, rule_id, key)
        return value

    def flag(self, table: dict, key: str, rule_id: str | None, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem(rule_id, key, f"must be true or false (without quotes), not {value!r}")
            return default
        return value

    def texts(self, table: dict, key: str, rule_id: str | None, field: str | None = None) -> list[str]:
        """A list of texts (a missing key is an empty list)."""
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(rule_id, field or key, f"must be a list of texts in quotes, like [\"a\", \"b\"], not {value!r}")
            return []
        return value

    def patterns(self, table: dict, key: str, rule_id: str | None, field: str, ignore_case: bool = True) -> list[regex.Pattern[str]]:
        compiled = (self.pattern(source, rule_id, field, ignore_case) for source in self.texts(table, key, rule_id, field))
        return [p for p in compiled if p is not None]

    def choice(self, table: dict, key: str, rule_id: str | None, choices: tuple[str, ...], default: str) -> str:
        value = table.get(key, default)
        if value not in choices:
            self.problem(rule_id, key, f"must be one of {', '.join(choices)}, not {value!r}{did_you_mean(value, choices)}")
            return default
        return value

    def pattern(self, source: Any, rule_id: str | None, field: str, ignore_case: bool = True) -> regex.Pattern[str] | None:
        if not isinstance(source, str) or not source:
            self.problem(rule_id, field, f"must be a regular expression in a text, not {source!r}")
            return None
        try:
            compiled = regex.compile(source, regex.IGNORECASE if ignore_case else 0)
        except regex.error as exc:
            self.problem(rule_id, field, f"is not a valid regular expression ({exc}): {source!r}")
            return None
        for probe in (*_PROBES, *_probes_for(source)):
            try:
                # concurrent=False: the match keeps the GIL, so the time limit counts matching only,
                # not waiting for other threads of a busy app
                try:
                    compiled.search(probe, timeout=_PROBE_TIMEOUT_S, concurrent=False)
                except TimeoutError:
                    compiled.search(probe, timeout=_PROBE_RETRY_TIMEOUT_S, concurrent=False)
            except TimeoutError:
                self.problem(rule_id, field, f"can take too long on some texts (catastrophic backtracking), so it "
                             f"could freeze the editor; avoid nested repetition such as (a+)+ or (%|%)+ "
                             f"(alternatives that can match the same text inside a repetition): {source!r}")
                return None
        return compiled

    def terms(self, items: Any, rule_id: str | None, field: str) -> list[tuple[Term, list[regex.Pattern[str]]]]:
        if not isinstance(items, list):
            self.problem(rule_id, field, f"must be a list of terms, not {items!r}")
            return []
        out = []
        for item in items:
            unless: list[regex.Pattern[str]] = []
            if isinstance(item, str):
                text, case = item, "any"
            elif isinstance(item, dict) and isinstance(item.get("term"), str):
                text, case = item["term"], item.get("case", "any")
                extra = set(item) - TERM_FIELDS
                if extra:
                    self.problem(rule_id, field, f"term {text!r} has unknown keys: {_unknown_list(extra, TERM_FIELDS)}")
                unless.extend(self.patterns(item, "unless", rule_id, f"{field}.{text}.unless"))
                if not isinstance(case, str):
                    self.problem(rule_id, field, f"term {text!r}: case must be one of {', '.join(CASE_MODES)}")
                    continue
            else:
                self.problem(rule_id, field, f"each term is a text or {{term = ..., case = ...}}, not {item!r}")
                continue
            try:
                out.append((make_term(text, case), unless))
            except ValueError as exc:
                self.problem(rule_id, field, str(exc))
        return out

    def term_list(self, table: dict, rule_id: str | None) -> tuple[list[Term], dict[str, list[regex.Pattern[str]]]]:
        terms: list[Term] = []
        exceptions: dict[str, list[regex.Pattern[str]]] = {}
        for term, unless in self.terms(table.get("terms", []), rule_id, "terms"):
            terms.append(term)
            if unless:
                exceptions[term.text] = unless
        names = self.texts(table, "sets", rule_id)
        for name in names:
            if name not in self.sets:
                self.problem(rule_id, "sets", f"names an unknown set {name!r}{did_you_mean(name, self.sets)} "
                             f"(known: {', '.join(sorted(self.sets)) or 'none'})")
                continue
            terms.extend(self.sets[name])
            for term in self.sets[name]:
                if term.text in self.set_exceptions:
                    exceptions[term.text] = self.set_exceptions[term.text]
        return terms, exceptions

    def matcher(self, table: Any, rule_id: str | None, field: str, default_evasion: str = "standard") -> Matcher | None:
        if isinstance(table, list):
            parts = [m for m in (self.matcher(t, rule_id, field, default_evasion) for t in table) if m is not None]
            return AnyMatcher(parts) if parts else None
        if not isinstance(table, dict):
            self.problem(rule_id, field, f"must be a table with terms, sets or patterns, not {table!r}")
            return None
        unknown = set(table) - MATCHER_FIELDS
        if unknown:
            self.problem(rule_id, field, f"has unknown keys: {_unknown_list(unknown, MATCHER_FIELDS)}")
        parts: list[Matcher] = []
        terms, _ = self.term_list(table, rule_id)
        if terms:
            evasion = self.choice(table, "evasion", rule_id, EVASION_LEVELS, default_evasion)
            parts.append(LexiconMatcher(self.lexicon(terms, evasion, self.flag(table, "compact", rule_id, True))))
        on = self.choice(table, "on", rule_id, ("original", "view"), "view")
        ignore_case = self.flag(table, "ignore_case", rule_id, True)
        for compiled in self.patterns(table, "patterns", rule_id, f"{field}.patterns", ignore_case):
            parts.append(PatternMatcher(compiled, on=on))
        if not parts:
            self.problem(rule_id, field, "matches nothing: give terms, sets or patterns")
            return None
        return parts[0] if len(parts) == 1 else AnyMatcher(parts)


class ParsedPolicy(NamedTuple):
    """A policy file read into rules, with the warnings that do not stop it from being used."""

    info: PolicyInfo
    rules: list[Rule]
    warnings: list[PolicyProblem]


def parse_policy(document: str, source: str) -> tuple[PolicyInfo, list[Rule]]:
    parsed = parse_policy_document(document, source)
    return parsed.info, parsed.rules


def parse_policy_document(document: str, source: str) -> ParsedPolicy:
    """Like :func:`parse_policy`, with the warnings (unknown keys, control characters) as well.

    A leading UTF-8 byte order mark, which some Windows editors write, is ignored.
    """
    try:
        return _parse(document.removeprefix("\ufeff"), source)
    except RecursionError:
        raise PolicyError([PolicyProblem(source, None, None, NESTED_TOO_DEEPLY)]) from None


def _parse(document: str, source: str) -> ParsedPolicy:
    reader = _Reader(source)
    try:
        data = tomllib.loads(document)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([PolicyProblem(source, None, None, f"is not valid TOML: {exc}")]) from None
    reader.unknown_keys(data, TOP_FIELDS, None, None, "the policy file (top level)")
    head = data.get("policy")
    if not isinstance(head, dict):
        reader.problem(None, "[policy]", "the [policy] table with id, name, version, owner and contact is missing")
        head = {}
    reader.unknown_keys(head, POLICY_FIELDS, None, "[policy]", "[policy]")
    default_network = head.get("default_network")
    if default_network is not None and default_network not in NETWORKS:
        reader.problem(None, "policy.default_network", f"must be one of {', '.join(NETWORKS)}, not "
                       f"{default_network!r}{did_you_mean(default_network, NETWORKS)}")
        default_network = None
    info = PolicyInfo(
        id=reader.text(head, "id", None),
        name=reader.text(head, "name", None),
        version=str(head.get("version", "")) or (reader.problem(None, "policy.version", "is missing") or ""),
        owner=reader.text(head, "owner", None),
        contact=reader.text(head, "contact", None),
        source=source,
        default_network=default_network,
    )
    sets = data.get("sets", {})
    if not isinstance(sets, dict):
        reader.problem(None, "[sets]", "must be a table of named term lists")
        sets = {}
    for name, items in sets.items():
        found = reader.terms(items, None, f"sets.{name}")
        reader.sets[name] = [term for term, _ in found]
        for term, unless in found:
            if unless:
                reader.set_exceptions[term.text] = unless
    rules_data = data.get("rules", [])
    if not isinstance(rules_data, list) or not rules_data:
        reader.problem(None, "[[rules]]", "a policy needs at least one [[rules]] entry")
        rules_data = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, table in enumerate(rules_data):
        if not isinstance(table, dict):
            reader.problem(None, f"[[rules]] #{index + 1}", f"each rule is a [[rules]] table, not {table!r}")
            continue
        rule_id = str(table.get("id") or f"#{index + 1}")
        reader.shown_text(rule_id, rule_id, "id")
        if rule_id in seen:
            reader.problem(rule_id, "id", "is used by another rule; rule ids must be unique")
        seen.add(rule_id)
        rule = _rule(reader, table, rule_id, default_network)
        if rule is not None:
            rules.append(rule)
    reader.shown_text(info.version, None, "policy.version")
    if reader.problems:
        raise PolicyError(reader.problems, reader.warnings)
    return ParsedPolicy(info, rules, reader.warnings)


def _rule(reader: _Reader, table: dict, rule_id: str, default_network: str | None) -> Rule | None:
    kind = reader.choice(table, "kind", rule_id, KINDS, "")
    if not kind:
        return None
    unknown = set(table) - COMMON_FIELDS - KIND_FIELDS[kind]
    if unknown:
        reader.problem(rule_id, None, f"unknown field(s) for a {kind} rule: "
                       f"{_unknown_list(unknown, COMMON_FIELDS | KIND_FIELDS[kind])}")
    severity_name = reader.choice(table, "severity", rule_id, ("block", "warn", "info"), "block")
    networks = table.get("networks")
    if networks is not None:
        bad = [networks] if not isinstance(networks, list) else [n for n in networks if n not in NETWORKS]
        if bad:
            hint = did_you_mean(bad[0], NETWORKS) if len(bad) == 1 else ""
            reader.problem(rule_id, "networks", f"unknown network(s) {bad!r}{hint}; expected names from "
                           f"{', '.join(NETWORKS)}")
            networks = None
    dates = {}
    for key in ("valid_from", "valid_until"):
        value = table.get(key)
        if value is not None and not isinstance(value, dt.date):
            reader.problem(rule_id, key, f"must be a date such as 2026-01-31, not {value!r}")
            value = None
        dates[key] = value
    unless = reader.patterns(table, "unless", rule_id, "unless")
    quick_fix = None
    if "quick_fix" in table:
        fix = table["quick_fix"]
        if isinstance(fix, dict) and isinstance(fix.get("label"), str) and (
            isinstance(fix.get("append"), str) or isinstance(fix.get("replace"), str)
        ):
            quick_fix = QuickFix(fix["label"], replacement=fix.get("replace"), append=fix.get("append"))
            reader.unknown_keys(fix, QUICK_FIX_FIELDS, rule_id, "quick_fix", "quick_fix")
            for key in sorted(QUICK_FIX_FIELDS & set(fix)):
                if isinstance(fix[key], str):
                    reader.shown_text(fix[key], rule_id, f"quick_fix.{key}")
        else:
            reader.problem(rule_id, "quick_fix", "must be {label = \"...\", append = \"...\"} or {label, replace}")
    examples = table.get("examples", {})
    if isinstance(examples, dict):
        reader.unknown_keys(examples, EXAMPLE_FIELDS, rule_id, "examples", "examples")
    flag = examples.get("flag", []) if isinstance(examples, dict) else []
    passing = examples.get("pass", []) if isinstance(examples, dict) else []
    if not isinstance(flag, list) or not isinstance(passing, list) or not flag:
        reader.problem(rule_id, "examples", "needs examples.flag (texts the rule must flag, at least one) and "
                       "examples.pass (texts it must not flag)")
        flag, passing = [], []
    flag = [e for e in (_example(reader, item, rule_id, "examples.flag") for item in flag) if e]
    passing = [e for e in (_example(reader, item, rule_id, "examples.pass") for item in passing) if e]
    common = dict(
        id=rule_id,
        category=reader.text(table, "category", rule_id),
        severity=Severity(severity_name),
        message=reader.text(table, "message", rule_id),
        explanation=reader.text(table, "explanation", rule_id, required=False),
        tip=reader.text(table, "tip", rule_id, required=False),
        networks=frozenset(networks) if networks is not None else None,
        valid_from=dates["valid_from"],
        valid_until=dates["valid_until"],
        unless=unless,
        quick_fix=quick_fix,
        examples_flag=list(flag),
        examples_pass=list(passing),
    )
    builder: Callable[..., Rule | None] = _BUILDERS[kind]
    return builder(reader, table, rule_id, common, default_network)


def _example(reader: _Reader, item: Any, rule_id: str, field: str) -> tuple[str, str | None] | None:
    """An example is a text, or {text = "...", network = "x"} to check it as a post for that network."""
    if isinstance(item, str):
        return item, None
    if isinstance(item, dict) and isinstance(item.get("text"), str) and set(item) <= {"text", "network"}:
        network = item.get("network")
        if network is None or network in NETWORKS:
            return item["text"], network
        reader.problem(rule_id, field, f"unknown network {network!r}; expected one of {', '.join(NETWORKS)}")
        return None
    reader.problem(rule_id, field, f"each example is a text or {{text = ..., network = ...}}, not {item!r}")
    return None


def _lexicon_rule(reader, table, rule_id, common, _default) -> Rule | None:
    terms, exceptions = reader.term_list(table, rule_id)
    if not terms:
        reader.problem(rule_id, "terms", "a lexicon rule needs terms or sets")
        return None
    evasion = reader.choice(table, "evasion", rule_id, EVASION_LEVELS, "standard")
    return LexiconRule(**common, lexicon=reader.lexicon(terms, evasion, reader.flag(table, "compact", rule_id, True)),
                       report=reader.choice(table, "report", rule_id, REPORTS, "every"), term_unless=exceptions,
                       self_censor=reader.flag(table, "self_censor", rule_id, False))


def _pattern_rule(reader, table, rule_id, common, _default) -> Rule | None:
    compiled = reader.pattern(table.get("pattern"), rule_id, "pattern", reader.flag(table, "ignore_case", rule_id, True))
    if compiled is None:
        return None
    capture = table.get("capture", 0)
    valid = (isinstance(capture, int) and not isinstance(capture, bool) and 0 <= capture <= compiled.groups) or (
        isinstance(capture, str) and capture in compiled.groupindex)
    if not valid:
        reader.problem(rule_id, "capture", f"must name a group of the pattern (a number from 0 to {compiled.groups} "
                       f"or a group name), not {capture!r}")
        capture = 0
    on = reader.choice(table, "on", rule_id, ("original", "view"), "original")
    return PatternRule(**common, matcher=PatternMatcher(compiled, on=on, capture=capture),
                       report=reader.choice(table, "report", rule_id, REPORTS, "every"))


def _detector_rule(reader, table, rule_id, common, _default) -> Rule | None:
    detector = reader.choice(table, "detector", rule_id, DETECTORS, "secrets")
    hosts = tuple(h.lower() for h in reader.texts(table, "hosts", rule_id))
    private_ips = reader.flag(table, "private_ips", rule_id, False)
    if detector == "internal_url" and not hosts and not private_ips:
        reader.problem(rule_id, "hosts", "an internal_url detector needs hosts (or private_ips = true)")
    return DetectorRule(**common, detector=detector, hosts=hosts, private_ips=private_ips,
                        allow=tuple(reader.texts(table, "allow", rule_id)))


def _proximity_rule(reader, table, rule_id, common, _default) -> Rule | None:
    parts_data = table.get("all")
    if not isinstance(parts_data, list) or len(parts_data) < 2:
        reader.problem(rule_id, "all", "a proximity rule needs a list of at least two matchers in `all`")
        return None
    parts = [reader.matcher(part, rule_id, f"all[{i}]") for i, part in enumerate(parts_data)]
    anchor = table.get("anchor", 0)
    if not isinstance(anchor, int) or not 0 <= anchor < len(parts_data):
        reader.problem(rule_id, "anchor", f"must be the index of one of the `all` matchers (0 to {len(parts_data) - 1})")
        anchor = 0
    if any(p is None for p in parts):
        return None
    return ProximityRule(**common, parts=parts, anchor=anchor,
                         report=reader.choice(table, "report", rule_id, REPORTS, "once_per_sentence"))


def _conditional_rule(reader, table, rule_id, common, _default) -> Rule | None:
    trigger = reader.matcher(table.get("trigger"), rule_id, "trigger")
    require = reader.matcher(table.get("require"), rule_id, "require")
    ambiguous = reader.matcher(table["ambiguous"], rule_id, "ambiguous") if "ambiguous" in table else None
    if trigger is None or require is None:
        return None
    return ConditionalRule(**common, trigger=trigger, require=require, ambiguous=ambiguous,
                           ambiguous_message=reader.text(table, "ambiguous_message", rule_id, required=False))


def _placement_rule(reader, table, rule_id, common, _default) -> Rule | None:
    target = reader.matcher(table.get("target"), rule_id, "target")
    max_start = table.get("max_start", 200)
    if not isinstance(max_start, int) or max_start < 0:
        reader.problem(rule_id, "max_start", f"must be a whole number of characters, not {max_start!r}")
        return None
    return PlacementRule(**common, target=target, max_start=max_start) if target else None


def _substitution_rule(reader, table, rule_id, common, _default) -> Rule | None:
    swaps = table.get("swaps")
    if not isinstance(swaps, dict) or not swaps or not all(isinstance(v, str) for v in swaps.values()):
        reader.problem(rule_id, "swaps", "must be a table of \"form to avoid\" = \"replacement\"")
        return None
    terms = [t for t, _ in reader.terms(list(swaps), rule_id, "swaps")]
    evasion = reader.choice(table, "evasion", rule_id, EVASION_LEVELS, "standard")
    return SubstitutionRule(**common, lexicon=reader.lexicon(terms, evasion, False), swaps=dict(swaps))


def _metric_rule(reader, table, rule_id, common, default_network) -> Rule | None:
    limits_data = table.get("limits")
    if not isinstance(limits_data, dict) or not limits_data:
        reader.problem(rule_id, "limits", "must map network names to {measure = ..., max = ...} (or a list of them)")
        return None
    limits: dict[str, list[Limit]] = {}
    for network, entries in limits_data.items():
        if network not in NETWORKS:
            reader.problem(rule_id, f"limits.{network}", f"is not a network{did_you_mean(network, NETWORKS)}; "
                           f"expected one of {', '.join(NETWORKS)}")
            continue
        for entry in entries if isinstance(entries, list) else [entries]:
            measure = entry.get("measure") if isinstance(entry, dict) else None
            maximum = entry.get("max") if isinstance(entry, dict) else None
            if isinstance(entry, dict):
                reader.unknown_keys(entry, LIMIT_FIELDS, rule_id, f"limits.{network}", f"a limit for {network}")
            if measure not in MEASURE_NAMES or not isinstance(maximum, int) or maximum <= 0:
                reader.problem(rule_id, f"limits.{network}", f"each limit is {{measure = one of "
                               f"{', '.join(MEASURE_NAMES)}, max = a positive whole number}}, not {entry!r}")
                continue
            limits.setdefault(network, []).append(Limit(measure, maximum))
    return MetricRule(**common, limits=limits, default_network=default_network)


_BUILDERS = {
    "lexicon": _lexicon_rule,
    "pattern": _pattern_rule,
    "detector": _detector_rule,
    "proximity": _proximity_rule,
    "conditional": _conditional_rule,
    "placement": _placement_rule,
    "substitution": _substitution_rule,
    "metric": _metric_rule,
}


def read_policy_file(path: Path) -> tuple[PolicyInfo, list[Rule]]:
    parsed = read_policy(path)
    return parsed.info, parsed.rules


def read_policy(path: Path) -> ParsedPolicy:
    """Read and parse a policy file (UTF-8, with or without a byte order mark), warnings included."""
    try:
        document = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PolicyError([PolicyProblem(str(path), None, None, "does not exist")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([PolicyProblem(str(path), None, None, f"cannot be read: {exc}")]) from None
    return parse_policy_document(document, str(path))
