"""The credential catalogue: provider token formats as data (``resources/detectors/credentials*.toml``).

Each entry names one documented format (prefix, length, alphabet, optional checksum) with a label for
people ("a Stripe secret key") and made-up examples. IT can add formats without touching code, so the
file is validated when it is loaded, once: every field checked, every pattern compiled and proven
linear-time (each repetition bounded, no backtracking into nested repetition), and every example
found by its own entry. A broken file raises :class:`CatalogueError` naming the file, the entry and
what to fix. Searching is cheap on every keystroke: an entry runs only when one of its literals
(``str.__contains__``, a fast C scan) or keywords occurs in the post.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import importlib
import re
import tomllib
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.paths import resources_dir
from desktop.core.policy.budget import on_time
from desktop.core.policy.detectors.spans import Detection
from desktop.core.policy.detectors.values import is_placeholder

_parser: Any = importlib.import_module("re._parser")  # the stdlib's own regex parser, to prove patterns linear

MAX_REPEAT = 20_000  # the longest run one repetition may take: the per-position work stays bounded
_MAX_WINDOWS = 64  # more literal or keyword hits than this: one pass over the whole post is cheaper
_FIELDS = {"id", "label", "pattern", "literals", "keywords", "window", "checksum", "checksum_required",
           "boundary", "boundary_chars", "examples"}
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class CatalogueError(ValueError):
    """The credential catalogue cannot be used as written; the message says where and what to fix."""


def _crc32_base62(token: str) -> bool:
    """GitHub's and npm's token format: 30 random characters, then their CRC32 in 6 base62 digits."""
    body = token.split("_")[-1]
    if len(body) != 36:
        return False
    number = zlib.crc32(body[:30].encode("ascii"))
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return digits.rjust(6, "0") == body[30:]


def _base64_private_key(token: str) -> bool:
    """Base64 of a PEM file: the decoded header must name a private key (not a certificate)."""
    head = token[:80]
    try:
        decoded = base64.b64decode(head[: len(head) // 4 * 4], validate=True)
    except (binascii.Error, ValueError):
        return False
    return b"PRIVATE KEY" in decoded


CHECKSUMS: dict[str, Callable[[str], bool]] = {"crc32-base62": _crc32_base62, "base64-private-key": _base64_private_key}


@dataclass(frozen=True)
class Credential:
    """One provider's token format, compiled."""

    id: str
    label: str
    pattern: re.Pattern[str]
    literals: tuple[str, ...] = ()
    keywords: re.Pattern[str] | None = None
    window: int = 40
    checksum: Callable[[str], bool] | None = None
    checksum_required: bool = False
    examples: tuple[str, ...] = ()
    width: int = 0  # the longest match the pattern can make (every repetition is bounded)
    keyword_words: tuple[str, ...] = ()  # the keywords, lower-cased
    left: re.Pattern[str] | None = None  # a character that may not stand just before a match

    def accepts(self, token: str) -> bool:
        """A match is a credential unless it is a placeholder; a passing checksum proves it is one."""
        if self.checksum is not None:
            if self.checksum(token):
                return True
            if self.checksum_required:
                return False
        body = token
        for literal in self.literals:
            if token.startswith(literal):
                body = token[len(literal):]
                break
        return not is_placeholder(body)

    def find(self, text: str, lowered: str | None = None) -> Iterable[Detection]:
        """Search only around the literals (or after the keywords) found in the post: a match holds a
        literal, so it lies within ``width`` characters of one. Many occurrences: one pass over it all."""
        if self.literals and not any(literal in text for literal in self.literals):
            return
        windows: list[tuple[int, int]] = []
        if self.literals:
            for literal in self.literals:
                at = text.find(literal)
                while at != -1 and len(windows) <= _MAX_WINDOWS:
                    windows.append((at - self.width, at + len(literal) + self.width))
                    at = text.find(literal, at + 1)
        keyword_ends: list[int] = []
        if self.keywords is not None:
            if lowered is None or len(lowered) != len(text):
                keyword_ends = [m.end() for m in self.keywords.finditer(text)]
            else:  # plain substring scans on the lower-cased post are several times faster than the regex
                for keyword in self.keyword_words:
                    at = lowered.find(keyword)
                    while at != -1:
                        keyword_ends.append(at + len(keyword))
                        at = lowered.find(keyword, at + 1)
                keyword_ends.sort()
            if not keyword_ends:
                return
            if not self.literals:
                windows = [(end, end + self.window + self.width) for end in keyword_ends[:_MAX_WINDOWS + 1]]
        if len(windows) > _MAX_WINDOWS:
            windows = [(0, len(text))]
        windows.sort()
        merged: list[list[int]] = []
        for start, end in windows:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            # one character past the window, so the closing boundary sees what follows a match
            for match in self._matches(text, max(0, start), min(len(text), end + 1)):
                if self.keywords is not None:
                    # a keyword ends within the window before the match
                    i = bisect.bisect_right(keyword_ends, match.start())
                    if i == 0 or match.start() - keyword_ends[i - 1] > self.window:
                        continue
                if self.accepts(match.group()):
                    yield Detection(self.id, match.start(), match.end(), self.label)


    def _matches(self, text: str, pos: int, endpos: int) -> Iterable[re.Match[str]]:
        """Matches with a token boundary before them. The boundary is checked here, not by a leading
        lookbehind, so re's fast scan for the pattern's first characters stays on (several times faster)."""
        while (match := self.pattern.search(text, pos, endpos)) is not None:
            at = match.start()
            if self.left is not None and at > 0 and self.left.match(text, at - 1):
                pos = at + 1
                continue
            yield match
            pos = max(match.end(), at + 1)


