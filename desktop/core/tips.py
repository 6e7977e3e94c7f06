"""Writing tips: short lessons shown beside the policy's findings, and one tip of the day.

A tip is a Markdown file with a small header (format: ``resources/tips/README.md``)::

    ---
    title: Say that you work here
    topics: disclosure, honesty
    categories: missing_disclosure, disclosure_placement
    rules: R9-missing-disclosure, employee-endorsement
    networks: linkedin
    link: https://www.ftc.gov/...
    ---
    When you praise something your employer makes, say that you work there...

Tips come from three places, later ones adding or replacing earlier ones by id (the file's name
without ``.md``, or the header's ``id``): the tips built into Chorus (``resources/tips/``), the
organisation's tips folder (setting ``tips.folder``, which IT may lock) and the ``[[tips]]`` tables of
the policy in force. A broken tip never stops the others: it is reported as a :class:`TipProblem`
naming the file (or policy) and line, and left out.

The order of the Tips panel (:func:`rank`): tips for the findings in the draft now (most severe
finding first; a tip naming the rule before one naming only its category), then tips for the
networks the post is for, then the rest by title. :func:`tip_of_the_day` picks one tip per date,
the same all day, avoiding the tips shown on the last days (:class:`TipHistory` remembers them).

Plain Python: no Qt. Reading files is blocking: the UI calls :func:`load_tips` on a worker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.atomic import write_atomic
from desktop.core.networks import NETWORKS
from desktop.core.paths import resources_dir
from desktop.core.policy.fields import did_you_mean
from desktop.core.policy.loader import KINDS

log = logging.getLogger(__name__)

HEADER_FIELDS = ("id", "title", "topics", "categories", "rules", "kinds", "networks", "audience", "link")
LIST_FIELDS = frozenset({"topics", "categories", "rules", "kinds", "networks", "audience"})
RULE_KINDS = KINDS  # the policy format's rule kinds: one list, in the loader
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_TIP_BYTES = 64 * 1024  # a tip is a few paragraphs; a bigger file is a mistake (or not a tip)
MAX_FOLDER_TIPS = 1000  # a folder pointed at the wrong place (a home folder) must not read forever
SEVERITY_ORDER = {"block": 0, "warn": 1, "info": 2}
RECENT_DAYS = 14  # a tip of the day is not shown again within this many days (when there are enough tips)


@dataclass(frozen=True)
class Tip:
    id: str
    title: str
    body: str  # Markdown
    topics: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # policy rule categories it explains (Finding.category)
    rules: tuple[str, ...] = ()  # rule ids it explains (Finding.rule_id)
    kinds: tuple[str, ...] = ()  # rule kinds it explains (metric, detector, ...)
    networks: tuple[str, ...] = ()  # networks it is about
    audience: tuple[str, ...] = ()  # engineers, product managers, support ... (free words)
    link: str = ""
    source: str = ""  # the file (or "policy <id>") it came from

    def markdown(self) -> str:
        """The whole tip as Markdown: its title as a heading, the body, and the link if any."""
        text = f"## {self.title}\n\n{self.body.strip()}\n"
        if self.link:
            text += f"\n[Read more]({self.link})\n"
        return text

    def summary(self) -> str:
        """The first paragraph of the body, as plain text without Markdown marks (for a short notice)."""
        first = self.body.strip().split("\n\n", 1)[0]
        plain = re.sub(r"[*_`#>]+", "", first)
        plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", plain)
        return " ".join(plain.split())


@dataclass(frozen=True)
class TipProblem:
    """A tip left out, and why: *source* (a file or "policy …"), *line* (1-based, None: the whole file)."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}, line {self.line}" if self.line else self.source
        return f"{where}: {self.message}"


