"""Text measures the networks count posts in: graphemes, UTF-8 bytes, UTF-16 units, twitter-text's
weighted length and links, and Mastodon's countable text. Each network's own module
(``desktop/core/networks/<id>.py``) says which measures and limits it uses; this module knows no
network by name.

Pure Python (stdlib, ``regex`` and ``twitter-text-parser``): no Qt, no HTTP, no keyring.
Importing it is cheap (~15 ms); twitter-text's tables are loaded and the URL and emoji patterns
built (~0.4 s, once) on the first measure that needs them, or by :func:`warm_up` from a worker
thread.

**Weighted length** (X) -- twitter-text v3: the text is NFC-normalised; a URL (bare domains
included) weighs 23; code points in U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and
U+2032-U+2037 weigh 1 and all others 2 (CJK, most emoji); an emoji sequence (ZWJ family, skin
tone, flag, keycap) weighs 2 as a whole. Weights, URL grammar and emoji table (Emoji 12.0) are
those of the PyPI library ``twitter-text-parser`` 3.0.0, whose answers are right but which is far
too slow for live counting: about 4-5 s per million characters of *any* text (its emoji regex,
one alternation of 3,800 sequences, is tried at every position), and its URL regex is quadratic on
dotted runs (measured: 1,000 characters of ``a.a.a.`` 1.5 s, 4,000 characters 25 s; a 1 MB paste
of them does not finish). So this module computes the library's result from the library's own
tables and regexes, but

* matches emoji and TLDs with prefix trees built from the library's lists, so ``re`` takes a few
  steps per position instead of one per word (and skips non-emoji characters behind a
  look-ahead), and
* tries the URL regex only where a URL can start: at most a protocol and one character before a
  run of domain characters that contains "." + a known TLD. Everywhere else the regex can only
  fail, so the matches, and the text each one consumes, are exactly the library's.

The test suite checks both against the library, on random texts as well. One deliberate
difference: line endings are not rewritten. The library turns ``\\r\\n`` into ``\\n`` first; the
official twitter-text code (JS, Java, Ruby) does not, and neither do we, so CRLF weighs 2. Not
modelled: emoji sequences newer than Emoji 12.0 (``❤️‍🔥``, ``🧑‍🧑‍🧒``) are weighed per code point,
which can only over-count; the characters twitter-text calls invalid (U+FFFE, U+FEFF, U+FFFF)
are weighed, not flagged; X Premium's longer posts.

**Mastodon's countable text** -- ``app/validators/status_length_validator.rb``: ``countable_text``

* returns ``""`` when the text is blank (only white space),
* replaces every URL the (Mastodon-patched) twitter-text extractor finds *with* a protocol by
  ``characters_reserved_per_url`` characters (default 23); a bare ``example.com`` counts in full,
  and so does a URL over twitter-text's 4,096 characters (Ruby's ``is_valid_domain``: the URL's
  length plus what IDNA adds to its domain; a domain IDNA refuses makes no link),
* turns every ``@user@domain`` mention into ``@user``, unless the domain is longer than a DNS name
  can be (``app/lib/extractor.rb``, over 253 characters): then the mention counts in full.

The URL grammar is twitter-text's with the overrides of Mastodon's
``config/initializers/twitter_regex.rb`` (wider path and query characters; the protocols http,
https, dat, dweb, ipfs, ipns, ssb, gopher and gemini); mentions follow ``Account::MENTION_RE`` and
twitter-text's ``end_mention_match`` as used by ``app/lib/extractor.rb``.

**Graphemes** are Unicode extended grapheme clusters (UAX #29) from the ``regex`` module's ``\\X``:
``regex`` 2026.11.15 implements Unicode 18.0.0 (Python 3.11's ``unicodedata``, used only for the
weighted length's NFC step, is Unicode 14.0.0). ``\\X`` is quadratic on a long run of regional
indicators (flags), so :func:`grapheme_count` first collapses each pair of them into one letter,
which leaves the number of clusters unchanged.
"""

from __future__ import annotations

import bisect
import contextlib
import importlib.resources
import re
import sys
import threading
import types
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import regex

