"""Reading a policy file (TOML) into rules, with precise errors and the rules' own examples run.

Why TOML: the standard library reads it (no dependency), it has comments, multi-line strings
and dates (embargo windows), and it has no surprises such as YAML's ``no`` becoming ``false``
or implicit type guessing, which matters for files written by communications and IT staff.

A policy is data, never code. Problems are collected, not raised one at a time, so a policy
author sees every mistake in one go: file, rule id, field, what is wrong. Reading single fields
(and the problem types) is in :mod:`desktop.core.policy.fields`; refusing patterns that could
freeze the editor in :mod:`desktop.core.policy.probes`.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from desktop.core.networks import NETWORKS, REGISTRY
from desktop.core.policy import detectors
from desktop.core.policy.alt_text import AltTextRule
from desktop.core.policy.authenticity import (
    DEFAULT_MIN_COPIED,
    DEFAULT_OWN_POSTS_DAYS,
    MIN_UNITS,
    AuthenticityRule,
    units,
)

# The field readers and the problem types moved to fields.py; their names stay importable from here.
from desktop.core.policy.fields import (  # noqa: F401
    CONTROL_CHARACTERS,
    MATCHER_FIELDS,
    TERM_FIELDS,
    FieldReader,
    PolicyError,
    PolicyProblem,
    control_characters,
    did_you_mean,
    unknown_list,
)
from desktop.core.policy.lexicon import EVASION_LEVELS
from desktop.core.policy.metric import Limit, MetricRule
from desktop.core.policy.model import MODES, PolicyInfo, QuickFix, Severity
from desktop.core.policy.reporting import report_problem
from desktop.core.policy.rules import (
    ConditionalRule,
    DetectorRule,
    LexiconRule,
    PatternMatcher,
    PatternRule,
    PlacementRule,
    ProximityRule,
    Rule,
    SubstitutionRule,
)

KINDS = ("lexicon", "pattern", "detector", "proximity", "conditional", "placement", "substitution", "metric",
         "alt_text", "authenticity")
BUILTIN_DETECTORS = ("secrets", "internal_url", "email", "phone")  # DetectorRule's own; more in detectors.EXTRA
REPORTS = ("every", "once", "once_per_sentence")
MEASURE_NAMES = ("code_points", "utf16_units", "graphemes", "utf8_bytes",
                 *(network.measure for network in REGISTRY if network.measure))
COMMON_FIELDS = {"id", "category", "kind", "severity", "message", "explanation", "tip", "networks", "valid_from",
                 "valid_until", "unless", "quick_fix", "examples", "mode"}
KIND_FIELDS = {
    "lexicon": {"terms", "sets", "evasion", "compact", "report", "self_censor"},
    "pattern": {"pattern", "on", "capture", "ignore_case", "report"},
    "detector": {"detector", "hosts", "private_ips", "allow"},
    "proximity": {"all", "anchor", "report"},
    "conditional": {"trigger", "require", "ambiguous", "ambiguous_message"},
    "placement": {"target", "max_start"},
    "substitution": {"swaps", "evasion"},
    "metric": {"limits"},
    "alt_text": {"min_length"},
    "authenticity": {"min_copied", "own_posts_days", "own_post_message", "example_reference"},
}
# what a rule is when the policy does not say: a hint for the authenticity rule (copying is not a
# breach, just weak), a block for every other kind
DEFAULT_SEVERITY = {"authenticity": "info"}
# Keys that are only warned about when unknown: the policy still works, but a typo there
# (``examples.pas``) silently drops what the author meant, so ``policy validate`` says so.
TOP_FIELDS = {"policy", "sets", "rules", "tips"}  # [[tips]]: read by desktop.core.tips
POLICY_FIELDS = {"id", "name", "version", "owner", "contact", "default_network", "report"}
EXAMPLE_FIELDS = {"flag", "pass"}
QUICK_FIX_FIELDS = {"label", "append", "replace"}
LIMIT_FIELDS = {"measure", "max"}
# tomllib reads nested arrays and tables recursively; far deeper than any policy needs, it would
# overflow Python's stack, so such a file is refused with this message instead.
NESTED_TOO_DEEPLY = ("the policy file is nested too deeply (arrays or tables hundreds of levels inside each other), "
                     "so it cannot be read; a policy needs only a few levels")


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
    reader = FieldReader(source)
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
    report = reader.text(head, "report", None, required=False)
    problem = report_problem(report) if report else None
    if problem:
        reader.problem(None, "policy.report", problem)
        report = ""
    info = PolicyInfo(
        id=reader.text(head, "id", None),
        name=reader.text(head, "name", None),
        version=str(head.get("version", "")) or _missing(reader, "policy.version"),
        owner=reader.text(head, "owner", None),
        contact=reader.text(head, "contact", None),
        source=source,
        default_network=default_network,
        report=report,
        tips=_tip_tables(reader, data.get("tips", [])),
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


def _tip_tables(reader: FieldReader, tables: Any) -> tuple[dict[str, Any], ...]:
    """The policy's ``[[tips]]`` tables, kept as they are: desktop.core.tips reads them (a broken tip is
    left out there, with a message, and never makes the policy invalid)."""
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        reader.problem(None, "[[tips]]", "must be [[tips]] tables (id, title, text, categories, ...)")
        return ()
    return tuple(tables)


def _missing(reader: FieldReader, field: str) -> str:
    """Report a required field as missing; its value stays empty."""
    reader.problem(None, field, "is missing")
    return ""


def _rule(reader: FieldReader, table: dict[str, Any], rule_id: str, default_network: str | None) -> Rule | None:
    kind = reader.choice(table, "kind", rule_id, KINDS, "")
    if not kind:
        return None
    unknown = set(table) - COMMON_FIELDS - KIND_FIELDS[kind]
    if unknown:
        reader.problem(rule_id, None, f"unknown field(s) for a {kind} rule: "
                       f"{unknown_list(unknown, COMMON_FIELDS | KIND_FIELDS[kind])}")
    severity_name = reader.choice(table, "severity", rule_id, ("block", "warn", "info"),
                                  DEFAULT_SEVERITY.get(kind, "block"))
    mode = reader.choice(table, "mode", rule_id, MODES, "enforce")
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
        mode=mode,
    )
    builder: Callable[..., Rule | None] = _BUILDERS[kind]
    return builder(reader, table, rule_id, common, default_network)


def _example(reader: FieldReader, item: Any, rule_id: str, field: str) -> tuple[str, str | None] | None:
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


def _lexicon_rule(reader: FieldReader, table: dict[str, Any], rule_id: str, common: dict[str, Any],
                  _default: str | None) -> Rule | None:
    terms, exceptions = reader.term_list(table, rule_id)
    if not terms:
        reader.problem(rule_id, "terms", "a lexicon rule needs terms or sets")
        return None
    evasion = reader.choice(table, "evasion", rule_id, EVASION_LEVELS, "standard")
    return LexiconRule(**common, lexicon=reader.lexicon(terms, evasion, reader.flag(table, "compact", rule_id, True)),
                       report=reader.choice(table, "report", rule_id, REPORTS, "every"), term_unless=exceptions,
                       self_censor=reader.flag(table, "self_censor", rule_id, False))


def _pattern_rule(reader: FieldReader, table: dict[str, Any], rule_id: str, common: dict[str, Any],
                  _default: str | None) -> Rule | None:
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


def _detector_rule(reader: FieldReader, table: dict[str, Any], rule_id: str, common: dict[str, Any],
                   _default: str | None) -> Rule | None:
    detector = reader.choice(table, "detector", rule_id, (*BUILTIN_DETECTORS, *detectors.EXTRA), "secrets")
    hosts = tuple(h.lower() for h in reader.texts(table, "hosts", rule_id))
    private_ips = reader.flag(table, "private_ips", rule_id, False)
    if detector == "internal_url" and not hosts and not private_ips:
        reader.problem(rule_id, "hosts", "an internal_url detector needs hosts (or private_ips = true)")
    return DetectorRule(**common, detector=detector, hosts=hosts, private_ips=private_ips,
                        allow=tuple(reader.texts(table, "allow", rule_id)))


def _proximity_rule(reader: FieldReader, table: dict[str, Any], rule_id: str, common: dict[str, Any],
                    _default: str | None) -> Rule | None:
    parts_data = table.get("all")
    if not isinstance(parts_data, list) or len(parts_data) < 2:
        reader.problem(rule_id, "all", "a proximity rule needs a list of at least two matchers in `all`")
        return None
    parts = [reader.matcher(part, rule_id, f"all[{i}]") for i, part in enumerate(parts_data)]
    anchor = table.get("anchor", 0)
    if not isinstance(anchor, int) or not 0 <= anchor < len(parts_data):
        reader.problem(rule_id, "anchor", f"must be the index of one of the `all` matchers (0 to {len(parts_data) - 1})")
        anchor = 0
    matchers = [p for p in parts if p is not None]
    if len(matchers) < len(parts):
        return None
    return ProximityRule(**common, parts=matchers, anchor=anchor,
                         report=reader.choice(table, "report", rule_id, REPORTS, "once_per_sentence"))


def _conditional_rule(reader: FieldReader, table: dict[str, Any], rule_id: str, common: dict[str, Any],
                      _default: str | None) -> Rule | None:
    trigger = reader.matcher(table.get("trigger"), rule_id, "trigger")
    require = reader.matcher(table.get("require"), rule_id, "require")
    ambiguous = reader.matcher(table["ambiguous"], rule_id, "ambiguous") if "ambiguous" in table else None
    if trigger is None or require is None:
        return None
    return ConditionalRule(**common, trigger=trigger, require=require, ambiguous=ambiguous,
                           ambiguous_message=reader.text(table, "ambiguous_message", rule_id, required=False))


def _placement_rule(reader: FieldReader, table: dict[str, Any], rule_id: str, common: dict[str, Any],
                    _default: str | None) -> Rule | None:
    target = reader.matcher(table.get("target"), rule_id, "target")
    max_start = table.get("max_start", 200)
    if not isinstance(max_start, int) or max_start < 0:
        reader.problem(rule_id, "max_start", f"must be a whole number of characters, not {max_start!r}")
        return None
    return PlacementRule(**common, target=target, max_start=max_start) if target else None


def _substitution_rule(reader: FieldReader, table: dict[str, Any], rule_id: str, common: dict[str, Any],
                       _default: str | None) -> Rule | None:
    swaps = table.get("swaps")
    if not isinstance(swaps, dict) or not swaps or not all(isinstance(v, str) for v in swaps.values()):
        reader.problem(rule_id, "swaps", "must be a table of \"form to avoid\" = \"replacement\"")
        return None
    terms = [t for t, _ in reader.terms(list(swaps), rule_id, "swaps")]
    evasion = reader.choice(table, "evasion", rule_id, EVASION_LEVELS, "standard")
    return SubstitutionRule(**common, lexicon=reader.lexicon(terms, evasion, False), swaps=dict(swaps))


def _metric_rule(reader: FieldReader, table: dict[str, Any], rule_id: str, common: dict[str, Any],
                 default_network: str | None) -> Rule | None:
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


def _alt_text_rule(reader: FieldReader, table: dict[str, Any], rule_id: str, common: dict[str, Any],
                   _default: str | None) -> Rule | None:
    min_length = table.get("min_length", 1)
    if not isinstance(min_length, int) or isinstance(min_length, bool) or not 1 <= min_length <= 1000:
        reader.problem(rule_id, "min_length", f"must be a whole number from 1 to 1000, not {min_length!r}")
        return None
    return AltTextRule(**common, min_length=min_length)


def _authenticity_rule(reader: FieldReader, table: dict[str, Any], rule_id: str, common: dict[str, Any],
                       _default: str | None) -> Rule | None:
    ok = True
    min_copied = table.get("min_copied", DEFAULT_MIN_COPIED)
    if isinstance(min_copied, bool) or not isinstance(min_copied, int | float) or not 0.3 <= min_copied <= 1:
        reader.problem(rule_id, "min_copied", "must be the share of the reference's words copied, a number from 0.3 "
                       f"to 1 (0.8: 80 %), not {min_copied!r}")
        ok = False
    days = table.get("own_posts_days", DEFAULT_OWN_POSTS_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 3650:
        reader.problem(rule_id, "own_posts_days", "must be a whole number of days from 0 (the author's own posts "
                       f"are not compared) to 3650, not {days!r}")
        ok = False
    reference = table.get("example_reference")
    if not isinstance(reference, str) or len(units(reference).words) < MIN_UNITS:
        reader.problem(rule_id, "example_reference", "must be the suggested copy the rule's examples are compared "
                       f"with (at least {MIN_UNITS} words): examples.flag copy it, examples.pass do not")
        ok = False
    own_message = reader.text(table, "own_post_message", rule_id, required=False, default="This repeats {source}")
    if not ok:
        return None
    return AuthenticityRule(**common, min_copied=float(min_copied), own_posts_days=days,
                            own_post_message=own_message, example_reference=str(reference))


_BUILDERS = {
    "lexicon": _lexicon_rule,
    "pattern": _pattern_rule,
    "detector": _detector_rule,
    "proximity": _proximity_rule,
    "conditional": _conditional_rule,
    "placement": _placement_rule,
    "substitution": _substitution_rule,
    "metric": _metric_rule,
    "alt_text": _alt_text_rule,
    "authenticity": _authenticity_rule,
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
