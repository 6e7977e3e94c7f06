"""Managed settings: what IT sets, at two levels (Chrome's model), merged into :class:`ManagedState`.

*Mandatory* values lock a setting (the user cannot change it; the dialog says "Managed by your
organisation" and where it came from); *recommended* values replace the built-in default, and the
user may still change them. Lookup order, lowest first: default < recommended < user < mandatory.

The places IT writes (root-owned JSON files on Linux, the Policies registry keys on Windows, managed
preferences on macOS) are read by the adapters (:mod:`desktop.adapters.managed_settings`), each as
a :class:`ManagedSource` returning a :class:`SourceReading` of raw values with their origin (a file
path, a registry key, a plist). This module, plain Python, turns the readings into settings:

- every value is checked against its declaration (:class:`~desktop.core.setting_spec.SettingSpec`);
  a bad value is reported precisely (origin, key, what was expected) and dropped alone: the other
  keys of the same file still apply;
- within a level, a later reading wins (the readers list theirs lowest precedence first);
- **a broken source never unlocks what it locked before.** :class:`LastManaged` keeps, per origin,
  the mandatory values it last set (``managed-last.json`` in the user's config folder, written
  atomically). When an origin cannot be read now (unreadable, malformed, refused for its
  permissions) or one of its values became invalid, those keys stay locked at their last good value,
  and a problem says so. An origin that is read without trouble and no longer sets a key (IT removed
  it, or removed the file) does unlock it: that is IT's decision, not a failure.
  Secret settings are never written to that record (their last value cannot be kept: such a key
  stays locked, empty).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from desktop.core.atomic import write_atomic
from desktop.core.setting_spec import SettingSpec

log = logging.getLogger(__name__)

Level = Literal["mandatory", "recommended"]
LEVELS: tuple[Level, ...] = ("mandatory", "recommended")
RECORD_VERSION = 1


@dataclass(frozen=True)
class RawValue:
    """One value as a source holds it, before it is checked against the setting's declaration."""

    key: str
    value: Any
    origin: str  # the file, registry key or plist it came from


@dataclass(frozen=True)
class SourceError:
    """Something wrong in a source: the whole origin (*key* None) or one value."""

    origin: str
    key: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.key}: {self.message}" if self.key else f"{self.origin}: {self.message}"


@dataclass
class SourceReading:
    """What one source gave: its values (lowest precedence first), the origins it read, and the
    origins it could not read (*failed*, each with a SourceError saying why)."""

    name: str  # e.g. "Linux managed files", "Windows registry HKLM (mandatory)"
    level: Level
    location: str  # the folder, registry key or plist path, for diagnostics
    values: list[RawValue] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)  # read without trouble as a whole (values may still be bad)
    failed: list[str] = field(default_factory=list)  # could not be read (or refused) as a whole
    errors: list[SourceError] = field(default_factory=list)
    whole_source_failed: bool = False  # the location itself could not be listed or opened
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (origin, key) of values the reader refused

    def bad(self, origin: str, key: str, message: str) -> None:
        """A value of the wrong kind for its place (a registry type): dropped, and it unlocks nothing."""
        self.invalid.append((origin, key))
        self.errors.append(SourceError(origin, key, message))

    def fail(self, origin: str, message: str) -> None:
        self.failed.append(origin)
        self.errors.append(SourceError(origin, None, message))

    def error(self, origin: str, key: str | None, message: str) -> None:
        self.errors.append(SourceError(origin, key, message))


class ManagedSource(Protocol):
    """A place IT writes settings. :meth:`read` never raises for the source's own trouble: it is
    reported in the reading (the rest of the settings still apply)."""

    name: str
    level: Level

    def read(self, specs: Mapping[str, SettingSpec]) -> SourceReading: ...


@dataclass(frozen=True)
class ManagedValue:
    value: Any
    level: Level
    origin: str
    kept: bool = False  # the last good value, kept because its source is broken now


@dataclass(frozen=True)
class SourceReport:
    """One source for diagnostics (``chorus settings list``): what was read and what went wrong."""

    name: str
    level: Level
    location: str
    origins: tuple[str, ...]
    failed: tuple[str, ...]
    errors: tuple[SourceError, ...]
    keys: tuple[str, ...]  # the keys it sets now (kept values included)

    @property
    def status(self) -> str:
        if self.failed or self.errors:
            return "errors"
        return "ok" if self.origins else "absent"

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "level": self.level, "location": self.location, "status": self.status,
                "origins": list(self.origins), "failed": list(self.failed), "keys": list(self.keys),
                "errors": [{"origin": e.origin, "key": e.key, "message": e.message} for e in self.errors]}


@dataclass
class ManagedState:
    """The managed values in force per level, the problems found, and each source's report."""

    mandatory: dict[str, ManagedValue] = field(default_factory=dict)
    recommended: dict[str, ManagedValue] = field(default_factory=dict)
    sources: list[SourceReport] = field(default_factory=list)
    problems: list[SourceError] = field(default_factory=list)