__all__ = [
    "Count",
    "find_urls",
    "grapheme_count",
    "is_warm",
    "MastodonEntity",
    "mastodon_countable_text",
    "mastodon_entities",
    "utf8_length",
    "utf16_length",
    "warm_up",
    "x_weighted_length",
]

# twitter-text v3 config "max_weighted_tweet_length": the limit its weights were made for (X's)
WEIGHTED_LENGTH_LIMIT: Final = 280


@dataclass(frozen=True)
class Count:
    """How long a text is for one network, in that network's unit."""

    network: str
    used: int
    limit: int
    unit: str  # "graphemes", "weighted characters", "UTF-16 code units"
    bytes_used: int | None = None  # Bluesky only: UTF-8 bytes
    bytes_limit: int | None = None

    @property
    def remaining(self) -> int:
        """``limit - used`` in :attr:`unit`; negative when over (bytes are separate)."""
        return self.limit - self.used

    @property
    def over(self) -> bool:
        """True if any limit is exceeded, the byte limit included."""
        if self.used > self.limit:
            return True
        if self.bytes_limit is None or self.bytes_used is None:
            return False
        return self.bytes_used > self.bytes_limit


def find_urls(text: str, *, require_scheme: bool) -> list[tuple[int, int]]:
    """``(start, end)`` code-point offsets of the links in *text*, in order.

    With *require_scheme* false this is X's rule (twitter-text: bare domains such as
    ``example.com`` are links); with it true, Mastodon's (only ``https://``-style links, with
    Mastodon's wider path characters).
    """
    return [(link.start, link.end) for link in _links(text, bare_domains=not require_scheme)]


def warm_up() -> None:
    """Load twitter-text's tables and build the URL and emoji patterns now.

    That takes about 0.4 s and happens on the first X count (or Mastodon count of a text with
    ``:``) otherwise. Importing this module stays cheap so that it does not slow start-up; call
    this from a worker thread. Safe to call from several threads and more than once.
    """
    _rules()


def is_warm() -> bool:
    """Whether :func:`warm_up` has been done, so that counting never stops to build patterns."""
    return _loaded_rules is not None


# -- graphemes --------------------------------------------------------------------------------

_GRAPHEME: Final = regex.compile(r"\X")
_REGIONAL_INDICATOR: Final = re.compile("[\U0001F1E6-\U0001F1FF]")
# Flags pair up from the start of a run of regional indicators, and a pair (or a lone trailing
# indicator) behaves towards its neighbours like any other base character.
_REGIONAL_INDICATOR_PAIR: Final = re.compile("[\U0001F1E6-\U0001F1FF]{1,2}")


def grapheme_count(text: str) -> int:
    """Number of extended grapheme clusters (user-perceived characters) in *text*."""
    if not text:
        return 0
    if _REGIONAL_INDICATOR.search(text):
        text = _REGIONAL_INDICATOR_PAIR.sub("x", text)
    return _GRAPHEME.subn("", text)[1]


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# -- X ----------------------------------------------------------------------------------------


def x_weighted_length(text: str) -> int:
    """twitter-text v3 ``weightedLength`` of *text* (what X compares with 280)."""
    if text.isascii() and "." not in text:
        return len(text)  # no link without a dot, no emoji in ASCII, every character weighs 1
    rules = _rules()
    normalized = unicodedata.normalize("NFC", text)
    links = _links(normalized, bare_domains=True)
    # every emoji sequence holds a character outside ASCII (a keycap's U+20E3 or U+FE0F at least): an
    # ASCII text has none, and is not searched for them (the search tries every dot and digit)
    ascii_only = normalized.isascii()
    if not links:
        without_emoji, emoji_count = (normalized, 0) if ascii_only else rules.emoji.subn("", normalized)
        return (_x_plain_weight(rules, without_emoji) + rules.emoji_weight * emoji_count) // rules.scale
    # twitter-text walks the text: a URL starting here wins over an emoji starting here, the walk
    # then skips the entity's length, and an entity starting inside a skipped part is never seen.
    url_entities = [(link.start, 0, link.length, rules.url_weight) for link in links]
    emoji_entities = [] if ascii_only else [
        (found.start(), 1, len(found.group()), rules.emoji_weight) for found in rules.emoji.finditer(normalized)
    ]
    entities = sorted(url_entities + emoji_entities)
    total = 0
    position = 0
    for start, _, length, weight in entities:
        if start < position:
            continue
        total += _x_plain_weight(rules, normalized[position:start]) + weight
        position = start + length
    total += _x_plain_weight(rules, normalized[position:])
    return total // rules.scale