class Catalogue:
    """All credential formats; :meth:`find` reports every accepted match, labelled."""

    def __init__(self, entries: Iterable[Credential]) -> None:
        self.entries = tuple(entries)
        self.keyworded = any(entry.keywords is not None for entry in self.entries)

    def find(self, text: str) -> list[Detection]:
        found: list[Detection] = []
        lowered = text.lower() if self.keyworded else None
        for entry in self.entries:
            on_time("the credential catalogue")  # a check's time budget, between providers' formats
            found.extend(entry.find(text, lowered))
        return found


# -- loading and validation ------------------------------------------------------------------------------
def _linear_problem(items: Any) -> str | None:
    """Why a parsed pattern could backtrack without bound, or None when every path is bounded."""
    single = {_parser.LITERAL, _parser.NOT_LITERAL, _parser.IN, _parser.ANY, _parser.CATEGORY}
    for op, av in items:
        if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT):
            low, high, body = av
            if high == _parser.MAXREPEAT or high > MAX_REPEAT:
                return f"a repetition has no upper bound (write e.g. {{{low},200}} instead of + or *, at most {MAX_REPEAT})"
            possessive = op == _parser.POSSESSIVE_REPEAT
            simple = len(body) == 1 and body[0][0] in single
            if high > 1 and not simple and not possessive:
                return "a repeated group must be possessive (add + after its quantifier, e.g. (?:ab){1,5}+)"
            problem = _linear_problem(body)
            if problem:
                return problem
        elif op in (_parser.GROUPREF, _parser.GROUPREF_EXISTS):
            return "back-references are not allowed"
        elif op == _parser.SUBPATTERN:
            problem = _linear_problem(av[-1])
            if problem:
                return problem
        elif op == _parser.BRANCH:
            for branch in av[1]:
                problem = _linear_problem(branch)
                if problem:
                    return problem
        elif op == _parser.ATOMIC_GROUP:
            problem = _linear_problem(av)
            if problem:
                return problem
        elif op in (_parser.ASSERT, _parser.ASSERT_NOT):
            problem = _linear_problem(av[1])
            if problem:
                return problem
    return None


def _strings(raw: dict[str, Any], field: str, where: str) -> tuple[str, ...]:
    value = raw.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise CatalogueError(f"{where}: '{field}' must be a list of non-empty strings")
    return tuple(value)


