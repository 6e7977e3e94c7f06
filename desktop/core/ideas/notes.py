"""Ideas from the employee's own material: folders of notes, release notes and changelogs.

Each folder the user chose (``ideas.folders``) is read here, on a worker, and nothing of it leaves
the computer. A Markdown or text file (``.md``, ``.markdown``, ``.txt``) is:

* a changelog when its name says so (CHANGELOG, CHANGES, HISTORY, NEWS, RELEASE-NOTES, …): each
  ``##`` section (``## 1.4.0 — 2026-11-30``) is one idea, dated by the date in its heading, else
  by the file's modification time;
* otherwise a note: one idea, titled by its first heading (or first line), dated by its
  modification time.

Bounded so a huge or hostile folder cannot stall anything: hidden folders and symbolic links are
skipped (nothing outside the chosen folder is read), files over :data:`MAX_NOTE_BYTES` are skipped,
at most :data:`MAX_FILES` files per folder and :data:`MAX_DEPTH` folder levels are looked at, and
the newest :data:`MAX_IDEAS` ideas are kept.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop.core.ideas.model import NOTES, Idea, newest_first
from desktop.core.ideas.text import tidy

NOTE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_NOTE_BYTES = 512 * 1024
MAX_FILES = 500  # per folder
MAX_DEPTH = 4  # folder levels below the chosen one
MAX_IDEAS = 200  # of all folders together
MAX_SECTIONS = 30  # changelog entries per file (the first ones: changelogs put the newest first)
SUMMARY_CHARS = 600
_CHANGELOG = re.compile(r"^(change ?log|changes|history|news|release[-_ ]?notes)", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class FolderProblem:
    folder: str
    message: str


def scan_folders(folders: Iterable[str]) -> tuple[list[Idea], list[FolderProblem]]:
    """The newest ideas of every folder, and the folders that could not be read."""
    ideas: list[Idea] = []
    problems: list[FolderProblem] = []
    for folder in folders:
        root = Path(os.path.expanduser(folder))
        if not root.is_dir():
            problems.append(FolderProblem(folder, f"the folder {root} does not exist or cannot be opened."))
            continue
        try:
            ideas.extend(_folder_ideas(folder, root))
        except OSError as exc:
            problems.append(FolderProblem(folder, f"the folder {root} cannot be read ({exc.strerror or exc})."))
    return newest_first(ideas)[:MAX_IDEAS], problems


def _files(root: Path) -> Iterator[Path]:
    """The note files under *root*, breadth first, never through a link, hidden folder or past the caps."""
    count = 0
    level = [root]
    for _depth in range(MAX_DEPTH + 1):
        below: list[Path] = []
        for folder in level:
            try:
                entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    below.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False) and entry.name.lower().endswith(NOTE_SUFFIXES):
                    count += 1
                    if count > MAX_FILES:
                        return
                    yield Path(entry.path)
        level = below


def _folder_ideas(folder: str, root: Path) -> Iterator[Idea]:
    source_title = root.name or str(root)
    for path in _files(root):
        try:
            stat = path.stat()
            if stat.st_size > MAX_NOTE_BYTES:
                continue
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            continue
        relative = path.relative_to(root).as_posix()
        if _CHANGELOG.match(path.name):
            yield from _changelog_ideas(folder, source_title, path, relative, text, stat.st_mtime)
        else:
            idea = _note_idea(folder, source_title, path, relative, text, stat.st_mtime)
            if idea is not None:
                yield idea


def _note_idea(folder: str, source_title: str, path: Path, relative: str, text: str, mtime: float) -> Idea | None:
    lines = text.lstrip("\ufeff").splitlines()
    title = ""
    rest: list[str] = []
    for index, line in enumerate(lines):
        if line.strip():
            heading = _HEADING.match(line.strip())
            title = heading.group(2) if heading else line.strip()
            rest = lines[index + 1:]
            break
    if not title:
        return None
    return Idea(folder, NOTES, source_title, relative, tidy(title, 200), path.as_uri(), mtime,
                tidy("\n".join(rest), SUMMARY_CHARS))


def _changelog_ideas(folder: str, source_title: str, path: Path, relative: str, text: str,
                     mtime: float) -> Iterator[Idea]:
    sections: list[tuple[str, list[str]]] = []
    level = 2 if any(line.startswith("## ") for line in text.splitlines()) else 1
    for line in text.lstrip("\ufeff").splitlines():
        found = _HEADING.match(line)
        if found and len(found.group(1)) == level:
            sections.append((found.group(2), []))
        elif sections:
            sections[-1][1].append(line)
    for heading, body in sections[:MAX_SECTIONS]:
        yield Idea(folder, NOTES, source_title, f"{relative}#{heading}", tidy(f"{path.name}: {heading}", 200),
                   path.as_uri(), _heading_date(heading, mtime), tidy("\n".join(body), SUMMARY_CHARS))


def _heading_date(heading: str, fallback: float) -> float:
    found = _DATE.search(heading)
    if found:
        try:
            return dt.datetime(int(found[1]), int(found[2]), int(found[3]), 12, tzinfo=dt.UTC).timestamp()
        except ValueError:
            pass
    return fallback
