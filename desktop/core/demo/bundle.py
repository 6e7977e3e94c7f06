"""Demo bundles: one TOML file with everything a demo needs (the policy, sample drafts, sandbox
accounts, optional posts already in the feed, optional ideas for the Ideas panel). The format is
documented in resources/demo/README.md; the built-in bundle (resources/demo/acme-demo.toml) is one
such file.

A trainer brings their own scenario with ``chorus --demo BUNDLE``. Whatever is wrong with a bundle is
reported as a :class:`BundleError` naming the file, the place in it (``drafts[2].text``, and the line
its ``[[drafts]]`` entry starts on) and what to write instead, before any window opens.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core import networks
from desktop.core.errors import UserFacingError
from desktop.core.networks import sandbox
from desktop.core.paths import resources_dir

FORMAT = 1  # the bundle format this version reads ([bundle] format = 1)
BUILTIN_BUNDLE = "acme-demo.toml"
MAX_BUNDLE_BYTES = 2_000_000  # a scenario is text: a bigger file is not a bundle
# what a sandbox account may look like: a real network whose colours and badge the feed borrows, or the sandbox
STYLES = (*networks.NETWORKS, sandbox.ID)
_ACCOUNT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_KNOWN = {
    "": {"bundle", "policy", "accounts", "drafts", "feed", "ideas"},
    "bundle": {"format", "name", "description"},
    "policy": {"builtin", "text", "extra_rules"},
    "accounts": {"id", "name", "handle", "looks_like"},
    "drafts": {"text", "shows", "accounts"},
    "feed": {"name", "handle", "looks_like", "text", "minutes_ago"},
    "ideas": {"title", "link", "date", "summary", "suggested_copy", "source"},
}
DEFAULT_IDEA_SOURCE = "Company news"  # an idea's source when the bundle names none
_LISTS = ("accounts", "drafts", "feed", "ideas")  # the [[tables]] whose entries errors give the line of


class BundleError(UserFacingError):
    """A demo bundle that cannot be used: which file, where in it, what is wrong and what to do."""

    def __init__(self, path: Path | str, where: str, problem: str, line: int | None = None) -> None:
        place = f" ({where}{f', in the entry starting on line {line}' if line else ''})" if where else ""
        super().__init__(f"The demo bundle {path} cannot be used{place}: {problem}",
                         "Correct the file (its format is described in resources/demo/README.md), or start the "
                         "built-in demo with `chorus --demo`.")
        self.path, self.where, self.problem, self.line = str(path), where, problem, line


@dataclass(frozen=True)
class DemoAccount:
    """A sandbox account, linked when the demo starts."""

    id: str  # short, unique in the bundle: drafts name their accounts by it
    name: str  # the display name
    handle: str
    looks_like: str = sandbox.ID  # which network's look the feed gives its posts (STYLES)


@dataclass(frozen=True)
class SampleDraft:
    text: str
    shows: str = ""  # the rule id it demonstrates ("" for the clean post), for the trainer's notes
    accounts: tuple[str, ...] = ()  # the accounts it is meant for (DemoAccount.id); empty: all


@dataclass(frozen=True)
class FeedItem:
    """A post by someone else already in the sandbox feed when the demo starts."""

    name: str
    handle: str
    text: str
    looks_like: str = sandbox.ID
    minutes_ago: int = 0


@dataclass(frozen=True)
class DemoIdea:
    """Something the company would like employees to write about, shown in the Ideas panel (as a feed
    item of its *source*; desktop.core.demo.ideas writes the feed files)."""

    title: str
    published: dt.datetime  # time-zone aware
    link: str = ""  # an http(s) address
    summary: str = ""
    suggested_copy: str = ""  # the company's wording: shown for reference beside the editor
    source: str = DEFAULT_IDEA_SOURCE  # the feed's name ("Acme Newsroom")


@dataclass(frozen=True)
class DemoBundle:
    path: Path
    name: str
    policy_text: str  # the policy file's text (a built-in policy's, or the bundle's own)
    policy_name: str  # how the policy is named in messages: the built-in's name or "the bundle's policy"
    accounts: tuple[DemoAccount, ...]
    drafts: tuple[SampleDraft, ...]
    feed: tuple[FeedItem, ...] = ()
    description: str = ""
    ideas: tuple[DemoIdea, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


def builtin_bundle_path() -> Path:
    return resources_dir() / "demo" / BUILTIN_BUNDLE


def load_bundle(path: Path | str | None = None) -> DemoBundle:
    """The bundle at *path* (None: the built-in one), checked; :class:`BundleError` when it cannot be used."""
    path = Path(path).expanduser() if path is not None else builtin_bundle_path()
    try:
        raw = path.read_bytes()[: MAX_BUNDLE_BYTES + 1]
    except FileNotFoundError:
        raise BundleError(path, "", "there is no such file. Check the path.") from None
    except IsADirectoryError:
        raise BundleError(path, "", "it is a folder; a bundle is one .toml file.") from None
    except OSError as exc:
        raise BundleError(path, "", f"it cannot be read ({exc.strerror or exc}).") from None
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleError(path, "", f"it is larger than {MAX_BUNDLE_BYTES // 1_000_000} MB; a bundle is a short "
                                    "text file.")
    if raw[:2] == b"PK":
        raise BundleError(path, "", "it is a zip archive; a bundle is one TOML text file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BundleError(path, "", f"it is not UTF-8 text (byte {exc.start}). Save it as UTF-8.") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BundleError(path, "", f"it is not valid TOML: {exc}.") from None
    return _parse(path, document, _entry_lines(text))


def _entry_lines(text: str) -> dict[str, list[int]]:
    """The line each ``[[accounts]]``, ``[[drafts]]``, ``[[feed]]`` and ``[[ideas]]`` entry starts on, in
    order, for the messages (tomllib gives no positions; an entry written inline gets no line)."""
    header = re.compile(r"^[ \t]*\[\[[ \t]*(" + "|".join(_LISTS) + r")[ \t]*\]\][ \t]*(?:#.*)?$")
    found: dict[str, list[int]] = {key: [] for key in _LISTS}
    opened: str | None = None  # the quotes of the multi-line string the line is in ("""…""" or '''…''')
    for number, line in enumerate(text.splitlines(), start=1):
        if opened is None:
            match = header.match(line)
            if match:
                found[match.group(1)].append(number)
        position = 0
        while True:  # a header-like line inside a multi-line string is text, not an entry
            if opened is None:
                starts = [(line.find(quote, position), quote) for quote in ('"""', "'''") if quote in line[position:]]
                if not starts:
                    break
                at, opened = min(starts)
            else:
                at = line.find(opened, position)
                if at < 0:
                    break
                opened = None
            position = at + 3
    return found