def _entry(raw: Any, where: str) -> Credential:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: each [[credential]] must be a table")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(_FIELDS))})")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
        raise CatalogueError(f"{where}: 'id' must be lower-case letters, digits and dashes, e.g. \"stripe-secret-key\"")
    where = f"{where} ({entry_id})"
    label, source = raw.get("label"), raw.get("pattern")
    if not isinstance(label, str) or not label.strip():
        raise CatalogueError(f"{where}: 'label' must say what was found, e.g. \"a Stripe secret key\"")
    if not isinstance(source, str) or not source:
        raise CatalogueError(f"{where}: 'pattern' must be a regular expression")
    literals, keywords, examples = (_strings(raw, f, where) for f in ("literals", "keywords", "examples"))
    if not literals and not keywords:
        raise CatalogueError(f"{where}: give 'literals' (text every match contains) or 'keywords' (words before it), "
                             "so the entry only runs on posts that may hold one")
    if not examples:
        raise CatalogueError(f"{where}: give at least one made-up example in 'examples'")
    window = raw.get("window", 40)
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 200:
        raise CatalogueError(f"{where}: 'window' must be a whole number of characters from 1 to 200")
    checksum_name = raw.get("checksum")
    if checksum_name is not None and checksum_name not in CHECKSUMS:
        raise CatalogueError(f"{where}: unknown checksum {checksum_name!r} (known: {', '.join(CHECKSUMS)})")
    required = raw.get("checksum_required", False)
    boundary = raw.get("boundary", True)
    chars = raw.get("boundary_chars", "A-Za-z0-9")
    if not isinstance(required, bool) or not isinstance(boundary, bool) or not isinstance(chars, str) or not chars:
        raise CatalogueError(f"{where}: 'checksum_required' and 'boundary' are true or false, 'boundary_chars' a character set")
    try:
        parsed = _parser.parse(source)
        problem = _linear_problem(parsed)
        pattern = re.compile(f"(?:{source})(?![{chars}])" if boundary else source)
        left = re.compile(f"[{chars}]") if boundary else None
    except re.error as error:
        raise CatalogueError(f"{where}: 'pattern' is not a valid regular expression: {error}") from None
    if problem:
        raise CatalogueError(f"{where}: 'pattern' could take too long on some posts: {problem}")
    keyword_pattern = re.compile("|".join(map(re.escape, keywords)), re.IGNORECASE) if keywords else None
    entry = Credential(entry_id, label.strip(), pattern, literals, keyword_pattern, window,
                       CHECKSUMS[checksum_name] if checksum_name else None, required, examples,
                       width=min(parsed.getwidth()[1], 2 * MAX_REPEAT),
                       keyword_words=tuple(k.lower() for k in keywords), left=left)
    for example in examples:
        found = list(entry.find(example))
        if not found:
            raise CatalogueError(f"{where}: the example {example[:40]!r}... is not found by its own entry "
                                 "(check the pattern, literals, keywords, or that it is no placeholder)")
        if literals and not any(lit in example[found[0].start:found[0].end] for lit in literals):
            raise CatalogueError(f"{where}: the example's match holds none of 'literals', so the prefilter would skip it")
    return entry


def load_catalogue(paths: Iterable[Path]) -> Catalogue:
    """Read and validate catalogue files; ids must be unique across them."""
    entries: list[Credential] = []
    seen: set[str] = set()
    for path in paths:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CatalogueError(f"{path}: cannot be read ({error.strerror or error})") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise CatalogueError(f"{path}: is not valid TOML: {error}") from None
        if data.get("version", 1) != 1:
            raise CatalogueError(f"{path}: 'version' {data.get('version')!r} is not supported (this Chorus reads version 1)")
        unknown = set(data) - {"version", "credential"}
        if unknown:
            raise CatalogueError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
                                 "entries go in [[credential]] tables")
        raw_entries = data.get("credential", [])
        if not isinstance(raw_entries, list):
            raise CatalogueError(f"{path}: entries must be [[credential]] tables")
        for index, raw in enumerate(raw_entries, 1):
            entry = _entry(raw, f"{path}, entry {index}")
            if entry.id in seen:
                raise CatalogueError(f"{path}, entry {index}: id {entry.id!r} is used twice; ids must be unique")
            seen.add(entry.id)
            entries.append(entry)
    return Catalogue(entries)


def catalogue_paths(directory: Path | None = None) -> list[Path]:
    folder = directory if directory is not None else resources_dir() / "detectors"
    paths = sorted(folder.glob("credentials*.toml"))
    if not paths:
        raise CatalogueError(f"{folder}: no credentials*.toml file; the credential catalogue is missing from this install")
    return paths


@functools.cache
def default_catalogue() -> Catalogue:
    """The installed catalogue, loaded and validated once per process."""
    return load_catalogue(catalogue_paths())