def _x_plain_weight(rules: _Rules, text: str) -> int:
    """Scaled weight of *text* taken character by character (no URLs, no emoji sequences)."""
    total = rules.default_weight * len(text)
    for weight, run in rules.weight_classes:
        in_range = len(text) - len(run.sub("", text))
        total += (weight - rules.default_weight) * in_range
    return total


# -- Mastodon ---------------------------------------------------------------------------------

_RUBY_WORD: Final = r"[\p{L}\p{M}\p{Nd}\p{Pc}]"  # Onigmo's [[:word:]]
# Account::MENTION_RE: USERNAME_RE is case-insensitive ASCII, the domain part is Unicode words.
_MASTODON_MENTION: Final = regex.compile(
    rf"(?<![=/]|{_RUBY_WORD})@((?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@{_RUBY_WORD}+(?:[.-]+{_RUBY_WORD}+)*)?)"
)
# twitter-text's LATIN_ACCENTS (the same ranges as twitter-text-parser's latin_accent_chars).
_LATIN_ACCENTS: Final = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263"
    "\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
# twitter-text's end_mention_match: a mention followed by one of these is not a mention.
_MASTODON_MENTION_END: Final = re.compile(f"[@＠]|[{_LATIN_ACCENTS}]|://")
_RUBY_BLANK: Final = regex.compile(r"[\p{White_Space}]*")  # ActiveSupport's String#blank?
# app/lib/extractor.rb MAX_DOMAIN_LENGTH: a mention whose domain is longer (in characters) is no mention.
_MASTODON_MAX_MENTION_DOMAIN: Final = 253


class MastodonEntity(NamedTuple):
    """A link or a mention as Mastodon's extractor finds it (code-point offsets of the text)."""

    start: int
    end: int
    kind: str  # "link" | "mention"
    value: str  # the URL, or the mention without "@" (user or user@domain)


def mastodon_entities(text: str) -> list[MastodonEntity]:
    """The links (with a protocol) and ``@user@domain`` mentions Mastodon finds in *text*, in order,
    never overlapping (``Extractor.remove_overlapping_entities``): what :func:`mastodon_countable_text`
    counts specially, and what the server turns into links when it formats the post."""
    entities = [MastodonEntity(link.start, link.end, "link", text[link.start:link.end])
                for link in _links(text, bare_domains=False)]
    if "@" in text or "＠" in text:
        for found in _MASTODON_MENTION.finditer(text):
            if _MASTODON_MENTION_END.match(text, found.end()):
                continue
            user, _, domain = found.group(1).partition("@")
            if len(domain) > _MASTODON_MAX_MENTION_DOMAIN:
                continue  # longer than a DNS name can be: Mastodon's extractor counts it as text
            entities.append(MastodonEntity(found.start(), found.end(), "mention", found.group(1)))
    entities.sort()
    kept: list[MastodonEntity] = []
    for entity in entities:
        if kept and entity.start < kept[-1].end:
            continue
        kept.append(entity)
    return kept


def mastodon_countable_text(text: str, url_length: int) -> str:
    """``StatusLengthValidator#countable_text``: links become *url_length* characters and
    mentions lose their domain (one of at most 253 characters)."""
    if _RUBY_BLANK.fullmatch(text):
        return ""
    entities = mastodon_entities(text)
    if not entities:
        return text
    pieces: list[str] = []
    position = 0
    for entity in entities:
        replacement = "x" * url_length if entity.kind == "link" else "@" + entity.value.partition("@")[0]
        pieces += (text[position:entity.start], replacement)
        position = entity.end
    pieces.append(text[position:])
    return "".join(pieces)


