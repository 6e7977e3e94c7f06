"""Settings: each declared once (key, type, default, help), read through one layered lookup.

Layers, lowest first: the built-in defaults < the user's own settings file < a managed layer that
IT fills (machine-wide and read-only for the user; such keys are shown as locked).

A value of the wrong type, in any layer, is reported as a :class:`SettingsProblem` and ignored,
never a crash. A settings file that is not valid JSON is moved aside (nothing is overwritten) and
reported. Values Chorus does not understand are kept in the file as they were, so a newer Chorus
sharing the profile loses nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from desktop.core.atomic import write_atomic
from desktop.core.networks import DISPLAY_NAMES, NETWORKS

SCHEMA_VERSION = 1


class Kind(str, Enum):
    BOOL = "bool"
    INT = "int"
    TEXT = "text"
    CHOICE = "choice"
    NETWORKS = "networks"  # a subset of NETWORKS, in canonical order


@dataclass(frozen=True)
class SettingSpec:
    key: str
    kind: Kind
    default: Any
    label: str
    help: str
    group: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for CHOICE
    minimum: int | None = None
    maximum: int | None = None

    def describe_type(self) -> str:
        if self.kind is Kind.BOOL:
            return "true or false"
        if self.kind is Kind.INT:
            return f"a whole number from {self.minimum} to {self.maximum}"
        if self.kind is Kind.TEXT:
            return "a text"
        if self.kind is Kind.CHOICE:
            return "one of " + ", ".join(repr(value) for value, _ in self.choices)
        return "a list of network names from " + ", ".join(NETWORKS)

    def coerce(self, value: Any) -> Any:
        """Return *value* in canonical form, or raise ValueError saying what was expected."""
        if self.kind is Kind.BOOL:
            if isinstance(value, bool):
                return value
        elif self.kind is Kind.INT:
            if isinstance(value, int) and not isinstance(value, bool):
                if (self.minimum is None or value >= self.minimum) and (
                    self.maximum is None or value <= self.maximum
                ):
                    return value
        elif self.kind is Kind.TEXT:
            if isinstance(value, str):
                return value
        elif self.kind is Kind.CHOICE:
            if isinstance(value, str) and value in {v for v, _ in self.choices}:
                return value
        elif self.kind is Kind.NETWORKS:
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                chosen = {v.lower() for v in value}
                if chosen <= set(NETWORKS):
                    return tuple(n for n in NETWORKS if n in chosen)
        raise ValueError(f"{self.key!r} must be {self.describe_type()}, not {value!r}")


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "appearance.theme",
        Kind.CHOICE,
        "system",
        "Colour scheme",
        "Follow the operating system's light or dark mode, or force one.",
        "Appearance",
        choices=(("system", "Same as the system"), ("light", "Light"), ("dark", "Dark")),
    ),
    SettingSpec(
        "editor.font_size",
        Kind.INT,
        12,
        "Editor font size",
        "Point size of the text in the composer.",
        "Appearance",
        minimum=8,
        maximum=36,
    ),
    SettingSpec(
        "composer.networks",
        Kind.NETWORKS,
        NETWORKS,
        "Length counters",
        "Networks whose length limits the composer counts as you type.",
        "Composer",
    ),
    SettingSpec(
        "mastodon.max_characters",
        Kind.INT,
        500,
        "Mastodon post length",
        "Characters allowed per post on your Mastodon instance, until a linked account tells "
        "Chorus the exact figure.",
        "Composer",
        minimum=1,
        maximum=100_000,
    ),
    SettingSpec(
        "policy.source",
        Kind.TEXT,
        "default",
        "Social-media policy",
        "The policy your posts are checked against: a built-in policy by name (default, acme-example) or "
        "the path of a policy file (.toml). If it is broken, Chorus keeps checking with the last good one.",
        "Policy",
    ),
    SettingSpec(
        "logging.level",
        Kind.CHOICE,
        "info",
        "Log detail",
        "How much Chorus writes to its log file. Tokens are always removed from the log.",
        "Support",
        choices=(("warning", "Problems only"), ("info", "Normal"), ("debug", "Everything (for support)")),
    ),
    # -- LinkedIn: the organisation's LinkedIn app, normally set by IT in the managed layer. Never a
    # client secret here: it lives with a token-exchange service, or in the OS keyring under
    # "app:linkedin:<client id>" (desktop.adapters.networks.linkedin.client_secret_key).
    SettingSpec(
        "linkedin.client_id",
        Kind.TEXT,
        "",
        "LinkedIn app client ID",
        "The Client ID of your organisation's LinkedIn app (LinkedIn Developer Portal → your app → Auth), "
        "with the products “Share on LinkedIn” and “Sign In with LinkedIn using OpenID Connect”. "
        "Empty: LinkedIn accounts cannot be linked.",
        "LinkedIn",
    ),
    SettingSpec(
        "linkedin.token_exchange_url",
        Kind.TEXT,
        "",
        "LinkedIn token-exchange service",
        "The https address of your organisation's service that holds the LinkedIn app's client secret and "
        "swaps sign-in codes for tokens. Empty: Chorus uses the client secret IT stored in this computer's "
        "keyring instead.",
        "LinkedIn",
    ),
    SettingSpec(
        "linkedin.api_version",
        Kind.TEXT,
        "202609",
        "LinkedIn API version",
        "The LinkedIn-Version sent with every post (YYYYMM). LinkedIn retires each version about a year "
        "after its release; then posting fails until this is set to a current one.",
        "LinkedIn",
    ),
    SettingSpec(
        "linkedin.redirect_port",
        Kind.INT,
        47319,
        "LinkedIn sign-in port",
        "The port of the address the browser returns to after signing in to LinkedIn, "
        "http://127.0.0.1:<port>/callback. That exact address must be registered on the LinkedIn app. "
        "0 picks a free port each time, which works only if LinkedIn accepts any port for your app.",
        "LinkedIn",
        minimum=0,
        maximum=65535,
    ),
    SettingSpec(
        "linkedin.read_own_posts",
        Kind.BOOL,
        False,
        "LinkedIn app may read members' posts",
        "Turn on only if LinkedIn approved your app for r_member_social (partners only). Chorus then asks "
        "for it and, after a network failure, checks whether a post arrived before sending it again; "
        "without it, people are asked to check LinkedIn themselves.",
        "LinkedIn",
    ),
)

NETWORK_LABELS = DISPLAY_NAMES


@dataclass(frozen=True)
class SettingsProblem:
    source: str  # a file path or the name of a layer
    key: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.key}" if self.key else self.source
        return f"{where}: {self.message}"


class SettingLockedError(PermissionError):
    pass


@dataclass
class _Layer:
    name: str
    values: dict[str, Any] = field(default_factory=dict)


class Settings:
    """The layered settings lookup. Not thread-safe: the GUI thread owns it."""

    def __init__(
        self,
        user_file: Path | None,
        managed: Mapping[str, Any] | None = None,
        managed_source: str = "managed settings",
        specs: Iterable[SettingSpec] = SPECS,
    ) -> None:
        self.specs: dict[str, SettingSpec] = {spec.key: spec for spec in specs}
        self.user_file = Path(user_file) if user_file else None
        self.problems: list[SettingsProblem] = []
        self._raw_user: dict[str, Any] = {}
        self._user = _Layer("user")
        self._managed = _Layer(managed_source)
        if self.user_file is not None:
            self._raw_user = self._read_user_file(self.user_file)
        self._user.values = self._validated(self._raw_user, str(self.user_file))
        self._managed.values = self._validated(dict(managed or {}), managed_source)

    # -- reading -------------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        spec = self._spec(key)
        for layer in (self._managed, self._user):
            if key in layer.values:
                return layer.values[key]
        return spec.default

    def source(self, key: str) -> str:
        """'managed', 'user' or 'default': where the value :meth:`get` returns comes from."""
        self._spec(key)
        if key in self._managed.values:
            return "managed"
        if key in self._user.values:
            return "user"
        return "default"

    def is_locked(self, key: str) -> bool:
        return self.source(key) == "managed"

    # -- writing -------------------------------------------------------------------------------
    def set(self, key: str, value: Any) -> None:
        """Change the user's value in memory (call :meth:`save` to write it)."""
        spec = self._spec(key)
        if self.is_locked(key):
            raise SettingLockedError(f"{spec.label} is set by your organisation and cannot be changed")
        canonical = spec.coerce(value)
        self._user.values[key] = canonical
        self._raw_user[key] = list(canonical) if isinstance(canonical, tuple) else canonical

    def reset(self, key: str) -> None:
        self._spec(key)
        self._user.values.pop(key, None)
        self._raw_user.pop(key, None)

    def save(self) -> None:
        """Write the user's layer atomically. Safe to call from a worker thread."""
        if self.user_file is None:
            return
        document = {"schema_version": SCHEMA_VERSION, "values": dict(sorted(self._raw_user.items()))}
        write_atomic(self.user_file, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())

    # -- internals -----------------------------------------------------------------------------
    def _spec(self, key: str) -> SettingSpec:
        try:
            return self.specs[key]
        except KeyError:
            raise KeyError(f"no setting named {key!r}") from None

    def _read_user_file(self, path: Path) -> dict[str, Any]:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(SettingsProblem(str(path), None, f"cannot be read ({exc}); using defaults"))
            return {}
        try:
            document = json.loads(text)
            if not isinstance(document, dict) or not isinstance(document.get("values", {}), dict):
                raise ValueError("expected an object with a 'values' object")
        except ValueError as exc:
            kept = self._move_aside(path)
            self.problems.append(
                SettingsProblem(str(path), None, f"is not a valid settings file ({exc}); using defaults. "
                                f"The file was kept as {kept.name}")
            )
            return {}
        return dict(document.get("values", {}))

    @staticmethod
    def _move_aside(path: Path) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.name}.broken-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = path.with_name(f"{path.name}.broken-{stamp}-{n}")
        path.rename(target)
        return target

    def _validated(self, raw: Mapping[str, Any], source: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, value in raw.items():
            spec = self.specs.get(key)
            if spec is None:
                self.problems.append(SettingsProblem(source, key, "is not a setting this version knows; ignored"))
                continue
            try:
                values[key] = spec.coerce(value)
            except ValueError as exc:
                self.problems.append(SettingsProblem(source, key, f"{exc}; ignored, using the default"))
        return values
