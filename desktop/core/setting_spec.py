"""How a setting is declared: key, type, default, label, help, group. The declarations themselves
are in :mod:`desktop.core.settings` (and, for a network's own settings, in its registry entry under
``desktop/core/networks/``); the settings dialog is generated from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Kind(str, Enum):
    BOOL = "bool"
    INT = "int"
    TEXT = "text"
    CHOICE = "choice"
    NETWORKS = "networks"  # a subset of the choices (network ids), in their order
    TEXTS = "texts"  # a list of texts (host names, ...), in the order given, without blanks or repeats


@dataclass(frozen=True)
class SettingSpec:
    key: str
    kind: Kind
    default: Any
    label: str
    help: str
    group: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for CHOICE and NETWORKS
    minimum: int | None = None
    maximum: int | None = None
    # a secret (a client secret): taken only from the mandatory managed level (IT's own places), never
    # from the user's settings file, never shown or printed, never copied into Chorus's own files
    secret: bool = False

    def describe_type(self) -> str:
        if self.kind is Kind.BOOL:
            return "true or false"
        if self.kind is Kind.INT:
            return f"a whole number from {self.minimum} to {self.maximum}"
        if self.kind is Kind.TEXT:
            return "a text"
        if self.kind is Kind.CHOICE:
            return "one of " + ", ".join(repr(value) for value, _ in self.choices)
        if self.kind is Kind.TEXTS:
            return "a list of texts"
        return "a list of network names from " + ", ".join(value for value, _ in self.choices)

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
        elif self.kind is Kind.TEXTS:
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))
        elif self.kind is Kind.NETWORKS:
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                chosen = {v.lower() for v in value}
                known = [choice for choice, _ in self.choices]
                if chosen <= set(known):
                    return tuple(n for n in known if n in chosen)
        raise ValueError(f"{self.key!r} must be {self.describe_type()}, not {value!r}")
