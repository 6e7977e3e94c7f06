"""The policy loader fuzzed with broken files: it refuses them with PolicyError, never another exception.

Every refusal lists its problems all at once, and each problem names the file (and, where there is one,
the rule id and the field) so a policy author can fix everything in one pass. Author regexes that can
backtrack catastrophically are refused at load; a heavy pattern that gets through still cannot hang
``Policy.check`` (rules.REGEX_TIMEOUT_S).
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import regex
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from desktop.core.policy import Policy, PolicyError, PolicyInfo, load_policy, parse_policy, policies_dir

ACME_FILE = policies_dir() / "acme-example.toml"
ACME_BYTES = ACME_FILE.read_bytes()
ACME_RULE_IDS = [r.id for r in load_policy(ACME_FILE).rules]
SOURCE = "fuzzed-policy.toml"


# -- a tiny TOML writer (the standard library only reads TOML) -----------------------------------------
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")


def toml_document(data: dict[str, Any]) -> str:
    """Top-level tables as [headers], ``rules`` as [[rules]] when it is a list of tables, the rest inline."""
    lines: list[str] = []
    for key, value in data.items():
        if not isinstance(value, (dict, list)) or (isinstance(value, list) and not all(isinstance(v, dict) for v in value)):
            lines.append(f"{_toml_key(key)} = {toml_value(value)}")
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"[{_toml_key(key)}]")
            lines.extend(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for table in value:
                lines.append(f"[[{_toml_key(key)}]]")
                lines.extend(f"{_toml_key(k)} = {toml_value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


# -- a small valid policy with one rule of every kind, every field set ------------------------------------
def base_policy() -> dict[str, Any]:
    return {
        "policy": {"id": "fuzz", "name": "Fuzz policy", "version": "1", "owner": "QA", "contact": "qa@example.com",
                   "default_network": "linkedin"},
        "sets": {"things": ["thing one", {"term": "THING", "case": "upper", "unless": [r"thing\.example"]}]},
        "rules": [
            {"id": "L1", "category": "words", "kind": "lexicon", "severity": "warn", "message": "Word: {match}",
             "explanation": "why", "tip": "what to do", "networks": ["x", "linkedin"],
             "valid_from": dt.date(2000, 1, 1), "valid_until": dt.date(2999, 12, 31), "unless": [r"never\d{9}"],
             "quick_fix": {"label": "Remove it", "replace": ""},
             "terms": ["widget", {"term": "Gizmo Pro", "case": "any", "unless": [r"gizmo\.example"]}],
             "sets": ["things"], "evasion": "leet", "compact": True, "report": "every", "self_censor": False,
             "examples": {"flag": ["a w1dget here"], "pass": ["nothing to see"]}},
            {"id": "P1", "category": "pattern", "kind": "pattern", "severity": "block", "message": "Pattern: {match}",
             "pattern": r"\bfoo(?P<num>\d+)", "on": "original", "capture": "num", "ignore_case": True,
             "report": "every", "examples": {"flag": ["FOO42"], "pass": ["food"]}},
            {"id": "D1", "category": "internal", "kind": "detector", "severity": "block", "message": "Host: {match}",
             "detector": "internal_url", "hosts": ["corp.example"], "private_ips": True, "allow": [],
             "examples": {"flag": ["see wiki.corp.example/x"], "pass": ["see example.com"]}},
            {"id": "X1", "category": "near", "kind": "proximity", "severity": "warn", "message": "Near: {match}",
             "all": [{"terms": ["alpha"], "evasion": "standard", "compact": False},
                     {"patterns": [r"\d+%"], "on": "original", "ignore_case": True, "sets": ["things"]}],
             "anchor": 0, "report": "once_per_sentence",
             "examples": {"flag": ["alpha is up 5%"], "pass": ["alpha alone. up 5%"]}},
            {"id": "C1", "category": "cond", "kind": "conditional", "severity": "block", "message": "If: {match}",
             "trigger": {"terms": ["product"]}, "require": {"terms": ["disclosed"]},
             "ambiguous": {"patterns": ["#spon"], "on": "original"}, "ambiguous_message": "vague: {ambiguous}",
             "examples": {"flag": ["my product #spon"], "pass": ["my product, disclosed"]}},
            {"id": "PL1", "category": "place", "kind": "placement", "severity": "info", "message": "Late: {match}",
             "target": {"terms": ["disclosed"]}, "max_start": 10,
             "examples": {"flag": ["0123456789 abc disclosed"], "pass": ["disclosed early"]}},
            {"id": "S1", "category": "style", "kind": "substitution", "severity": "info", "message": "Style: {match}",
             "swaps": {"BadForm": "Good Form"}, "evasion": "standard",
             "examples": {"flag": ["I use BadForm"], "pass": ["I use Good Form"]}},
            {"id": "M1", "category": "length", "kind": "metric", "severity": "block", "message": "Long: {network}",
             "limits": {"x": {"measure": "code_points", "max": 10},
                        "bluesky": [{"measure": "graphemes", "max": 10}, {"measure": "utf8_bytes", "max": 40}]},
             "examples": {"flag": [{"text": "this is far more than ten", "network": "x"}],
                          "pass": ["short", {"text": "short", "network": "x"}]}},
        ],
    }


def rule_index(data: dict, rule_id: str) -> int:
    return next(i for i, r in enumerate(data["rules"]) if r["id"] == rule_id)


def write(tmp: Path, name: str, content: str | bytes) -> Path:
    path = tmp / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def load_outcome(path: Path) -> Policy | PolicyError:
    """load_policy's result, or its PolicyError; any other exception propagates (and fails the test)."""
    try:
        return load_policy(path)
    except PolicyError as exc:
        return exc