def _parse(path: Path, document: dict[str, Any], lines: dict[str, list[int]] | None = None) -> DemoBundle:
    """The bundle in *document*; an error about an entry (``ideas[2].date``) also gets the line its
    ``[[ideas]]`` starts on, from *lines* (:func:`_entry_lines`), when every entry was found there."""
    try:
        return _parse_document(path, document)
    except BundleError as exc:
        place = re.match(r"(\w+)\[(\d+)\]", exc.where)
        if place is None or not lines:
            raise
        key, number = place.group(1), int(place.group(2))
        starts, entries = lines.get(key, []), document.get(key)
        if not isinstance(entries, list) or len(starts) != len(entries) or not 0 < number <= len(starts):
            raise
        raise BundleError(path, exc.where, exc.problem, starts[number - 1]) from None


def _parse_document(path: Path, document: dict[str, Any]) -> DemoBundle:
    def fail(where: str, problem: str) -> BundleError:
        return BundleError(path, where, problem)

    _unknown_keys(path, "", document)
    info = _table(path, document, "bundle", required=True)
    _unknown_keys(path, "bundle", info)
    version = info.get("format")
    if version != FORMAT:
        if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT:
            raise fail("bundle.format", f"it is format {version}, made for a newer Chorus; this one reads format "
                                        f"{FORMAT}.")
        raise fail("bundle.format", f"must be {FORMAT}, not {version!r}.")
    name = _text(path, info, "bundle", "name", required=True)
    description = _text(path, info, "bundle", "description")

    policy = _table(path, document, "policy", required=True)
    _unknown_keys(path, "policy", policy)
    policy_text, policy_name, rule_ids = _policy(path, policy)

    raw_accounts = _list(path, document, "accounts", required=True)
    accounts: list[DemoAccount] = []
    for index, item in enumerate(raw_accounts):
        where = f"accounts[{index + 1}]"
        _unknown_keys(path, "accounts", item, where)
        account_id = _text(path, item, where, "id", required=True)
        if not _ACCOUNT_ID.match(account_id):
            raise fail(f"{where}.id", f"{account_id!r} must be a short name of lower-case letters, digits, - and _ "
                                      "(for example \"maya\").")
        if any(a.id == account_id for a in accounts):
            raise fail(f"{where}.id", f"{account_id!r} is used by another account; each account needs its own id.")
        accounts.append(DemoAccount(account_id, _text(path, item, where, "name", required=True),
                                    _text(path, item, where, "handle", required=True), _style(path, item, where)))

    ids = {a.id for a in accounts}
    raw_drafts = _list(path, document, "drafts", required=True)
    drafts: list[SampleDraft] = []
    for index, item in enumerate(raw_drafts):
        where = f"drafts[{index + 1}]"
        _unknown_keys(path, "drafts", item, where)
        text = _text(path, item, where, "text", required=True)
        targets = item.get("accounts", [])
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise fail(f"{where}.accounts", "must be a list of account ids, like [\"maya\"].")
        unknown = [t for t in targets if t not in ids]
        if unknown:
            raise fail(f"{where}.accounts", f"names {unknown[0]!r}, which is not an account of this bundle "
                                            f"(its accounts: {', '.join(sorted(ids))}).")
        shows = _text(path, item, where, "shows")
        if shows and shows not in rule_ids:
            raise fail(f"{where}.shows", f"{shows!r} is not a rule of the bundle's policy ({policy_name}); write "
                                         "the id of the rule the draft shows, or leave shows out.")
        drafts.append(SampleDraft(text, shows, tuple(targets)))

    feed: list[FeedItem] = []
    for index, item in enumerate(_list(path, document, "feed")):
        where = f"feed[{index + 1}]"
        _unknown_keys(path, "feed", item, where)
        minutes = item.get("minutes_ago", 0)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= 525_600:
            raise fail(f"{where}.minutes_ago", f"must be a whole number of minutes from 0 to 525600, not {minutes!r}.")
        feed.append(FeedItem(_text(path, item, where, "name", required=True),
                             _text(path, item, where, "handle", required=True),
                             _text(path, item, where, "text", required=True), _style(path, item, where), minutes))

    ideas = [_idea(path, item, f"ideas[{index + 1}]") for index, item in enumerate(_list(path, document, "ideas"))]
    return DemoBundle(path, name, policy_text, policy_name, tuple(accounts), tuple(drafts), tuple(feed), description,
                      tuple(ideas))


