"""Payment card numbers in a post: 13-19 digits in a usual grouping, a valid Luhn check digit and an
issuer (IIN) range of a major network with a length that network issues.

Built from the networks' published numbering (ISO/IEC 7812 issuer identification numbers): a run of
digits that passes Luhn alone is one in ten of all numbers, so the issuer range and length are what
keep order and tracking numbers out. Linear in the post: one scan for digit runs (possessive, so a
long run is read once), then windows of at most 19 digits inside each run.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from desktop.core.policy.budget import on_time
from desktop.core.policy.detectors.spans import Detection

# Groups of ASCII digits joined by one space or dash; not glued to a word, a decimal or a "+" (phone).
_RUN = re.compile(r"(?<![0-9A-Za-z_.,+/-])[0-9]++(?:[ -][0-9]++)*+")
_PREFILTER = re.compile(r"[0-9]{3}")
# The groupings printed on cards and receipts (digits per group); one group is the number unbroken.
_GROUPINGS = {(4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 1), (4, 3, 3, 3), (4, 4, 4, 4, 1),
              (4, 4, 4, 4, 2), (4, 4, 4, 4, 3), (6, 13)}
# The part just before the run: an IBAN's first group ("DE89 3704 ..."), whose tail is not a card.
_IBAN_HEAD = re.compile(r"[A-Z]{2}[0-9]{2}[ -]\Z")

# (network label, IIN ranges as (low, high) on the first len(low) digits, lengths issued)
_NETWORKS: tuple[tuple[str, tuple[tuple[str, str], ...], frozenset[int]], ...] = (
    ("a Visa card number", (("4", "4"),), frozenset({13, 16, 19})),
    ("a Mastercard number", (("51", "55"), ("2221", "2720")), frozenset({16})),
    ("an American Express card number", (("34", "34"), ("37", "37")), frozenset({15})),
    ("a Discover card number", (("6011", "6011"), ("644", "649"), ("65", "65")), frozenset(range(16, 20))),
    ("a JCB card number", (("3528", "3589"),), frozenset(range(16, 20))),
    ("a Diners Club card number", (("300", "305"), ("3095", "3095"), ("36", "36"), ("38", "39")),
     frozenset(range(14, 20))),
    ("a UnionPay card number", (("62", "62"),), frozenset(range(16, 20))),
    ("a Maestro card number", (("5018", "5018"), ("5020", "5020"), ("5038", "5038"), ("5893", "5893"),
                               ("6304", "6304"), ("6759", "6759"), ("6761", "6763")), frozenset(range(13, 20))),
)


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of ISO/IEC 7812: from the right, every second digit is doubled
    (summed with C-level maps: it runs for every window of a long run of digit groups)."""
    return (sum(map(int, digits[-1::-2])) + sum(map(_DOUBLED.__getitem__, digits[-2::-2]))) % 10 == 0


_DOUBLED = {str(d): d * 2 - 9 if d > 4 else d * 2 for d in range(10)}


def card_network(digits: str) -> str | None:
    """The label of the network whose issuer range and lengths *digits* fits, or None (the first
    such network in :data:`_NETWORKS`): a look-up per prefix length in :data:`_BY_PREFIX`."""
    best: tuple[int, str] | None = None
    for size in _PREFIX_SIZES:
        for order, label, lengths in _BY_PREFIX.get(digits[:size], ()):
            if len(digits) in lengths and (best is None or order < best[0]):
                best = (order, label)
    return best[1] if best else None


# every issuer prefix of every range, spelled out (a few hundred), -> (network order, label, lengths)
_BY_PREFIX: dict[str, list[tuple[int, str, frozenset[int]]]] = {}
for _order, (_label, _ranges, _lengths) in enumerate(_NETWORKS):
    for _low, _high in _ranges:
        for _number in range(int(_low), int(_high) + 1):
            _BY_PREFIX.setdefault(str(_number).zfill(len(_low)), []).append((_order, _label, _lengths))
_PREFIX_SIZES = sorted({len(prefix) for prefix in _BY_PREFIX})


def _boundary_ok(text: str, start: int, end: int) -> bool:
    """Not glued to more of a number: no word character after it, no decimal or date part."""
    if end < len(text):
        after = text[end]
        if after.isalnum() or after == "_":
            return False
        if after in ".,/:-" and end + 1 < len(text) and text[end + 1].isdigit():
            return False
    return not _IBAN_HEAD.search(text, max(0, start - 5), start)