def assert_well_formed_refusal(error: PolicyError, source: str) -> None:
    assert error.problems, "a PolicyError must list at least one problem"
    for problem in error.problems:
        assert problem.source == source, problem
        assert problem.message.strip(), problem
        assert source in str(problem)
    assert source in str(error)


SAMPLE_POST = ("Project Bluebird ships next week! Our revenue grew 14% #AcmeCloud, f u c k, call +44 20 7946 0958 "
               "or see https://jira.corp.acme.example/x 😀 " * 3)


def assert_findings_are_slices(policy: Policy) -> None:
    for network in ("x", "linkedin"):
        findings = policy.check(SAMPLE_POST, network)
        assert findings
        assert all(SAMPLE_POST[f.start:f.end] == f.text and f.start < f.end for f in findings)


def parse_outcome(document: str) -> tuple | PolicyError:
    try:
        return parse_policy(document, SOURCE)
    except PolicyError as exc:
        return exc


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("policies")


# -- the base policy itself ---------------------------------------------------------------------------------
def test_base_policy_loads_and_every_rule_kind_is_present(scratch) -> None:
    path = write(scratch, "base.toml", toml_document(base_policy()))
    policy = load_policy(path)
    assert [r.id for r in policy.rules] == ["L1", "P1", "D1", "X1", "C1", "PL1", "S1", "M1"]
    assert {f.rule_id for f in policy.check("w1dget and FOO7", "x")} == {"L1", "P1", "M1"}


def test_the_real_policy_file_loads() -> None:
    # the byte-flip and truncation fuzzing below start from this file
    assert load_policy(ACME_FILE).info.id == "acme-example"


