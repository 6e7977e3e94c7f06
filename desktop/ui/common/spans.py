"""The one place that turns code-point offsets (Python, the policy engine) into Qt positions.

Python strings index code points; ``QTextDocument`` and ``QTextCursor`` index UTF-16 code units, in
which every character outside the Basic Multilingual Plane (most emoji, flags, some CJK
ideographs) takes two. A finding after an emoji would be underlined one unit early without this
conversion. Everything in the UI that places a finding in the editor goes through
:class:`Utf16Offsets`; nothing else does offset arithmetic.

The table is built once per text: the sorted code-point indices of the astral characters (found by
a C-speed regex scan; empty for most posts). The UTF-16 position of code point ``i`` is ``i`` plus
the number of astral characters before it, a binary search in that table. This is the prefix
table in compressed form: a one-million-character paste costs a few milliseconds and memory for
its astral characters only.

Positions match the document when the text is the editor's ``toPlainText()``, which is what the
composer checks: Qt stores each line break as one paragraph separator (one position, U+2029 in
``QTextCursor.selectedText()``), and ``toPlainText()`` turns it back into one ``\\n``.
"""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


class Utf16Offsets:
    """Code-point offsets of one text → UTF-16 (Qt) positions."""

    __slots__ = ("_astral", "length")

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self._astral = [m.start() for m in _ASTRAL.finditer(text)] if text and max(text) > "\uffff" else []

    def position(self, index: int) -> int:
        """The Qt position of code-point offset *index* (0 ≤ index ≤ len(text))."""
        if not 0 <= index <= self.length:
            raise IndexError(f"code-point offset {index} outside 0..{self.length}")
        return index + bisect_left(self._astral, index)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The Qt positions of the code-point span [start, end)."""
        if start > end:
            raise IndexError(f"span start {start} after its end {end}")
        return self.position(start), self.position(end)