def find_payment_cards(text: str) -> list[Detection]:
    if not _PREFILTER.search(text):
        return []
    found: list[Detection] = []
    for count, run in enumerate(_RUN.finditer(text)):
        if not count & 63:
            on_time("the payment card detector")  # a check's time budget (thousands of runs of digits)
        if run.end() - run.start() >= 13:  # fewer characters hold no card
            found += _cards_in_run(text, run.start(), run.group())
    return found


def _cards_in_run(text: str, run_start: int, run: str) -> list[Detection]:
    """The cards in one run of digit groups. Most windows cannot be a card and are passed over in a
    step or two: every printed grouping starts with a group of 4 or 6 digits, and a grouping right
    after a group of four is part of a longer run, so only an unbroken 13-19 digit piece is left to
    try there (100,000 characters of "4111 1111 ..." went through every window: 100 ms, now 10)."""
    found: list[Detection] = []
    # the run's space-separated pieces; a piece may hold dash-joined groups ("4111-1111-1111-1111")
    texts = run.split(" ")
    offsets = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    starts = [run_start + s for s in offsets]
    pieces = [t.split("-") for t in texts]
    count = len(pieces)
    # the pieces where a card may start (a printed grouping or an unbroken 13-19 digits follows), found
    # in C; the loop below decides exactly, and only from these
    candidates: Iterable[int] = range(count)
    if count > 8:  # (a short run is quicker read whole)
        piece_at = dict(zip(offsets, range(count), strict=True))
        candidates = sorted({piece_at[m.start()] for m in _CANDIDATE.finditer(run) if m.start() in piece_at})
    i = 0
    for step, candidate in enumerate(candidates):
        if not step & 255:
            on_time("the payment card detector")
        if candidate < i:
            continue  # inside a card already found
        i = candidate
        groups_i = pieces[i]
        after_four = i > 0 and len(pieces[i - 1][-1]) == 4
        if after_four or len(groups_i[0]) not in (4, 6):
            # only the piece itself, unbroken, can be a card here (see the docstring)
            digits = texts[i]
            if len(groups_i) == 1 and 13 <= len(digits) <= 19 and luhn_valid(digits):
                label = card_network(digits)
                end = starts[i] + len(digits)
                if label and _boundary_ok(text, starts[i], end):
                    found.append(Detection("payment_card", starts[i], end, label))
            i += 1
            continue
        groups: list[str] = []
        matched = None
        for j in range(i, min(i + 5, count)):
            groups += pieces[j]
            digits = "".join(groups)
            if len(digits) > 19 or len(groups) > 5:
                break
            if len(digits) >= 13 and (len(groups) == 1 or tuple(len(g) for g in groups) in _GROUPINGS):
                # one separator throughout: spaces when the window spans pieces, else the piece's own
                if j > i and any(len(p) > 1 for p in pieces[i : j + 1]):
                    continue
                # inside a longer run of four-digit groups (an IBAN, a tracking number) it is not a card
                if len(groups) > 1 and j + 1 < count and len(pieces[j + 1][0]) == 4:
                    continue
                label = card_network(digits)  # (the issuer first: cheaper than the check digit)
                label = label if label and luhn_valid(digits) else None
                end = starts[j] + len(texts[j])
                if label and _boundary_ok(text, starts[i], end):
                    # the longest window wins: a 19-digit card's first 16 digits may pass as well
                    matched = (j, Detection("payment_card", starts[i], end, label))
        if matched is not None:
            found.append(matched[1])
            i = matched[0] + 1
        else:
            i += 1
    return found


# A looser reading of the windows tried above (any separators, no check digit, the issuer unread):
# where one can start. A grouping right after a group of four is never a card (see _cards_in_run).
_CANDIDATE = re.compile(
    "(?<![0-9-])(?:(?=[0-9]{13,19}(?![0-9]))|(?<!(?<![0-9])[0-9]{4} )(?="
    + "|".join("[ -]".join(f"[0-9]{{{size}}}" for size in grouping) + "(?![0-9])" for grouping in sorted(_GROUPINGS))
    + "))")