# -- truncated files ----------------------------------------------------------------------------------------
def _cut_points() -> list[int]:
    size = len(ACME_BYTES)
    rng = random.Random(20250601)
    points = {0, 1, 2, 10, size // 2, size - 1, size - 2}
    points.update(range(0, size, max(1, size // 40)))
    points.update(rng.randrange(size) for _ in range(20))
    # just inside and after structural characters: headers, strings, arrays, inline tables
    for marker in (b"[[rules]]", b"[sets]", b"'''", b'"""', b"= [", b"= {", b"examples.pass"):
        at = ACME_BYTES.find(marker, size // 3)
        if at >= 0:
            points.update({at, at + 1, at + len(marker) - 1, at + len(marker)})
    return sorted(p for p in points if 0 <= p < size)


@pytest.mark.parametrize("cut", _cut_points())
def test_truncated_policy_is_refused_with_policy_error_only(scratch, cut) -> None:
    content = ACME_BYTES[:cut]
    path = write(scratch, f"truncated-{cut}.toml", content)
    outcome = load_outcome(path)
    if isinstance(outcome, PolicyError):
        assert_well_formed_refusal(outcome, str(path))
    else:
        # a cut that happens to leave a complete, valid policy: the rules before the cut, in order
        ids = [r.id for r in outcome.rules]
        assert ids and ids == ACME_RULE_IDS[: len(ids)]
        assert_findings_are_slices(outcome)


def test_empty_and_whitespace_files_are_refused(scratch) -> None:
    for index, content in enumerate(["", "\n\n", "# only a comment\n", "\ufeff"]):
        path = write(scratch, f"empty-{index}.toml", content)
        outcome = load_outcome(path)
        assert isinstance(outcome, PolicyError), content
        assert_well_formed_refusal(outcome, str(path))


# -- random byte flips of the real file -----------------------------------------------------------------
def _flipped(seed: int) -> bytes:
    rng = random.Random(seed)
    data = bytearray(ACME_BYTES)
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(data))
        how = rng.random()
        if how < 0.4:
            data[position] ^= 1 << rng.randrange(8)  # one bit
        elif how < 0.7:
            data[position] = rng.choice(b"[]{}=\"'#,\n\\.0a\x00\xff")  # a structural or invalid byte
        elif how < 0.85:
            del data[position]
        else:
            data.insert(position, rng.randrange(256))
    return bytes(data)


@pytest.mark.parametrize("seed", range(60))
def test_byte_flipped_policy_is_refused_with_policy_error_only(scratch, seed) -> None:
    content = _flipped(seed)
    path = write(scratch, f"flipped-{seed}.toml", content)
    outcome = load_outcome(path)
    if isinstance(outcome, PolicyError):
        assert_well_formed_refusal(outcome, str(path))
    else:
        # a flip inside a comment or a message text: the policy still loads and still checks
        assert len(outcome.rules) == len(ACME_RULE_IDS)
        assert_findings_are_slices(outcome)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_hypothesis_mutated_policy_text_is_refused_with_policy_error_only(data) -> None:
    text = ACME_BYTES.decode("utf-8")
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        position = data.draw(st.integers(0, len(text)), label="position")
        edit = data.draw(st.sampled_from(["insert", "delete", "replace", "duplicate_line", "drop_line"]), label="edit")
        if edit in ("insert", "replace"):
            piece = data.draw(st.one_of(st.sampled_from(["[", "]", "{", "}", "=", '"', "'", "#", "\n", ",", ".",
                                                         "[[rules]]\n", "kind = 1\n", "'''", "\\"]),
                                        st.text(max_size=3)), label="piece")
            end = position + (1 if edit == "replace" else 0)
            text = text[:position] + piece + text[end:]
        elif edit == "delete":
            text = text[:position] + text[position + data.draw(st.integers(1, 40)):]
        else:
            lines = text.split("\n")
            line = data.draw(st.integers(0, len(lines) - 1), label="line")
            lines[line:line + 1] = [lines[line]] * (2 if edit == "duplicate_line" else 0)
            text = "\n".join(lines)
    outcome = parse_outcome(text)
    if isinstance(outcome, PolicyError):
        assert_well_formed_refusal(outcome, SOURCE)
        return
    info, rules = outcome
    policy = Policy(info, rules)
    problems = policy.self_test()  # what load_policy runs next; must not raise either
    for problem in problems:
        assert problem.source == SOURCE
        assert problem.rule_id in {r.id for r in rules}
        assert problem.field in ("examples.flag", "examples.pass")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_as_a_policy_is_refused_with_policy_error_only(document) -> None:
    outcome = parse_outcome(document)
    assert isinstance(outcome, PolicyError)  # no policy without [policy] and rules
    assert_well_formed_refusal(outcome, SOURCE)


def test_unreadable_files_are_policy_errors(scratch) -> None:
    bad_utf8 = write(scratch, "latin1.toml", ACME_BYTES.replace(b"Acme Corp social", b"Acme Corp \xe9\xff social"))
    missing = scratch / "does-not-exist.toml"
    directory = scratch / "a-directory.toml"
    directory.mkdir(exist_ok=True)
    for path in (bad_utf8, missing, directory):
        outcome = load_outcome(path)
        assert isinstance(outcome, PolicyError), path
        assert_well_formed_refusal(outcome, str(path))


def test_unknown_builtin_name_is_a_policy_error() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy("no-such-policy")
    assert caught.value.problems[0].source == "no-such-policy"
    assert "acme-example" in caught.value.problems[0].message  # lists what is built in


# -- wrong types for every field -------------------------------------------------------------------------
STR = ("str", [42, True, ["text"], {"k": "v"}])
BOOL = ("bool", ["false"])  # a text "false" must not turn the option on
INT = ("int", ["3", 1.5, [1]])
DATE = ("date", ["2025-01-01", 20250101])
TABLE = ("table", ["text", 42, [1]])
CHOICE = ("choice", [42, ["x"], "no-such-choice"])
LIST_STR = ("list", ["text", 42, {"k": "v"}, [42]])
LIST_REGEX = ("list", ["text", 42, [42]])
TERMS = ("terms", ["text", 42, [42], [{"term": 5}], [{"term": "x", "case": 5}], [{"term": "x", "unless": 5}],
                   [{"term": "x", "bogus": 1}], [""]])

# (where, rule id or None, field as the problem should name it, expected type); `where` is a path into base_policy()
FIELDS: list[tuple[tuple, str | None, str, tuple]] = [
    (("policy", "id"), None, "id", STR),
    (("policy", "name"), None, "name", STR),
    (("policy", "owner"), None, "owner", STR),
    (("policy", "contact"), None, "contact", STR),
    (("policy", "default_network"), None, "default_network", CHOICE),
    (("sets",), None, "sets", ("table", ["text", 42])),
    (("sets", "things"), None, "sets.things", TERMS),
    (("rules",), None, "rules", ("list", ["text", 42, [42], ["text"]])),
    # every rule shares these
    (("rules", "L1", "category"), "L1", "category", STR),
    (("rules", "L1", "kind"), "L1", "kind", CHOICE),
    (("rules", "L1", "severity"), "L1", "severity", CHOICE),
    (("rules", "L1", "message"), "L1", "message", STR),
    (("rules", "L1", "explanation"), "L1", "explanation", STR),
    (("rules", "L1", "tip"), "L1", "tip", STR),
    (("rules", "L1", "networks"), "L1", "networks", ("list", ["x", 42, [42], ["myspace"]])),
    (("rules", "L1", "valid_from"), "L1", "valid_from", DATE),
    (("rules", "L1", "valid_until"), "L1", "valid_until", DATE),
    (("rules", "L1", "unless"), "L1", "unless", LIST_REGEX),
    (("rules", "L1", "quick_fix"), "L1", "quick_fix", ("table", ["text", 42, {"label": 5, "append": "x"}])),
    (("rules", "L1", "examples"), "L1", "examples", ("table", ["text", 42, {"flag": "text"}])),
    (("rules", "L1", "examples", "flag"), "L1", "examples", ("list", ["text", 42, [42], [{"text": 5}],
                                                                      [{"text": "w1dget", "network": 5}]])),
    (("rules", "L1", "examples", "pass"), "L1", "examples", ("list", ["text", 42, [42]])),
    # lexicon
    (("rules", "L1", "terms"), "L1", "terms", TERMS),
    (("rules", "L1", "sets"), "L1", "sets", ("list", ["things", 42, [42], [["things"]]])),
    (("rules", "L1", "evasion"), "L1", "evasion", CHOICE),
    (("rules", "L1", "compact"), "L1", "compact", BOOL),
    (("rules", "L1", "report"), "L1", "report", CHOICE),
    (("rules", "L1", "self_censor"), "L1", "self_censor", BOOL),
    # pattern
    (("rules", "P1", "pattern"), "P1", "pattern", ("regex", [42, ["foo"], ""])),
    (("rules", "P1", "on"), "P1", "on", CHOICE),
    (("rules", "P1", "capture"), "P1", "capture", ("int or group name", [1.5, ["num"], True, -1, 7, "nope"])),
    (("rules", "P1", "ignore_case"), "P1", "ignore_case", BOOL),
    (("rules", "P1", "report"), "P1", "report", CHOICE),
    # detector
    (("rules", "D1", "detector"), "D1", "detector", CHOICE),
    (("rules", "D1", "hosts"), "D1", "hosts", LIST_STR),
    (("rules", "D1", "private_ips"), "D1", "private_ips", BOOL),
    (("rules", "D1", "allow"), "D1", "allow", ("list", ["text", 42, {"k": "v"}])),  # numbers are fine here
    # proximity and the matchers inside it
    (("rules", "X1", "all"), "X1", "all", ("list", ["text", 42, [42], [{"terms": ["alpha"]}]])),
    (("rules", "X1", "anchor"), "X1", "anchor", ("int", ["0", 1.5, [0], 5, -1])),
    (("rules", "X1", "report"), "X1", "report", CHOICE),
    (("rules", "X1", "all", 0, "terms"), "X1", "terms", TERMS),
    (("rules", "X1", "all", 1, "sets"), "X1", "sets", ("list", ["things", 42, [["things"]]])),
    (("rules", "X1", "all", 1, "patterns"), "X1", "all[1].patterns", LIST_REGEX),
    (("rules", "X1", "all", 1, "on"), "X1", "on", CHOICE),
    (("rules", "X1", "all", 1, "ignore_case"), "X1", "ignore_case", BOOL),
    (("rules", "X1", "all", 0, "evasion"), "X1", "evasion", CHOICE),
    (("rules", "X1", "all", 0, "compact"), "X1", "compact", BOOL),
    # conditional
    (("rules", "C1", "trigger"), "C1", "trigger", TABLE),
    (("rules", "C1", "require"), "C1", "require", TABLE),
    (("rules", "C1", "ambiguous"), "C1", "ambiguous", TABLE),
    (("rules", "C1", "ambiguous_message"), "C1", "ambiguous_message", STR),
    # placement
    (("rules", "PL1", "target"), "PL1", "target", TABLE),
    (("rules", "PL1", "max_start"), "PL1", "max_start", ("int", ["10", 1.5, [10], -1])),
    # substitution
    (("rules", "S1", "swaps"), "S1", "swaps", ("table", ["text", 42, [1], {"BadForm": 5}, {"": "x"}])),
    (("rules", "S1", "evasion"), "S1", "evasion", CHOICE),
    # metric
    (("rules", "M1", "limits"), "M1", "limits", ("table", ["text", 42, {"x": 5},
                                                           {"myspace": {"measure": "code_points", "max": 1}},
                                                           {"x": {"measure": "furlongs", "max": 10}},
                                                           {"x": {"measure": "code_points", "max": "10"}}])),
]


def _set(data: dict, where: tuple, value: Any) -> None:
    node: Any = data
    path = list(where)
    if path[0] == "rules" and len(path) > 1:
        node = data["rules"][rule_index(data, path[1])]
        path = path[2:]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


WRONG_TYPE_CASES = [
    pytest.param(where, rule_id, field, value, id=f"{'.'.join(map(str, where))}={value!r}")
    for where, rule_id, field, (_kind, values) in FIELDS
    for value in values
]


@pytest.mark.parametrize(("where", "rule_id", "field", "value"), WRONG_TYPE_CASES)
def test_wrong_type_is_refused_with_policy_error_naming_rule_and_field(scratch, where, rule_id, field, value) -> None:
    data = base_policy()
    _set(data, where, value)
    path = write(scratch, "wrong-type.toml", toml_document(data))
    outcome = load_outcome(path)  # a TypeError, AttributeError ... escaping here is a loader bug
    assert isinstance(outcome, PolicyError), f"{'.'.join(map(str, where))} = {value!r} was accepted silently"
    assert_well_formed_refusal(outcome, str(path))
    named = [p for p in outcome.problems
             if p.rule_id == rule_id and (field in (p.field or "") or field in p.message)]
    assert named, f"no problem names rule {rule_id!r} and field {field!r}: {[str(p) for p in outcome.problems]}"


# -- specific mistakes, each named precisely ------------------------------------------------------------
def _refusal(data: dict) -> PolicyError:
    outcome = parse_outcome(toml_document(data))
    assert isinstance(outcome, PolicyError), "the broken policy was accepted"
    assert_well_formed_refusal(outcome, SOURCE)
    return outcome


def _problem(error: PolicyError, rule_id: str | None, field: str | None, *words: str):
    for problem in error.problems:
        if problem.rule_id == rule_id and problem.field == field and all(
                w.lower() in problem.message.lower() for w in words):
            return problem
    raise AssertionError(f"no problem ({rule_id}, {field}, {words}) in {[str(p) for p in error.problems]}")


def test_missing_policy_table() -> None:
    data = base_policy()
    del data["policy"]
    error = _refusal(data)
    _problem(error, None, "[policy]", "missing")


def test_missing_required_policy_fields_are_all_reported() -> None:
    data = base_policy()
    data["policy"] = {"default_network": "linkedin"}
    error = _refusal(data)
    for key in ("id", "name", "owner", "contact", "policy.version"):
        _problem(error, None, key, "missing")


def test_no_rules() -> None:
    data = base_policy()
    del data["rules"]
    _problem(_refusal(data), None, "[[rules]]")


@pytest.mark.parametrize("kind", ["telepathy", "Lexicon", "regex", ""])
def test_unknown_rule_kind(kind) -> None:
    data = base_policy()
    data["rules"][rule_index(data, "P1")]["kind"] = kind
    _problem(_refusal(data), "P1", "kind", kind or "not ''")


def test_missing_rule_kind() -> None:
    data = base_policy()
    del data["rules"][rule_index(data, "P1")]["kind"]
    _problem(_refusal(data), "P1", "kind")


@pytest.mark.parametrize("rule_id", ["L1", "P1", "D1", "X1", "C1", "PL1", "S1", "M1"])
def test_unknown_field_for_every_kind(rule_id) -> None:
    data = base_policy()
    data["rules"][rule_index(data, rule_id)]["colour"] = "red"
    problems = [p for p in _refusal(data).problems if p.rule_id == rule_id and "colour" in f"{p.field} {p.message}"]
    assert problems


def test_field_of_another_kind_is_unknown() -> None:
    data = base_policy()
    data["rules"][rule_index(data, "P1")]["terms"] = ["widget"]  # a lexicon field on a pattern rule
    problems = [p for p in _refusal(data).problems if p.rule_id == "P1" and "terms" in f"{p.field} {p.message}"]
    assert problems


def test_unknown_matcher_key_and_unknown_term_key() -> None:
    data = base_policy()
    data["rules"][rule_index(data, "X1")]["all"][0]["tokens"] = ["x"]
    data["rules"][rule_index(data, "L1")]["terms"].append({"term": "odd", "colour": "red"})
    error = _refusal(data)
    _problem(error, "X1", "all[0]", "tokens")
    _problem(error, "L1", "terms", "colour")


@pytest.mark.parametrize("where", [("rules", "L1", "sets"), ("rules", "X1", "all", 1, "sets")])
def test_unknown_set(where) -> None:
    data = base_policy()
    _set(data, where, ["things", "no-such-set"])
    rule_id = where[1]
    _problem(_refusal(data), rule_id, "sets", "no-such-set", "unknown")


@pytest.mark.parametrize("bad", ["(unclosed", "[z-a]", "a{2,1}", "(?P<1x>a)", "*oops", "\\"])
def test_invalid_regex_names_rule_and_field(bad) -> None:
    data = base_policy()
    data["rules"][rule_index(data, "P1")].pop("capture")
    _set(data, ("rules", "P1", "pattern"), bad)
    _problem(_refusal(data), "P1", "pattern", "not a valid regular expression")


# pattern -> a text on which it backtracks for far longer than a keystroke may take (checked below)
CATASTROPHIC_WITNESS = {
    "(a+)+$": "a" * 3000 + "!",
    "(x|x)*y": "x" * 40 + " y",
    "(a|aa)+$": "a" * 40 + "!",
    r"(\w+\s?)+$": "a" * 3000 + "!",
    "(?:z|zz)+$": "z" * 40 + "!",
    "(b|b)*c": "b" * 40 + " c",
}
CATASTROPHIC = list(CATASTROPHIC_WITNESS)


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_patterns_really_backtrack(pattern) -> None:
    compiled = regex.compile(pattern, regex.IGNORECASE)
    with pytest.raises(TimeoutError):
        compiled.search(CATASTROPHIC_WITNESS[pattern], timeout=0.3)
# (where the pattern goes, the rule and the field the problem must name)
REGEX_PLACES = [
    (("rules", "P1", "pattern"), "P1", "pattern", lambda p: p),
    (("rules", "L1", "unless"), "L1", "unless", lambda p: [p]),
    (("rules", "X1", "all", 1, "patterns"), "X1", "all[1].patterns", lambda p: [p]),
    (("rules", "L1", "terms"), "L1", "terms.Gizmo Pro.unless", lambda p: [{"term": "Gizmo Pro", "unless": [p]}]),
]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
@pytest.mark.parametrize(("where", "rule_id", "field", "wrap"), REGEX_PLACES,
                         ids=[place[2] for place in REGEX_PLACES])
def test_catastrophic_regex_is_refused_at_load(pattern, where, rule_id, field, wrap) -> None:
    data = base_policy()
    data["rules"][rule_index(data, "P1")].pop("capture")  # the group it names may not be in the new pattern
    _set(data, where, wrap(pattern))
    problem = _problem(_refusal(data), rule_id, field)
    assert re.search(r"catastrophic backtracking|freeze", problem.message), problem.message


def test_catastrophic_regex_in_a_set_term_exception_is_refused() -> None:
    data = base_policy()
    data["sets"]["things"] = [{"term": "THING", "unless": ["(a+)+$"]}]
    problem = _problem(_refusal(data), None, "sets.things.THING.unless")
    assert "catastrophic backtracking" in problem.message


def test_capture_group_that_does_not_exist() -> None:
    data = base_policy()
    _set(data, ("rules", "P1", "capture"), "nope")
    _problem(_refusal(data), "P1", "capture", "nope")


def test_duplicate_rule_ids() -> None:
    data = base_policy()
    clone = copy.deepcopy(data["rules"][rule_index(data, "P1")])
    data["rules"].append(clone)
    _problem(_refusal(data), "P1", "id", "unique")


def test_missing_examples() -> None:
    data = base_policy()
    del data["rules"][rule_index(data, "P1")]["examples"]
    data["rules"][rule_index(data, "L1")]["examples"] = {"pass": ["x"]}  # flag examples are required
    error = _refusal(data)
    _problem(error, "P1", "examples")
    _problem(error, "L1", "examples")


def test_examples_that_fail_are_reported_by_load_policy(scratch) -> None:
    data = base_policy()
    _set(data, ("rules", "P1", "examples"), {"flag": ["no match here"], "pass": ["foo1 matches"]})
    _set(data, ("rules", "L1", "examples"), {"flag": ["w1dget"], "pass": ["widget"]})
    path = write(scratch, "failing-examples.toml", toml_document(data))
    parse_policy(path.read_text(encoding="utf-8"), str(path))  # structurally fine
    outcome = load_outcome(path)
    assert isinstance(outcome, PolicyError)
    assert_well_formed_refusal(outcome, str(path))
    by_key = {(p.rule_id, p.field) for p in outcome.problems}
    assert by_key == {("P1", "examples.flag"), ("P1", "examples.pass"), ("L1", "examples.pass")}
    assert any("foo1 matches" in p.message for p in outcome.problems)


def test_acme_example_with_a_broken_example_names_its_rule(scratch) -> None:
    content = ACME_BYTES.decode("utf-8").replace('"Bluebird spotted"', '"Project Bluebird spotted"')
    path = write(scratch, "acme-broken-example.toml", content)
    outcome = load_outcome(path)
    assert isinstance(outcome, PolicyError)
    assert [(p.source, p.rule_id, p.field) for p in outcome.problems] == [(str(path), "R3-codename", "examples.pass")]


def test_several_problems_are_all_reported_at_once(scratch) -> None:
    data = base_policy()
    data["policy"]["default_network"] = "myspace"
    _set(data, ("rules", "L1", "sets"), ["no-such-set"])
    _set(data, ("rules", "P1", "pattern"), "(unclosed")
    _set(data, ("rules", "D1", "detector"), "telepathy")
    _set(data, ("rules", "X1", "anchor"), 9)
    _set(data, ("rules", "C1", "message"), "")
    _set(data, ("rules", "PL1", "colour"), "red")
    _set(data, ("rules", "S1", "severity"), "fatal")
    _set(data, ("rules", "M1", "limits"), {"myspace": {"measure": "code_points", "max": 1}})
    data["rules"].append(copy.deepcopy(data["rules"][0]))  # duplicate id L1
    path = write(scratch, "many-problems.toml", toml_document(data))
    outcome = load_outcome(path)
    assert isinstance(outcome, PolicyError)
    assert_well_formed_refusal(outcome, str(path))
    where = {(p.rule_id, p.field) for p in outcome.problems}
    expected = {(None, "policy.default_network"), ("L1", "sets"), ("P1", "pattern"), ("D1", "detector"),
                ("X1", "anchor"), ("C1", "message"), ("PL1", None), ("S1", "severity"), ("M1", "limits.myspace"),
                ("L1", "id")}
    assert expected <= where, expected - where
    assert f"{len(outcome.problems)} problems" in str(outcome)


# -- arbitrary rule tables: random keys with random values of random types --------------------------------
_ALL_KEYS = sorted({"id", "category", "kind", "severity", "message", "explanation", "tip", "networks", "valid_from",
                    "valid_until", "unless", "quick_fix", "examples", "terms", "sets", "evasion", "compact", "report",
                    "self_censor", "pattern", "on", "capture", "ignore_case", "detector", "hosts", "private_ips",
                    "allow", "all", "anchor", "trigger", "require", "ambiguous", "ambiguous_message", "target",
                    "max_start", "swaps", "limits", "patterns", "term", "case", "flag", "pass", "text", "network",
                    "measure", "max", "label", "append", "replace"})
_SCALARS = st.one_of(
    st.sampled_from(["lexicon", "pattern", "detector", "proximity", "conditional", "placement", "substitution",
                     "metric", "block", "warn", "info", "x", "linkedin", "things", "widget", "leet", "strict",
                     "original", "view", "every", "once", "secrets", "email", "phone", "internal_url", "upper",
                     "code_points", "[", "\\d+", "m {match}"]),
    st.text(max_size=8), st.integers(-3, 12), st.booleans(), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_ALL_KEYS), inner, max_size=4)), max_leaves=8)
_KINDS = ["lexicon", "pattern", "detector", "proximity", "conditional", "placement", "substitution", "metric"]
# a valid kind most of the time, so the fuzzing gets past the kind check into each kind's reader
_RULE = st.fixed_dictionaries(
    {"kind": st.one_of(st.sampled_from(_KINDS), _VALUES), "id": st.text(min_size=1, max_size=4)},
    optional={key: _VALUES for key in _ALL_KEYS if key not in ("kind", "id")},
)


# No shrinking: a crash is reported at once (the wrong-type tests above give the minimal reproductions).
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate], report_multiple_bugs=False)
@given(rules=st.lists(_RULE, min_size=1, max_size=3), sets=st.dictionaries(st.sampled_from(["things", "more"]),
                                                                           _VALUES, max_size=2))
