"""A draft as the rest of the app sees it, and the form drafts are searched in."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

TITLE_LENGTH = 80


@dataclass(frozen=True)
class Draft:
    id: str
    body: str
    created_at: float
    updated_at: float
    targets: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        for line in self.body.splitlines():
            line = line.strip()
            if line:
                return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"
        return "Untitled draft"


def fold(text: str) -> str:
    """The form drafts are searched in: accents stripped, case folded (so 'cafe' finds 'Café')."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
