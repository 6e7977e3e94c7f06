"""Reading the fields of a policy file: typed getters that collect problems and warnings.

A policy author should see every mistake in one go, so nothing here raises on a bad value: each
getter records a :class:`PolicyProblem` (the policy is refused) or a warning (it still works, e.g.
an unknown key, with a "did you mean" for a near miss) and returns a safe default. The rule kinds
are assembled from these fields in :mod:`desktop.core.policy.loader`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import regex

from desktop.core.errors import UserFacingError
from desktop.core.policy.lexicon import CASE_MODES, EVASION_LEVELS, Lexicon, Term, make_term
from desktop.core.policy.probes import too_slow
from desktop.core.policy.rules import AnyMatcher, LexiconMatcher, Matcher, PatternMatcher

MATCHER_FIELDS = {"terms", "sets", "patterns", "on", "ignore_case", "evasion", "compact"}
TERM_FIELDS = {"term", "case", "unless"}
# Characters that can drive a terminal or reorder what is shown (escape codes, C1 controls,
# bidirectional overrides): never needed in a message, so a policy text holding one is warned about
# (and the CLI prints them escaped). Tabs and line breaks are fine in explanations.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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


def unknown_list(keys: Any, known: Any) -> str:
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


class FieldReader:
    """Collects problems while turning the TOML document into rules."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[PolicyProblem] = []
        self.warnings: list[PolicyProblem] = []  # the policy works, but the author should look (see TOP_FIELDS)
        self.sets: dict[str, list[Term]] = {}
        self.set_exceptions: dict[str, list[regex.Pattern[str]]] = {}
        self._lexicons: dict[tuple[Any, ...], Lexicon] = {}

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

    def unknown_keys(self, table: dict[str, Any], known: set[str], rule_id: str | None, field: str | None, where: str) -> None:
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
    def text(self, table: dict[str, Any], key: str, rule_id: str | None, *, required: bool = True, default: str = "") -> str:
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

    def flag(self, table: dict[str, Any], key: str, rule_id: str | None, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem(rule_id, key, f"must be true or false (without quotes), not {value!r}")
            return default
        return value

    def texts(self, table: dict[str, Any], key: str, rule_id: str | None, field: str | None = None) -> list[str]:
        """A list of texts (a missing key is an empty list)."""
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(rule_id, field or key, f"must be a list of texts in quotes, like [\"a\", \"b\"], not {value!r}")
            return []
        return value

    def patterns(self, table: dict[str, Any], key: str, rule_id: str | None, field: str,
                 ignore_case: bool = True) -> list[regex.Pattern[str]]:
        compiled = (self.pattern(source, rule_id, field, ignore_case) for source in self.texts(table, key, rule_id, field))
        return [p for p in compiled if p is not None]

    def choice(self, table: dict[str, Any], key: str, rule_id: str | None, choices: tuple[str, ...], default: str) -> str:
        value = table.get(key, default)
        if value not in choices:
            self.problem(rule_id, key, f"must be one of {', '.join(choices)}, not {value!r}{did_you_mean(value, choices)}")
            return default
        return str(value)

    def pattern(self, source: Any, rule_id: str | None, field: str, ignore_case: bool = True) -> regex.Pattern[str] | None:
        if not isinstance(source, str) or not source:
            self.problem(rule_id, field, f"must be a regular expression in a text, not {source!r}")
            return None
        try:
            compiled = regex.compile(source, regex.IGNORECASE if ignore_case else 0)
        except regex.error as exc:
            self.problem(rule_id, field, f"is not a valid regular expression ({exc}): {source!r}")
            return None
        if too_slow(compiled, source):
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
                    self.problem(rule_id, field, f"term {text!r} has unknown keys: {unknown_list(extra, TERM_FIELDS)}")
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

    def term_list(self, table: dict[str, Any], rule_id: str | None) -> tuple[list[Term], dict[str, list[regex.Pattern[str]]]]:
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
            alternatives = [m for m in (self.matcher(t, rule_id, field, default_evasion) for t in table) if m is not None]
            return AnyMatcher(alternatives) if alternatives else None
        if not isinstance(table, dict):
            self.problem(rule_id, field, f"must be a table with terms, sets or patterns, not {table!r}")
            return None
        unknown = set(table) - MATCHER_FIELDS
        if unknown:
            self.problem(rule_id, field, f"has unknown keys: {unknown_list(unknown, MATCHER_FIELDS)}")
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