def _idea(path: Path, item: dict[str, Any], where: str) -> DemoIdea:
    """One ``[[ideas]]`` entry, checked: what the Ideas panel would otherwise silently drop (a link that
    is not a web address, a missing date) is refused here, with what to write instead."""
    _unknown_keys(path, "ideas", item, where)
    title = _text(path, item, where, "title", required=True)
    link = _text(path, item, where, "link").strip()
    if link and not re.match(r"https?://[^\s/]+", link, re.IGNORECASE):
        raise BundleError(path, f"{where}.link", f"{link!r} must be a web address starting with https:// (or "
                                                 "http://), like \"https://acme.example/news\".")
    source = _text(path, item, where, "source")
    if "source" in item and not source.strip():
        raise BundleError(path, f"{where}.source", "is empty; name the feed the idea comes from (\"Acme Newsroom\"), "
                                                   f"or leave source out for \"{DEFAULT_IDEA_SOURCE}\".")
    return DemoIdea(title, _idea_date(path, item.get("date"), f"{where}.date"), link,
                    _text(path, item, where, "summary").strip(), _text(path, item, where, "suggested_copy").strip(),
                    source.strip() or DEFAULT_IDEA_SOURCE)


def _idea_date(path: Path, value: object, where: str) -> dt.datetime:
    """A TOML date (``2026-11-24``: noon UTC, so it reads as that day everywhere) or date-time
    (``2026-11-24T09:30:00Z``; without an offset: the computer's local time)."""
    example = "a date without quotes, like 2026-11-24 (or a date and time, like 2026-11-24T09:30:00Z)"
    if value is None:
        raise BundleError(path, where, f"is missing: the Ideas panel lists ideas newest first. Write {example}.")
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.astimezone()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, 12, tzinfo=dt.UTC)
    if isinstance(value, str):  # "2026-11-24" in quotes: meant as a date all the same
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise BundleError(path, where, f"{value!r} is not a date; write {example}.") from None
        if len(value.strip()) == 10:
            return parsed.replace(hour=12, tzinfo=dt.UTC)
        return parsed if parsed.tzinfo is not None else parsed.astimezone()
    raise BundleError(path, where, f"must be {example}, not {value!r}.")