def test_random_rule_tables_give_policy_error_never_another_exception(rules, sets) -> None:
    data = base_policy()
    data["sets"].update(sets)
    data["rules"] = [r for r in rules if r] or [{"kind": 1}]
    document = toml_document(data)
    outcome = parse_outcome(document)  # another exception here is a loader bug
    if isinstance(outcome, PolicyError):
        assert_well_formed_refusal(outcome, SOURCE)
        return
    policy = Policy(*outcome)
    policy.self_test()  # load_policy runs this next; it must not raise
    policy.check("widget FOO1 alpha 5% product disclosed BadForm " * 3, "x")


# -- a heavy author pattern cannot hang (or crash) check() ----------------------------------------------
# The load-time probes cannot catch every slow pattern, so check() is the last line of defence: the engine
# runs author regexes with a timeout (rules.REGEX_TIMEOUT_S). The rules are built directly here, so these
# tests do not depend on what the probes happen to catch.
HEAVY = [
    # (pattern, an example it flags, a text that makes it backtrack for a very long time)
    ("(x|x)*y", "xy", "x" * 40 + " y"),
    ("(?:z|zz)+$", "zz", "z" * 40 + "!"),
    ("(b|b)*c", "bc", "b" * 40 + " c"),
]


def _heavy_policy(rule: dict) -> Policy:
    info = PolicyInfo(id="heavy", name="Heavy", version="1", owner="QA", contact="qa@example.com", source=SOURCE,
                      default_network="linkedin")
    return Policy(info, [_build_rule(rule)])


