"""E-mail addresses in a post (R16)."""

from __future__ import annotations

import re

import regex

from desktop.core.policy.detectors.spans import Span, chunks_around

_EMAIL = regex.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*+@(?:[A-Za-z0-9-]++\.)++[A-Za-z]{2,}+")


_AT = re.compile("@")


def find_emails(text: str) -> list[Span]:
    if "@" not in text:
        return []
    ats = (m.start() for m in _AT.finditer(text))
    return [m.span() for start, end in chunks_around(text, ats) for m in _EMAIL.finditer(text, start, end)]
