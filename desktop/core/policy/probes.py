"""Catching a policy pattern that can freeze the editor, when the policy is loaded.

A backtracking regex engine can take exponential time on a pattern such as ``(a+)+$``. Checks
bound every search with a time budget (:mod:`desktop.core.policy.budget`), but a pattern that
blows up on ordinary texts would make rules "incomplete" all the time, so the loader refuses it
up front: each pattern is tried on a few fixed texts and on texts built from the pattern itself
(:func:`_probes_for`), with a time limit, and one that cannot finish is reported to the author.
"""

from __future__ import annotations

import re
from typing import Any

import regex

try:  # the standard library's regex parser, only to build probe texts (see _probes_for)
    from re import _parser as _sre_parser  # type: ignore[attr-defined]  # private: not in typeshed
except ImportError:  # pragma: no cover - another Python: fewer probes, no failure
    _sre_parser = None

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


def too_slow(compiled: regex.Pattern[str], source: str) -> bool:
    """Whether *compiled* (from *source*) runs out of time on one of the probe texts, even when retried."""
    for probe in (*_PROBES, *_probes_for(source)):
        try:
            # concurrent=False: the search keeps the GIL, so its time limit counts matching alone,
            # not waiting for other threads of a busy app. Between searches Python hands the GIL
            # over as usual, so the GUI thread (which types while the policy loads on a worker)
            # waits at most one search: a few milliseconds now that the built-in patterns are
            # linear. Letting go of the GIL in every search instead (concurrent=True) made each of
            # the ~17,500 searches queue for it behind busy threads: minutes on a busy computer.
            try:
                compiled.search(probe, timeout=_PROBE_TIMEOUT_S, concurrent=False)
            except TimeoutError:
                compiled.search(probe, timeout=_PROBE_RETRY_TIMEOUT_S, concurrent=False)
        except TimeoutError:
            return True
    return False


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
        escape: str = match.group(0)
        if escape[1] in "pP":
            return r"\w" if escape[1] == "p" else r"\W"
        return {"\\X": ".", "\\m": "", "\\M": "", "\\G": "", "\\K": ""}.get(escape, escape)

    try:
        return _sre_parser.parse(_REGEX_ONLY_ESCAPE.sub(near, source), 0)
    except Exception:  # noqa: BLE001 - any refusal (or a RecursionError on deep nesting): no structural probes
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