def _build_rule(rule: dict):
    from desktop.core.policy.lexicon import Lexicon, make_term
    from desktop.core.policy.model import Severity
    from desktop.core.policy.rules import LexiconRule, PatternMatcher, PatternRule

    common = dict(id=rule["id"], category="heavy", severity=Severity.WARN, message="{match}",
                  unless=[regex.compile(p, regex.IGNORECASE) for p in rule.get("unless", [])])
    if "pattern" in rule:
        return PatternRule(**common, matcher=PatternMatcher(regex.compile(rule["pattern"], regex.IGNORECASE),
                                                            on=rule["on"]))
    term_unless = {t: [regex.compile(p, regex.IGNORECASE) for p in ps] for t, ps in rule.get("term_unless", {}).items()}
    return LexiconRule(**common, lexicon=Lexicon([make_term(t) for t in rule["terms"]]), term_unless=term_unless)


def _timed_check(policy: Policy, text: str) -> list:
    started = time.monotonic()
    findings = policy.check(text, "linkedin")  # must return: not hang, not raise TimeoutError
    elapsed = time.monotonic() - started
    assert elapsed < 5.0, f"check() took {elapsed:.1f} s"
    assert all(text[f.start:f.end] == f.text for f in findings)
    return findings


@pytest.mark.parametrize("on", ["original", "view"])
@pytest.mark.parametrize(("pattern", "example", "text"), HEAVY[:1], ids=[h[0] for h in HEAVY[:1]])
def test_heavy_pattern_neither_hangs_nor_breaks_check(pattern, example, text, on) -> None:
    policy = _heavy_policy({"id": "H1", "pattern": pattern, "on": on})
    assert [f.text for f in policy.check(f"so {example} now", "linkedin")] == [example]  # the rule works
    _timed_check(policy, text)
    # and the post's other rules still run on the same text
    _timed_check(policy, text + " " + example)