class LastManaged:
    """The mandatory values each origin last set (``{source: {origin: {key: value}}}``), kept in the
    user's config folder so that a source that breaks later cannot unlock them. Read and written as
    JSON; a missing or unreadable record is an empty one (logged), never a failure to start."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path else None
        self.read_only = read_only
        self.record: dict[str, dict[str, dict[str, Any]]] = {}
        if self.path is not None:
            self.record = self._read(self.path)

    @staticmethod
    def _read(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("managed settings: the record of the last managed values %s cannot be read (%s)", path, exc)
            return {}
        sources = document.get("sources") if isinstance(document, dict) else None
        if not isinstance(sources, dict):
            return {}
        return {name: {origin: dict(values) for origin, values in origins.items() if isinstance(values, dict)}
                for name, origins in sources.items() if isinstance(origins, dict)}

    def save(self, record: dict[str, dict[str, dict[str, Any]]]) -> None:
        if record == self.record:
            return
        self.record = record
        if self.path is None or self.read_only:
            return
        document = {"version": RECORD_VERSION, "sources": record}
        try:
            write_atomic(self.path, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode())
        except OSError as exc:
            log.warning("managed settings: cannot write %s (%s); a broken source could unlock its keys",
                        self.path, exc)


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def resolve(readings: Sequence[SourceReading], specs: Mapping[str, SettingSpec],
            last: LastManaged | None = None) -> ManagedState:
    """Merge *readings* (lowest precedence first within each level) into the values in force,
    keeping the last good mandatory values of broken origins (see the module docstring), and
    update *last* with what the healthy origins set now."""
    state = ManagedState()
    last = last or LastManaged(None)
    new_record: dict[str, dict[str, dict[str, Any]]] = {}
    for reading in readings:
        errors = list(reading.errors)
        invalid: set[tuple[str, str]] = set(reading.invalid)  # (origin, key) whose value is bad now
        good: dict[str, dict[str, Any]] = {}  # origin -> key -> canonical value
        target = state.mandatory if reading.level == "mandatory" else state.recommended
        for raw in reading.values:
            spec = specs.get(raw.key)
            if spec is None:
                errors.append(SourceError(raw.origin, raw.key, "is not a setting this version of Chorus knows; "
                                          "ignored"))
                continue
            if spec.secret and reading.level != "mandatory":
                errors.append(SourceError(raw.origin, raw.key, "is a secret: it is taken only from mandatory "
                                          "managed settings; ignored"))
                continue
            try:
                value = spec.coerce(raw.value)
            except ValueError as exc:
                errors.append(SourceError(raw.origin, raw.key, f"{exc}; ignored"))
                invalid.add((raw.origin, raw.key))
                continue
            good.setdefault(raw.origin, {})[raw.key] = value
            target[raw.key] = ManagedValue(value, reading.level, raw.origin)
        kept_keys: list[str] = []
        if reading.level == "mandatory":
            previous = last.record.get(reading.name, {})
            failed = set(reading.failed)
            for origin, values in previous.items():
                broken = reading.whole_source_failed or origin in failed
                for key, value in values.items():
                    spec = specs.get(key)
                    if spec is None or key in good.get(origin, {}):
                        continue
                    if not (broken or (origin, key) in invalid):
                        continue  # read fine and no longer set: IT unlocked it
                    try:
                        kept = spec.coerce(value) if not spec.secret else spec.default
                    except ValueError:
                        continue
                    if not any(key in values_now for values_now in good.values()):  # not set afresh here
                        state.mandatory[key] = ManagedValue(kept, "mandatory", origin, kept=True)
                    kept_keys.append(key)
                    new_record.setdefault(reading.name, {}).setdefault(origin, {})[key] = _jsonable(value)
                    errors.append(SourceError(origin, key, "stays locked at its last good value because this "
                                              "source cannot be used now" if broken else
                                              "stays locked at its last good value until the value is fixed"))
            for origin, values in good.items():
                kept_here = new_record.setdefault(reading.name, {}).setdefault(origin, {})
                for key, value in values.items():
                    kept_here[key] = "" if specs[key].secret else _jsonable(value)
        keys = [raw.key for raw in reading.values if raw.key in good.get(raw.origin, {})] + kept_keys
        report = SourceReport(reading.name, reading.level, reading.location, tuple(reading.origins),
                              tuple(reading.failed), tuple(errors), tuple(dict.fromkeys(keys)))
        state.sources.append(report)
        state.problems.extend(errors)
    last.save(new_record)
    return state


def read_all(sources: Iterable[ManagedSource], specs: Mapping[str, SettingSpec],
             last: LastManaged | None = None) -> ManagedState:
    """Read every source (one that raises is reported as failed, never a crash) and :func:`resolve`."""
    readings: list[SourceReading] = []
    for source in sources:
        try:
            readings.append(source.read(specs))
        except Exception as exc:  # noqa: BLE001 - a reader's bug must not stop Chorus or unlock anything
            log.error("managed settings: reading %s failed", source.name, exc_info=True)
            reading = SourceReading(source.name, source.level, source.name, whole_source_failed=True)
            reading.fail(source.name, f"could not be read ({type(exc).__name__}: {exc})")
            readings.append(reading)
    return resolve(readings, specs, last)