# -- links (twitter-text's URL grammar, X and Mastodon flavours) ----------------------------------


class _Link(NamedTuple):
    """One entry of twitter-text's ``extract_urls_with_indices``."""

    start: int
    end: int
    # len() of the reported URL string. Shorter than end - start when a bare domain with a path
    # had non-ASCII labels cut off; twitter-text's length walk then skips only this many.
    length: int


@dataclass(frozen=True)
class _UrlGrammar:
    # twitter-text's valid_url shape, groups: all, before, url, protocol, domain, port, path, query
    pattern: re.Pattern[str]
    longest_protocol: int
    bare_domains: bool  # whether URLs without a protocol are links (X) or not (Mastodon)


def _links(text: str, *, bare_domains: bool) -> list[_Link]:
    """The links twitter-text's ``extract_urls_with_indices`` would return for *text*.

    ``re.finditer`` with the grammar's pattern tries every position; we try only the positions
    from which a match is possible (a domain needs "." + TLD inside one run of domain characters,
    at most a protocol and one preceding character before the run) and otherwise advance exactly
    as finditer does, so the result is identical and the time linear for ordinary text.
    """
    if not text or ("." not in text if bare_domains else ":" not in text):
        return []  # twitter-text's own shortcut
    rules = _rules()
    grammar = rules.x_urls if bare_domains else rules.mastodon_urls
    tld_dots = [found.start() for found in rules.tld_after_dot.finditer(text)]
    if not tld_dots:
        return []
    links: list[_Link] = []
    next_position = 0
    for run in rules.dotted_domain_run.finditer(text):
        run_start, run_end = run.span()
        index = bisect.bisect_left(tld_dots, run_end) - 1
        if index < 0 or tld_dots[index] < run_start:
            continue  # no TLD in this run: no domain can end inside it
        last_tld_dot = tld_dots[index]
        position = max(next_position, run_start - 1 - grammar.longest_protocol)
        while position < last_tld_dot:  # a domain starts before the dot of its TLD
            match = grammar.pattern.match(text, position)
            if match is None:
                position += 1
                continue
            links.extend(_accepted_links(rules, grammar, match))
            position = match.end()
        next_position = max(next_position, position)
    return links


def _accepted_links(rules: _Rules, grammar: _UrlGrammar, match: re.Match[str]) -> Iterator[_Link]:
    """The links twitter-text keeps from one regex match (none, one, or several bare domains)."""
    _, before, url, protocol, domain, _, path, _ = match.groups()
    end = match.end()
    start = end - len(url)
    # twitter-text-parser's check for X; Mastodon's (the Ruby gem's) comes after the t.co cut below
    if grammar.bare_domains and not rules.is_valid_url(url, protocol or rules.default_protocol, domain):
        return
    if protocol is None:
        if not grammar.bare_domains or rules.invalid_bare_url_preceding.match(before):
            return
        # Without a protocol only ASCII domains are links; a path belongs to the last of them,
        # whose reported URL is the match with the domain replaced by that ASCII part.
        domains = list(rules.valid_ascii_domain.finditer(domain))
        for found in domains[:-1]:
            yield _Link(start + found.start(), start + found.end(), len(found.group()))
        if domains:
            last = domains[-1]
            if path:
                yield _Link(start + last.start(), end, len(url.replace(domain, last.group())))
            else:
                yield _Link(start + last.start(), start + last.end(), len(last.group()))
        return
    tco = rules.valid_tco_url.search(url)
    if tco is not None:
        slug = tco.group(1)
        if slug and len(slug) > rules.max_tco_slug_length:
            return
        end = start + len(tco.group(0))  # a t.co link takes no extra path characters
    if not grammar.bare_domains and not _within_ruby_url_limit(end - start, domain):
        return
    yield _Link(start, end, end - start)


def _within_ruby_url_limit(url_length: int, domain: str) -> bool:
    """twitter-text Ruby's ``is_valid_domain`` (a URL with a protocol), which Mastodon runs: its length
    plus what IDNA ToASCII adds to the domain is at most MAX_URL_LENGTH, 4,096 (the Python port also
    adds the protocol again); a domain ToASCII refuses (a label over 63 characters) makes no link."""
    try:
        ascii_length = len(domain.encode("idna"))
    except UnicodeError:
        return False
    return url_length + max(0, ascii_length - len(domain)) <= 4096