@pytest.mark.parametrize(("pattern", "example", "text"), HEAVY, ids=[h[0] for h in HEAVY])
def test_heavy_pattern_accepted_by_the_loader_neither_hangs_nor_breaks_check(pattern, example, text) -> None:
    data = base_policy()
    data["rules"] = [{"id": "H1", "category": "heavy", "kind": "pattern", "severity": "warn", "message": "{match}",
                      "pattern": pattern, "examples": {"flag": [example], "pass": ["hello"]}}]
    try:
        info, rules = parse_policy(toml_document(data), SOURCE)
    except PolicyError as exc:  # the probes caught it: also fine, as long as the message says why
        assert "catastrophic backtracking" in str(exc)
        return
    _timed_check(Policy(info, rules), text)


@pytest.mark.parametrize("place", ["unless", "term_unless"])
def test_heavy_exception_pattern_neither_hangs_nor_breaks_check(place) -> None:
    rule: dict = {"id": "H1", "terms": ["widget"]}
    if place == "unless":
        rule["unless"] = ["(x|x)*y"]
    else:
        rule["term_unless"] = {"widget": ["(x|x)*y"]}
    policy = _heavy_policy(rule)
    assert [f.text for f in policy.check("a widget", "linkedin")] == ["widget"]
    _timed_check(policy, "widget " + "x" * 40 + " y")