class TipError(ValueError):
    def __init__(self, problem: TipProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class FindingKey:
    """What ranking needs of a finding: its rule, category, rule kind (if known) and severity."""

    rule_id: str
    category: str
    kind: str = ""
    severity: str = "info"


@dataclass
class TipLibrary:
    """The tips in force (by id, in the order they were read) and the problems of those left out."""

    tips: dict[str, Tip] = field(default_factory=dict)
    problems: list[TipProblem] = field(default_factory=list)

    def add(self, tips: Iterable[Tip]) -> None:
        for tip in tips:
            self.tips[tip.id] = tip  # a later source replaces a tip of the same id

    def merged(self, tips: Iterable[Tip], problems: Iterable[TipProblem] = ()) -> TipLibrary:
        """A copy with *tips* added or replacing by id (the policy's tips over the files')."""
        library = TipLibrary(dict(self.tips), list(self.problems))
        library.add(tips)
        library.problems.extend(problems)
        return library

    def get(self, tip_id: str) -> Tip | None:
        return self.tips.get(tip_id)

    def __len__(self) -> int:
        return len(self.tips)


# -- parsing ---------------------------------------------------------------------------------------
def parse_tip(text: str, source: str, default_id: str) -> Tip:
    """One tip file's text. Raises :class:`TipError` naming *source* and the line of the first problem."""
    lines = text.removeprefix("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise TipError(TipProblem(source, 1, "a tip starts with a header between two '---' lines "
                                  "(title: ..., categories: ...); see resources/tips/README.md"))
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise TipError(TipProblem(source, 1, "the header's closing '---' line is missing")) from None
    values: dict[str, Any] = {}
    for number in range(1, end):
        line = lines[number].strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        if not sep or not key:
            raise TipError(TipProblem(source, number + 1, f"expected 'field: value', not {line!r}"))
        if key not in HEADER_FIELDS:
            raise TipError(TipProblem(source, number + 1, f"unknown header field {key!r}{did_you_mean(key, HEADER_FIELDS)}; "
                                      f"known fields: {', '.join(HEADER_FIELDS)}"))
        if key in values:
            raise TipError(TipProblem(source, number + 1, f"{key!r} is given twice"))
        values[key] = value
        problem = _field_problem(key, _listed(value) if key in LIST_FIELDS else value)
        if problem:
            raise TipError(TipProblem(source, number + 1, problem))
    body = "\n".join(lines[end + 1:]).strip()
    return _tip(values, body, source, default_id, end + 2)  # the line after the closing ---