# -- twitter-text's tables, loaded on first use ---------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    x_urls: _UrlGrammar
    mastodon_urls: _UrlGrammar
    tld_after_dot: re.Pattern[str]
    dotted_domain_run: re.Pattern[str]
    valid_ascii_domain: re.Pattern[str]
    valid_tco_url: re.Pattern[str]
    invalid_bare_url_preceding: re.Pattern[str]
    is_valid_url: Callable[[str, str, str], bool]
    default_protocol: str
    max_tco_slug_length: int
    emoji: re.Pattern[str]
    weight_classes: tuple[tuple[int, re.Pattern[str]], ...]  # (weight, run of such characters)
    default_weight: int
    emoji_weight: int
    url_weight: int
    scale: int


_rules_lock = threading.Lock()
_loaded_rules: _Rules | None = None


def _rules() -> _Rules:
    global _loaded_rules
    if _loaded_rules is None:
        with _rules_lock:
            if _loaded_rules is None:
                _loaded_rules = _build_rules()
    return _loaded_rules


class _EmojiTableReader(types.ModuleType):
    """The one call twitter-text-parser 3.0.0 makes to ``pkg_resources`` (reading its emoji table,
    once, when its ``regexp.emoji`` module is imported), answered with importlib.resources.

    ``pkg_resources`` belongs to setuptools, which is not a dependency of an installed app: a
    virtualenv of Python 3.12 or later has none, and setuptools 81 and later no longer ship
    ``pkg_resources`` at all (a wheel installed next to them failed with "No module named
    'pkg_resources'"). Importing the real one would also cost a scan of every installed package.
    Lent to the import only (:func:`_twitter_text_imported`), never left in ``sys.modules``."""

    def __init__(self) -> None:
        super().__init__("pkg_resources")

    @staticmethod
    def resource_string(module_name: str, name: str) -> bytes:
        """*name* beside the module or in the package *module_name* (pkg_resources takes either)."""
        module = sys.modules.get(module_name)
        package = module_name if hasattr(module, "__path__") else module_name.rpartition(".")[0]
        return importlib.resources.files(package).joinpath(name).read_bytes()


@contextlib.contextmanager
def _twitter_text_imported() -> Iterator[None]:
    lent = "pkg_resources" not in sys.modules
    if lent:
        sys.modules["pkg_resources"] = _EmojiTableReader()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # a real pkg_resources warns on import
            yield
    finally:
        if lent:
            sys.modules.pop("pkg_resources", None)