def test_acme_example_on_pathological_texts_finishes() -> None:
    policy = load_policy("acme-example")
    texts = [
        "a" * 20000 + "!",
        "1" * 5000 + "x",
        " " * 20000 + "!",
        "a." * 5000,
        "a-" * 5000 + "@",
        "Acme " * 3000,
        "#" * 5000 + "Acme",
        "\u200b" * 5000 + "Acme Vault",
        "f u c k " * 2000,
        "-----BEGIN RSA PRIVATE KEY-----" + "A" * 10000,
        "password=" + "x" * 10000,
        "(555) " * 3000,
        "1 " * 5000,
        "https://" + "a." * 3000 + "com",
        "x@" * 3000,
        "eyJ" + "a" * 5000 + ".eyJ" + "b" * 5000 + ".",
        "MRN " + "1" * 5000,
        "DOB " + "1/" * 3000,
    ]
    for text in texts:
        started = time.monotonic()
        findings = policy.check(text, "linkedin")
        elapsed = time.monotonic() - started
        assert elapsed < 5.0, f"check() took {elapsed:.1f} s on {text[:40]!r}…"
        assert all(text[f.start:f.end] == f.text for f in findings)


def test_built_in_policies_load_on_a_busy_computer() -> None:
    """The catastrophic-pattern probes and the examples run against time limits: other busy threads
    (the app's own workers) must not make a sound policy look catastrophic."""
    from desktop.core.policy import load_policy as load

    load("acme-example")  # imports and caches warmed before the threads start
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            pass

    threads = [threading.Thread(target=spin, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for name in ("acme-example", "default"):
            assert load(name).rules
    finally:
        stop.set()
        for thread in threads:
            thread.join()
