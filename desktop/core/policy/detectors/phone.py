"""Phone numbers in a post (R16)."""

from __future__ import annotations

import regex

from desktop.core.policy.detectors.spans import Span

_PHONE = regex.compile(r"(?<![\w+.-])\+?+(?:\(\d++\)|\d++)(?:(?:[ .-]|(?=\())(?:\(\d++\)|\d++))++(?![\w])")


def find_phones(text: str) -> list[Span]:
    """Formatted numbers of 10-15 digits with at least one separator (groups joined by one space,
    '-' or '.', or a group in parentheses; an optional leading '+'). A run that joins two numbers
    with a space (a date, then a phone number) is split at its spaces into the longest windows
    that hold 10-15 digits."""
    spans: list[Span] = []
    for match in _PHONE.finditer(text):
        pieces = [(m.start() + match.start(), m.end() + match.start()) for m in regex.finditer(r"\S+", match.group())]
        i = 0
        while i < len(pieces):
            digits, j, best = 0, i, None
            while j < len(pieces):
                digits += sum(c.isdigit() for c in text[pieces[j][0] : pieces[j][1]])
                if digits > 15:
                    break
                if digits >= 10:
                    best = j
                j += 1
            if best is not None:
                start, end = pieces[i][0], pieces[best][1]
                if any(not c.isdigit() for c in text[start:end].lstrip("+")):
                    spans.append((start, end))
                i = best + 1
            else:
                i += 1
    return spans


def last_digits(text: str, n: int = 10) -> str:
    return "".join(c for c in text if c.isdigit())[-n:]