def _build_rules() -> _Rules:
    with _twitter_text_imported():
        from twitter_text.config import config
        from twitter_text.extract_urls import default_protocol, is_valid_url, max_tco_slug_length
        from twitter_text.regexp import (
            emoji,
            extract_url,
            invalid_domain_chars,
            invalid_url_without_protocol_preceding_chars,
            valid_ascii_domain,
            valid_cctld,
            valid_domain,
            valid_gtld,
            valid_port_number,
            valid_punycode,
            valid_tco_url,
            valid_url_balanced_parens,
            valid_url_preceding_chars,
        )

    weights = config["defaults"]
    if weights["max_weighted_tweet_length"] != WEIGHTED_LENGTH_LIMIT:  # pragma: no cover
        raise RuntimeError("twitter-text-parser's X limit is not the one this module was written for")
    tld_trees = {
        "|".join(words): _prefix_tree_pattern(words)
        for words in (_top_level_domains(valid_gtld.valid_gtld), _top_level_domains(valid_cctld.valid_cctld))
    }

    def with_fast_tlds(source: str) -> str:
        # twitter-text's TLD alternations (~1,600 words) as prefix trees: the same language and
        # preference order (each list puts every word before its own prefixes, and a tree also
        # tries the longer word first), but a few steps per attempt instead of one per word.
        for alternation, tree in tld_trees.items():
            source = source.replace(alternation, tree)
        return source

    domain_chars = f"(?:[^{invalid_domain_chars.invalid_domain_chars.pattern}]|[-_.])"
    domain_chars_but_dot = f"(?:[^{invalid_domain_chars.invalid_domain_chars.pattern}]|[-_])"
    twitter_url = extract_url.extract_url
    return _Rules(
        x_urls=_UrlGrammar(
            re.compile(with_fast_tlds(twitter_url.pattern), twitter_url.flags),
            longest_protocol=len("https://"),
            bare_domains=True,
        ),
        mastodon_urls=_UrlGrammar(
            _mastodon_url_pattern(
                preceding=valid_url_preceding_chars.valid_url_preceding_chars.pattern,
                domain=with_fast_tlds(valid_domain.valid_domain.pattern),
                port=valid_port_number.valid_port_number.pattern,
                twitter_balanced_parens=valid_url_balanced_parens.valid_url_balanced_parens.pattern,
            ),
            longest_protocol=max(len(protocol) for protocol in _MASTODON_PROTOCOLS) + len("://"),
            bare_domains=False,
        ),
        # Every domain twitter-text accepts ends in "." + a TLD from its lists, or "." + punycode.
        tld_after_dot=re.compile(
            "\\.(?:"
            + "|".join(
                with_fast_tlds(tlds.pattern)
                for tlds in (valid_gtld.valid_gtld, valid_cctld.valid_cctld, valid_punycode.valid_punycode)
            )
            + ")",
            re.IGNORECASE,
        ),
        # A maximal run of characters a domain can contain, holding at least one dot.
        dotted_domain_run=re.compile(
            f"(?<!{domain_chars}){domain_chars_but_dot}*+\\.{domain_chars}*+", re.IGNORECASE
        ),
        valid_ascii_domain=re.compile(
            with_fast_tlds(valid_ascii_domain.valid_ascii_domain.pattern),
            valid_ascii_domain.valid_ascii_domain.flags,
        ),
        valid_tco_url=valid_tco_url.valid_tco_url,
        invalid_bare_url_preceding=(
            invalid_url_without_protocol_preceding_chars.invalid_url_without_protocol_preceding_chars
        ),
        is_valid_url=is_valid_url,
        default_protocol=default_protocol,
        max_tco_slug_length=max_tco_slug_length,
        # Every entry of the library's emoji table (Emoji 12.0).
        emoji=_emoji_pattern([entry.emoji for entry in emoji.emoji_list]),
        weight_classes=_weight_classes(weights["ranges"]),
        default_weight=weights["default_weight"],
        emoji_weight=weights["default_weight"],  # twitter-text v3: an emoji sequence weighs the default
        url_weight=weights["transformed_url_length"] * weights["scale"],
        scale=weights["scale"],
    )


