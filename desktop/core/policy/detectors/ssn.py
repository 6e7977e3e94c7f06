"""US Social Security numbers in a post: AAA-GG-SSSS.

Written with dashes or spaces, the 3-2-4 shape is specific enough on its own; nine digits in one
piece are any number, so they count only with a keyword ("SSN", "social security") just before.
Numbers the Social Security Administration never issues are left out: area 000, 666 and 900-999
(ITINs and advertising), group 00, serial 0000; so are the numbers printed in advertisements and
examples that everyone copies (the 1938 Woolworth wallet card, the LifeLock campaign) and runs of
one digit. Linear in the post: one scan for digit runs, and one for keywords only when needed.
"""

from __future__ import annotations

import bisect
import re

from desktop.core.policy.detectors.spans import Detection

_LABEL = "a US Social Security number"
# 3-2-4 with one kind of separator, or nine digits in one piece; not glued to a word or longer number
# (with spaces, not one part of a longer spaced run of numbers such as a phone number)
_SSN = re.compile(r"(?<![0-9A-Za-z_.,+/-])(?:[0-9]{3}-[0-9]{2}-[0-9]{4}|(?<![0-9] )[0-9]{3} [0-9]{2} [0-9]{4}(?! [0-9])"
                  r"|(?P<bare>[0-9]{9}))(?![0-9A-Za-z_]|[.,/:-][0-9])")
_PREFILTER = re.compile(r"[0-9]{3}")
_KEYWORD = re.compile(r"\b(?:ssn|ss#|ss no|social security|soc\.? ?sec)", re.IGNORECASE)
_KEYWORD_REACH = 40  # characters between the keyword's start and the number ("SSN (on file): 123456789")
# printed in advertisements and examples, never anyone's: Woolworth's 1938 wallet insert, the SSA's
# own 1940s pamphlet sample, the LifeLock campaign number, and the sequence everyone types
_PUBLISHED = frozenset({"078051120", "219099999", "457555462", "123456789"})


def plausible_ssn(digits: str) -> bool:
    """Whether nine digits could be an issued number (see the module docstring for what is not)."""
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area >= "900" or group == "00" or serial == "0000":
        return False
    return digits not in _PUBLISHED and len(set(digits)) > 1


def find_ssns(text: str) -> list[Detection]:
    if not _PREFILTER.search(text):
        return []
    found: list[Detection] = []
    keyword_starts: list[int] | None = None
    for match in _SSN.finditer(text):
        digits = match.group().replace("-", "").replace(" ", "")
        if not plausible_ssn(digits):
            continue
        if match.group("bare") is not None:
            if keyword_starts is None:
                keyword_starts = [k.start() for k in _KEYWORD.finditer(text)]
            i = bisect.bisect_left(keyword_starts, match.start() - _KEYWORD_REACH)
            if i >= len(keyword_starts) or keyword_starts[i] >= match.start():
                continue
        found.append(Detection("us_ssn", match.start(), match.end(), _LABEL))
    return found