def _listed(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(str(item).strip() for item in value if str(item).strip())


def _field_problem(key: str, value: Any) -> str:
    """What is wrong with one header value (empty: nothing)."""
    if key == "id" and not ID_PATTERN.match(str(value)):
        return f"id {value!r} must be lower-case letters, digits and dashes (at most 80)"
    if key == "networks":
        bad = [n for n in value if n not in NETWORKS]
        if bad:
            return f"unknown network {bad[0]!r}{did_you_mean(bad[0], NETWORKS)}; known: {', '.join(NETWORKS)}"
    if key == "kinds":
        bad = [k for k in value if k not in RULE_KINDS]
        if bad:
            return f"unknown rule kind {bad[0]!r}{did_you_mean(bad[0], RULE_KINDS)}; known: {', '.join(RULE_KINDS)}"
    if key == "link" and value and not str(value).startswith(("https://", "mailto:")):
        return f"link {value!r} must start with https:// or mailto:"
    return ""


def _tip(values: Mapping[str, Any], body: str, source: str, default_id: str, body_line: int) -> Tip:
    title = str(values.get("title", "")).strip()
    if not title:
        raise TipError(TipProblem(source, None, "the header has no 'title'"))
    if not body:
        raise TipError(TipProblem(source, body_line, "the tip has no text after its header"))
    tip_id = str(values.get("id") or default_id).strip()
    if not ID_PATTERN.match(tip_id):
        raise TipError(TipProblem(source, None, f"the tip's id {tip_id!r} (from the file name) must be lower-case "
                                  "letters, digits and dashes: rename the file or add an 'id:' line"))
    return Tip(
        id=tip_id, title=title, body=body,
        **{key: _listed(values.get(key, ())) for key in LIST_FIELDS},
        link=str(values.get("link", "")).strip(), source=source,
    )


def read_folder(folder: Path) -> tuple[list[Tip], list[TipProblem]]:
    """Every ``*.md`` tip in *folder* (not its README), sorted by file name; problems for the broken ones."""
    tips: list[Tip] = []
    problems: list[TipProblem] = []
    try:
        files = sorted(p for p in folder.glob("*.md") if p.name.lower() != "readme.md")
    except OSError as exc:
        return [], [TipProblem(str(folder), None, f"cannot be read ({exc.strerror or exc})")]
    if len(files) > MAX_FOLDER_TIPS:
        problems.append(TipProblem(str(folder), None, f"holds {len(files):,} .md files; only the first "
                                   f"{MAX_FOLDER_TIPS:,} are read. Is the tips folder setting pointing at the right place?"))
        files = files[:MAX_FOLDER_TIPS]
    for path in files:
        try:
            if path.stat().st_size > MAX_TIP_BYTES:
                problems.append(TipProblem(str(path), None, f"is larger than {MAX_TIP_BYTES // 1024} KB; a tip "
                                           "is a few paragraphs. Left out."))
                continue
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(TipProblem(str(path), None, f"is not UTF-8 text ({exc.reason}); save it as UTF-8"))
            continue
        except OSError as exc:
            problems.append(TipProblem(str(path), None, f"cannot be read ({exc.strerror or exc})"))
            continue
        try:
            tips.append(parse_tip(text, str(path), path.stem.lower()))
        except TipError as exc:
            problems.append(exc.problem)
    return tips, problems


def builtin_folder() -> Path:
    return resources_dir() / "tips"


def load_tips(folder: str | Path | None = None, *, builtin: Path | None = None) -> TipLibrary:
    """The built-in tips, then the tips in *folder* (the ``tips.folder`` setting) adding or replacing by id.

    Blocking (reads files): call it on a worker. A missing or unreadable folder is a problem, not an error.
    """
    library = TipLibrary()
    tips, problems = read_folder(builtin or builtin_folder())
    library.add(tips)
    library.problems.extend(problems)
    if folder:
        path = Path(folder).expanduser()
        if not path.is_dir():
            library.problems.append(TipProblem(str(path), None, "the tips folder (setting tips.folder) does not exist "
                                               "or is not a folder; only the built-in tips are shown"))
        else:
            tips, problems = read_folder(path)
            library.add(tips)
            library.problems.extend(problems)
    for problem in library.problems:
        log.warning("tip left out: %s", problem)
    return library


def policy_tips(tables: Sequence[Any], policy_id: str) -> tuple[list[Tip], list[TipProblem]]:
    """The tips of a policy's ``[[tips]]`` tables: ``id``, ``title`` and ``text`` (Markdown) required,
    the header's other fields as lists (``categories = ["secret"]``) or comma-separated texts."""
    tips: list[Tip] = []
    problems: list[TipProblem] = []
    for index, table in enumerate(tables):
        source = f"policy {policy_id}, [[tips]] #{index + 1}"
        if not isinstance(table, Mapping):
            problems.append(TipProblem(source, None, "each tip is a [[tips]] table"))
            continue
        tip_id = table.get("id")
        if isinstance(tip_id, str):
            source = f"policy {policy_id}, tip {tip_id}"
        known = (*HEADER_FIELDS, "text")
        unknown = [key for key in table if key not in known]
        try:
            if unknown:
                raise TipError(TipProblem(source, None, f"unknown field {unknown[0]!r}{did_you_mean(unknown[0], known)}"))
            if not isinstance(tip_id, str) or not tip_id:
                raise TipError(TipProblem(source, None, "a policy's tip needs an 'id' (the tip it adds or replaces)"))
            values: dict[str, Any] = {}
            for key in HEADER_FIELDS:
                if key in table:
                    value = table[key]
                    if key in LIST_FIELDS:
                        if not isinstance(value, (str, list)):
                            raise TipError(TipProblem(source, None, f"{key!r} must be a list of texts"))
                        value = _listed(value)
                    elif not isinstance(value, str):
                        raise TipError(TipProblem(source, None, f"{key!r} must be a text"))
                    problem = _field_problem(key, value)
                    if problem:
                        raise TipError(TipProblem(source, None, problem))
                    values[key] = value
            text = table.get("text", "")
            if not isinstance(text, str):
                raise TipError(TipProblem(source, None, "'text' must be a text (Markdown)"))
            tips.append(_tip(values, text.strip(), source, tip_id, 0))
        except TipError as exc:
            problems.append(exc.problem)
    return tips, problems


# -- ranking ---------------------------------------------------------------------------------------
def _finding_match(tip: Tip, finding: FindingKey, by_kind: bool = True) -> int | None:
    """How closely *tip* explains *finding*: 0 names its rule, 1 its category, 2 its rule kind (only when
    *by_kind*); None: not at all."""
    if finding.rule_id in tip.rules:
        return 0
    if finding.category in tip.categories:
        return 1
    if by_kind and finding.kind and finding.kind in tip.kinds:
        return 2
    return None


def _kind_fallbacks(tips: Sequence[Tip], findings: Sequence[FindingKey]) -> set[FindingKey]:
    """The findings no tip names by rule or category: only those are matched by their rule kind, so a
    general tip about, say, length limits explains a company's own metric rule, but a lexicon rule about
    codenames does not bring up every tip about some word list."""
    return {finding for finding in findings
            if not any(_finding_match(tip, finding, by_kind=False) is not None for tip in tips)}


def rank(tips: Iterable[Tip], findings: Sequence[FindingKey] = (), networks: Sequence[str] = ()) -> list[Tip]:
    """*tips* in the Tips panel's order: for the findings now in the draft first (the most severe finding's
    tips first; closer matches first), then for *networks* (the post's networks), then the rest; by title
    within each group."""

    tips = list(tips)
    fallbacks = _kind_fallbacks(tips, findings)

    def key(tip: Tip) -> tuple[int, int, int, str, str]:
        best: tuple[int, int] | None = None
        for finding in findings:
            closeness = _finding_match(tip, finding, finding in fallbacks)
            if closeness is not None:
                score = (SEVERITY_ORDER.get(finding.severity, 3), closeness)
                best = score if best is None or score < best else best
        if best is not None:
            return (0, *best, tip.title.casefold(), tip.id)
        if networks and set(tip.networks) & set(networks):
            return (1, 0, 0, tip.title.casefold(), tip.id)
        return (2, 0, 0, tip.title.casefold(), tip.id)

    return sorted(tips, key=key)


def groups(tips: Sequence[Tip], findings: Sequence[FindingKey], networks: Sequence[str]) -> dict[str, str]:
    """Tip id -> :func:`group_of` for every tip, with :func:`rank`'s kind fallbacks."""
    fallbacks = _kind_fallbacks(tips, findings)
    return {tip.id: group_of(tip, findings, networks, fallbacks) for tip in tips}


def tips_for(tips: Iterable[Tip], finding: FindingKey) -> list[Tip]:
    """The tips that explain *finding*, closest first (rule, then category, then kind)."""
    tips = list(tips)
    by_kind = bool(_kind_fallbacks(tips, [finding]))
    matched = [(m, tip.title.casefold(), tip) for tip in tips
               if (m := _finding_match(tip, finding, by_kind)) is not None]
    return [tip for _m, _t, tip in sorted(matched, key=lambda entry: (entry[0], entry[1]))]


def group_of(tip: Tip, findings: Sequence[FindingKey], networks: Sequence[str],
             fallbacks: set[FindingKey] | None = None) -> str:
    """'finding', 'network' or 'other': which part of the ranked list *tip* is in. *fallbacks*: the
    findings matched by rule kind (:func:`rank`'s rule; default: none)."""
    fallbacks = fallbacks or set()
    if any(_finding_match(tip, finding, finding in fallbacks) is not None for finding in findings):
        return "finding"
    if set(tip.networks) & set(networks):
        return "network"
    return "other"


# -- tip of the day --------------------------------------------------------------------------------
def tip_of_the_day(tips: Iterable[Tip], day: dt.date, recent: Iterable[str] = ()) -> Tip | None:
    """One tip for *day*: the same for the same tips, date and *recent* (ids shown lately, left out
    unless nothing else is left). Deterministic (a hash of the date), not random."""
    pool = sorted(tips, key=lambda tip: tip.id)
    if not pool:
        return None
    avoid = set(recent)
    fresh = [tip for tip in pool if tip.id not in avoid] or pool
    digest = hashlib.sha256(day.isoformat().encode()).digest()
    return fresh[int.from_bytes(digest[:8], "big") % len(fresh)]


class TipHistory:
    """Which tip was the tip of the day on which date: a small JSON file in the profile's data folder,
    so a tip is not repeated within :data:`RECENT_DAYS` and today's stays today's after a restart."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.shown: dict[str, str] = {}  # ISO date -> tip id
        if path is not None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and isinstance(data.get("shown"), dict):
                    self.shown = {str(k): str(v) for k, v in data["shown"].items()}
            except FileNotFoundError:
                pass
            except (OSError, ValueError) as exc:
                log.warning("tips history %s unreadable (%s); starting afresh", path, exc)

    def recent(self, day: dt.date, days: int = RECENT_DAYS) -> list[str]:
        """Tip ids shown as tip of the day in the *days* days before *day*."""
        start = (day - dt.timedelta(days=days)).isoformat()
        return [tip_id for date, tip_id in sorted(self.shown.items()) if start <= date < day.isoformat()]

    def pick(self, tips: Iterable[Tip], day: dt.date) -> Tip | None:
        """Today's tip: the one already chosen today if it still exists, else a new one (recorded)."""
        pool = list(tips)
        chosen = self.shown.get(day.isoformat())
        for each in pool:
            if each.id == chosen:
                return each
        tip = tip_of_the_day(pool, day, self.recent(day))
        if tip is not None:
            self.record(day, tip.id)
        return tip

    def next_after(self, tips: Iterable[Tip], current: str) -> Tip | None:
        """The tip after *current* in id order (the notice's "Next tip"), wrapping round."""
        pool = sorted(tips, key=lambda tip: tip.id)
        if not pool:
            return None
        ids = [tip.id for tip in pool]
        return pool[(ids.index(current) + 1) % len(pool)] if current in ids else pool[0]

    def record(self, day: dt.date, tip_id: str) -> None:
        self.shown[day.isoformat()] = tip_id
        oldest = (day - dt.timedelta(days=4 * RECENT_DAYS)).isoformat()
        self.shown = {date: shown for date, shown in self.shown.items() if date >= oldest}

    def save(self) -> None:
        """Write the history (blocking: from a worker)."""
        if self.path is None:
            return
        data = json.dumps({"shown": dict(sorted(self.shown.items()))}, indent=1) + "\n"
        write_atomic(self.path, data.encode("utf-8"))


def rule_kinds(rules: Iterable[Any]) -> dict[str, str]:
    """Rule id -> kind (``lexicon``, ``metric``, ...) of a policy's rules, from their classes' names."""
    return {rule.id: type(rule).__name__.removesuffix("Rule").lower() for rule in rules}