def _policy(path: Path, table: dict[str, Any]) -> tuple[str, str, set[str]]:
    """The policy's text and name: a built-in policy (``builtin = "acme-example"``, with the bundle's
    ``extra_rules`` appended if it has any) or the bundle's own (``text = '''...'''``), parsed here so
    that a broken policy is the bundle's error, with its lines."""
    from desktop.core.policy.fields import PolicyError
    from desktop.core.policy.loader import parse_policy_document

    builtin, text, extra = table.get("builtin"), table.get("text"), table.get("extra_rules")
    if (builtin is None) == (text is None):
        raise BundleError(path, "policy", "give either builtin = \"acme-example\" (a policy that comes with "
                                          "Chorus) or text = '''...''' (the policy file itself), not both or neither.")
    if extra is not None and builtin is None:
        raise BundleError(path, "policy.extra_rules", "adds rules to a built-in policy (builtin = ...); with "
                                                      "text = '''...''' write the rules in the policy itself.")
    if extra is not None and (not isinstance(extra, str) or "[[rules]]" not in extra):
        raise BundleError(path, "policy.extra_rules", "must be [[rules]] tables between ''' and ''', written as "
                                                      "in a policy file.")
    if builtin is not None:
        if not isinstance(builtin, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", builtin):
            raise BundleError(path, "policy.builtin", f"must be the name of a built-in policy, not {builtin!r}.")
        folder = resources_dir() / "policies"
        try:
            policy_text = (folder / f"{builtin}.toml").read_text(encoding="utf-8")
        except OSError:
            names = ", ".join(sorted(p.stem for p in folder.glob("*.toml")))
            raise BundleError(path, "policy.builtin", f"there is no built-in policy {builtin!r} (there are: "
                                                      f"{names}).") from None
        name = builtin
        if isinstance(extra, str):
            # appended to the built-in policy's text: the rules may use its [sets], and a clash with one of
            # its rule ids is reported by the policy loader like any duplicate
            policy_text = f"{policy_text.rstrip()}\n\n# -- added by the demo bundle ([policy] extra_rules) --\n{extra}\n"
    else:
        if not isinstance(text, str) or not text.strip():
            raise BundleError(path, "policy.text", "must be the text of a policy file (between ''' and ''').")
        policy_text, name = text, "the bundle's policy"
    try:
        parsed = parse_policy_document(policy_text, f"{path} [policy]")
    except PolicyError as exc:
        shown = "; ".join(str(problem) for problem in exc.problems[:3])
        more = f" (and {len(exc.problems) - 3} more)" if len(exc.problems) > 3 else ""
        raise BundleError(path, "policy", f"its policy cannot be used: {shown}{more}.") from None
    return policy_text, name, {rule.id for rule in parsed.rules}


def _unknown_keys(path: Path, kind: str, table: dict[str, Any], where: str = "") -> None:
    unknown = sorted(set(table) - _KNOWN[kind])
    if unknown:
        place = where or kind or "the top level"
        raise BundleError(path, place, f"{unknown[0]!r} is not a field of {place}; expected: "
                                       f"{', '.join(sorted(_KNOWN[kind]))}.")


def _table(path: Path, document: dict[str, Any], key: str, *, required: bool = False) -> dict[str, Any]:
    value = document.get(key)
    if value is None:
        if required:
            raise BundleError(path, key, f"the [{key}] table is missing.")
        return {}
    if not isinstance(value, dict):
        raise BundleError(path, key, f"must be a table ([{key}]), not a {type(value).__name__}.")
    return value


def _list(path: Path, document: dict[str, Any], key: str, *, required: bool = False) -> list[dict[str, Any]]:
    value = document.get(key)
    if value is None or value == []:
        if required:
            raise BundleError(path, key, f"the bundle needs at least one [[{key}]] entry.")
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BundleError(path, key, f"must be a list of tables: write each one under [[{key}]].")
    return value


def _text(path: Path, table: dict[str, Any], where: str, key: str, *, required: bool = False) -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise BundleError(path, f"{where}.{key}", "is missing.")
        return ""
    if not isinstance(value, str):
        raise BundleError(path, f"{where}.{key}", f"must be text in quotes, not {value!r}.")
    if required and not value.strip():
        raise BundleError(path, f"{where}.{key}", "is empty.")
    return value


def _style(path: Path, table: dict[str, Any], where: str) -> str:
    style = table.get("looks_like", sandbox.ID)
    if style not in STYLES:
        raise BundleError(path, f"{where}.looks_like", f"must be one of {', '.join(STYLES)}, not {style!r}.")
    return str(style)