# Unicode White_Space, for Ruby's \p{White_Space} (Python's \s would also match U+001C-U+001F).
_WHITE_SPACE: Final = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_MASTODON_PROTOCOLS: Final = ("https", "http", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini")


def _mastodon_url_pattern(
    *, preceding: str, domain: str, port: str, twitter_balanced_parens: str
) -> re.Pattern[str]:
    """twitter-text's ``valid_url`` with the overrides of Mastodon's ``twitter_regex.rb``."""
    ucs = (
        r"\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
        r"\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
        r"\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd"
        r"\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
        r"\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
    )
    path_char = f"[^{_WHITE_SPACE}<>()?]"
    # Ruby interpolates when the constant is defined: the ending characters still embed
    # twitter-text's original balanced parentheses, the path itself uses the new ones.
    path_end = f"(?:[^{_WHITE_SPACE}()?!*\"'「」<>;:=,.$%\\[\\]~&|@]|(?:{twitter_balanced_parens}))"
    balanced_parens = f"\\((?:{path_char}+|(?:{path_char}*\\({path_char}+\\){path_char}*))\\)"
    path = f"(?:(?:{path_char}*(?:{balanced_parens}{path_char}*)*{path_end})|(?:{path_char}+/))"
    query_char = f"[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@\\^{ucs}]"
    query_end = f"[a-z0-9_&=#/\\-{ucs}]"
    protocol = "|".join(_MASTODON_PROTOCOLS)
    query = f"\\?{query_char}*{query_end}"
    return re.compile(
        f"(({preceding})(((?:{protocol})://)?({domain})(?::({port}))?(/{path}*)?({query})?))", re.IGNORECASE
    )


def _weight_classes(ranges: list[dict[str, int]]) -> tuple[tuple[int, re.Pattern[str]], ...]:
    """(weight, run-of-characters pattern) for each weight twitter-text gives to code-point ranges."""
    ranges_by_weight: dict[int, list[tuple[int, int]]] = {}
    for entry in ranges:
        ranges_by_weight.setdefault(entry["weight"], []).append((entry["start"], entry["end"]))
    return tuple(
        (weight, re.compile(_character_class(code_points) + "+"))
        for weight, code_points in ranges_by_weight.items()
    )


def _top_level_domains(pattern: re.Pattern[str]) -> list[str]:
    """The words of one of twitter-text's ``(?:(?:a|b|...)(?=...))`` TLD patterns."""
    words = re.fullmatch(r"\(\?:\(\?:(.*)\)\(\?=.*\)\)", pattern.pattern, re.DOTALL)
    if words is None:  # pragma: no cover - only if twitter-text-parser changes its tables
        raise RuntimeError("unexpected TLD pattern in twitter-text-parser")
    return words.group(1).split("|")


def _emoji_pattern(sequences: list[str]) -> re.Pattern[str]:
    """Matches any of *sequences*, longest first (like the library's emoji regex), quickly.

    One prefix tree over 3,800 sequences would make ``re`` test a long list of first characters at
    every position. Instead a coarse look-ahead rejects most characters at once, and the tree is
    split into groups of nearby first characters, each behind its own cheap range test. Sequences
    that start with an ASCII character (keycaps) also need their second character to be there.
    """
    first_characters = [ord(sequence[0]) for sequence in sequences]
    groups: list[tuple[int, str]] = []
    for first, last in _code_point_ranges(first_characters, gap=15, span=128):
        group = [sequence for sequence in sequences if first <= ord(sequence[0]) <= last]
        guard = _character_class([(first, last)])
        if last < 0x80 and all(len(sequence) > 1 for sequence in group):
            guard += _character_class(_code_point_ranges(ord(sequence[1]) for sequence in group))
        groups.append((first, f"(?={guard}){_prefix_tree_pattern(group)}"))
    # The groups start with different characters, so their order is free: keycaps first (their
    # guard fails fast on ordinary digits), then from the top down, as most emoji are astral.
    groups.sort(key=lambda group: (group[0] >= 0x80, -group[0]))
    coarse = _character_class(_code_point_ranges(first_characters, gap=63))
    return re.compile(f"(?={coarse})(?:{'|'.join(source for _, source in groups)})")


# -- regex building blocks ------------------------------------------------------------------------


def _prefix_tree_pattern(words: Iterable[str]) -> str:
    """Regex source matching any of *words*, preferring the longer of two that both match.

    Equivalent to an alternation of the words sorted longest first, but factored by common
    prefix, so ``re`` follows one branch per character instead of trying every word.
    """
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def source(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + source(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return source(tree)


def _code_point_ranges(
    code_points: Iterable[int], *, gap: int = 0, span: int | None = None
) -> list[tuple[int, int]]:
    """Sorted *code_points* as ``(first, last)`` ranges, bridging holes of up to *gap* code points
    and, if *span* is given, keeping each range under *span* code points wide."""
    ranges: list[list[int]] = []
    for code_point in sorted(set(code_points)):
        extends_last = bool(ranges) and code_point - ranges[-1][1] <= gap + 1
        if extends_last and (span is None or code_point - ranges[-1][0] < span):
            ranges[-1][1] = code_point
        else:
            ranges.append([code_point, code_point])
    return [(first, last) for first, last in ranges]


def _character_class(ranges: Iterable[tuple[int, int]]) -> str:
    parts = (
        re.escape(chr(first)) if first == last else f"{re.escape(chr(first))}-{re.escape(chr(last))}"
        for first, last in ranges
    )
    return "[" + "".join(parts) + "]"
