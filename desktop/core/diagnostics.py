"""A diagnostics report for support (``chorus doctor``, Help → Diagnostics): what Chorus runs with
on this computer, checked, in words a help desk can act on.

The report is data (sections of labelled items, each with a status and, for a problem, advice) so
the command line prints it as text or JSON and the app shows and copies the same thing. What goes
into it is gathered by :mod:`desktop.doctor` (it talks to the keyring and the network); this module
only holds it and writes it out.

Nothing secret or personal goes in: no token, password, client secret, proxy password or post
text. Items are built from names, versions, paths, host names and error sentences; every value
is passed through the log redaction filter as well (:func:`desktop.core.logs.redact`), so a
secret that reached an error message by accident is still masked.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from desktop.core.logs import redact


class Status(str, Enum):
    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"
    INFO = "info"


_MARKS = {Status.OK: "ok", Status.WARNING: "!!", Status.PROBLEM: "XX", Status.INFO: "  "}


@dataclass(frozen=True)
class Item:
    label: str
    value: str
    status: Status = Status.INFO
    advice: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", redact(self.value))
        object.__setattr__(self, "advice", redact(self.advice))

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label, "value": self.value, "status": self.status.value}
        if self.advice:
            data["advice"] = self.advice
        return data


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Report:
    sections: tuple[Section, ...]
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())

    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @property
    def problems(self) -> list[Item]:
        return [item for item in self.items() if item.status is Status.PROBLEM]

    @property
    def warnings(self) -> list[Item]:
        return [item for item in self.items() if item.status is Status.WARNING]

    def summary(self) -> str:
        problems, warnings = len(self.problems), len(self.warnings)
        if not problems and not warnings:
            return "Everything checked is working."
        parts = []
        if problems:
            parts.append(f"{problems} problem{'s' if problems != 1 else ''}")
        if warnings:
            parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
        return " and ".join(parts) + " found (marked XX and !! below)."

    def as_json(self) -> dict[str, Any]:
        return {
            "created": self.created.isoformat(timespec="seconds"),
            "summary": self.summary(),
            "problems": len(self.problems),
            "warnings": len(self.warnings),
            "sections": [{"title": s.title, "items": [i.as_json() for i in s.items]} for s in self.sections],
        }

    def as_text(self) -> str:
        lines = [f"Chorus diagnostics, {self.created:%Y-%m-%d %H:%M %Z}".rstrip(), self.summary(), ""]
        for section in self.sections:
            lines.append(section.title)
            width = max((len(item.label) for item in section.items), default=0)
            for item in section.items:
                lines.append(f" {_MARKS[item.status]} {item.label:<{width}}  {item.value}")
                if item.advice:
                    lines.append(f"    {' ' * width}  → {item.advice}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def to_json_text(self) -> str:
        return json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n"
