"""Phone numbers in a post (R16).

Found by the shape real numbering plans give them, not by one country's format: E.164 numbers
(``+49 176 12345678``, ``(+45) 12 34 56 78``, ``+44 (0)20 7031 3000``), numbers after an international
prefix (``00``, ``011``, ``0011``), national numbers with a trunk prefix (``0176 1234 5678``,
``(020) 7031 3000``, ``033316005``) or area code (``(415) 666-7777``, ``(21)99713-3601``), grouped by
spaces, ``-``, ``.``, ``/`` or parentheses, with an optional extension (``x 123``, ``ext. 123``).

What only looks like one is left out by rule: dates and times (``2012-01-02 08:00``, ``23.04.2022``,
``20120102 08:00``), decimals (``200.38294427``), version numbers and IP addresses (dotted groups
that are not a number's), currency amounts (a currency sign or name beside it), card-like runs of
four-digit groups, identifiers longer than any phone number, and numbers after a keyword that says
what they are (``order``, ``invoice``, ``ticket``, ``account`` ...).

The country is named when the number says it (international form); a national number is "a phone
number". Everything here is linear in the post's length: one possessive pattern finds the runs of
digits and separators, and each run is examined once with a bounded look at the words before it.

Why not Google's libphonenumber (``phonenumbers`` 9.0 on PyPI)? Measured on the peer suites for
issue 11: its ``PhoneNumberMatcher`` needs the post's country to find a national number, which a
post does not have; with region US it found 0.60 of the suite's numbers at leniency VALID (0.77 at
POSSIBLE, with 0.10 false positives) where this module finds all with none; checking this module's
international numbers with ``is_possible_number`` lost two numbers with extensions and removed no
false positive. It would add 48 MB installed (40 MB of it the geocoder that would name a country,
whose import took minutes under tracemalloc), 100-190 ms and 1.3 MB to import, and about a second
per 100,000 characters of decimals; :mod:`.calling_codes` names an international number's country
without it.
"""

from __future__ import annotations

import functools

import regex

from desktop.core.policy.budget import on_time
from desktop.core.policy.detectors.calling_codes import country_code, country_of
from desktop.core.policy.detectors.spans import Detection, Span

# A run: groups of digits (any may be in parentheses, the first may carry '+') joined by one
# separator each: a space, '-', '.', '/' (also " / ", German style), or nothing next to a
# parenthesis (a spaced dash " - " ends the run: it joins two numbers). Not glued to a word, an
# amount, a path or another number on the left, except a label's "Tel:" or "OFFICE-"; not glued to
# a word on the right. An extension may follow.
_RUN = regex.compile(
    r"(?:(?<=\btel:)|(?<![\w@#$€£¥₹%&+.,/\\:=_-])|(?<=[^\W\d_][:-]))"
    r"(?:\(\+?+\d++\)|\+?+\d++)"
    r"(?:(?:[ ]/[ ]|[ ./-]|(?<=\))|(?=\())(?:\(\d++\)|\d++))*+"
    r"(?:[ ]?+(?:x|ext\.?+|extension|#)[ ]?+\d{1,7}+)?+"
    r"(?![\w@%])"
)
_GROUP = regex.compile(r"\+?+\d++")
_EXTENSION = regex.compile(r"[ ]?+(?:x|ext\.?+|extension|#)[ ]?+\d{1,7}+$")
# dates inside a run: d/m/y or m/d/y (a 2-digit year only with '/': "06.12.12" is a French number's
# groups), y-m-d; an hour is the group before ':' and is found from the text after the run
_DATE = regex.compile(
    r"(?<![\d])(?:(?:0?[1-9]|[12]\d|3[01])([./-])(?:0?[1-9]|[12]\d|3[01])\1(?:19|20)\d\d"
    r"|(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|[12]\d|3[01])/\d\d"
    r"|(?:19|20)\d\d([./-])(?:0?[1-9]|1[0-2])\2(?:0?[1-9]|[12]\d|3[01]))(?![\d])"
)
_DECIMAL = regex.compile(r"\d++\.\d++")
_PIECE = regex.compile(r"\S++")
_NOT_DIGIT = regex.compile(r"\D++")
_DIGIT = regex.compile(r"\d")
_DASH_TAIL = tuple(f"-{d}" for d in "0123456789")  # "030 1234567-0": a switchboard's extension
_LETTER = regex.compile(r"[^\W\d_]")
_ONE_DIGIT = regex.compile(r"(?<!\d)\d(?!\d)")
_WORD = regex.compile(r"[^\W\d_]++|#|№")

# Words that say what a number is, read backwards from it past fillers ("order no.: 123").
_FILLERS = frozenset({"number", "numbers", "no", "nr", "num", "nos", "is", "of", "the", "id", "my", "our",
                      "your", "a", "an", "at", "on", "to", "me", "us", "here", "new", "old", "this", "are", "be"})
_NOT_PHONE = frozenset({
    "order", "orders", "invoice", "invoices", "ticket", "tickets", "ref", "reference", "account", "acct", "a/c",
    "tracking", "case", "serial", "sku", "isbn", "issn", "iban", "bic", "swift", "routing", "sort", "form", "omb",
    "claim", "policy", "booking", "confirmation", "receipt", "transaction", "txn", "customer", "member",
    "membership", "card", "patent", "doi", "version", "ver", "build", "release", "v", "po", "pr", "issue",
    "bug", "item", "part", "model", "product", "shipment", "parcel", "package", "passport", "license",
    "licence", "vin", "ssn", "tin", "ein", "vat", "tax", "student", "employee", "badge", "batch", "lot",
    "page", "pages", "room", "flight", "train", "bus", "route", "zip", "postcode", "pin", "otp", "code",
    "usd", "eur", "gbp", "jpy", "inr", "brl", "chf", "cad", "aud", "cny", "rmb", "rub", "mxn",
    "dollars", "dollar", "euros", "euro", "pounds", "yen", "rupees", "rupee", "lira", "reais",
    "pesos", "francs", "yuan", "rubles", "roubles", "price", "total", "amount",
    "balance", "cost", "costs", "paid", "pay", "salary", "revenue", "budget", "population", "views",
    "followers", "users", "downloads", "score", "id#", "#", "№", "coordinates", "latitude", "longitude",
})
_PHONE_WORDS = frozenset({
    "phone", "phones", "tel", "telephone", "mobile", "cell", "cellphone", "call", "calling", "ring", "dial",
    "text", "sms", "whatsapp", "signal", "telegram", "fax", "landline", "hotline", "helpline", "reach",
    "contact", "tlf", "tfn", "mob", "ph", "handy", "telefon", "téléphone", "teléfono", "telefone", "celular",
    "portable", "móvil", "movil", "cellulare", "numero", "número", "nummer", "line", "desk", "office",
})
_CURRENCY_AFTER = regex.compile(
    r"^[ ]?+(?:[$€£¥₹%‰]|(?:usd|eur|gbp|jpy|inr|brl|chf|cad|aud|cny|rmb|rub|mxn|try|dollars?|euros?|pounds?|"
    r"yen|rupees?|lira|reais|pesos?|francs?|yuan|won|roubles?|rubles?|km|kg|mb|gb|tb|ms|px|bytes?|percent)\b)",
    regex.IGNORECASE)
_CURRENCY_BEFORE = regex.compile(r"(?:[$€£¥₹]|\b(?:usd|eur|gbp|inr|brl|chf|jpy))[ ]?+$", regex.IGNORECASE)

_MAX_DIGITS = 15  # E.164: at most 15 digits after the international prefix
_NATIONAL = (9, 13)  # a national number with its trunk or area code: NZ 03 331 6005 .. DE 0176 12345678
_WITH_KEYWORD = 7  # "call 555-1212": a local number when a word before it says it is a phone


def _context_word(text: str, start: int) -> str:
    """The nearest word before *start* (within the line and 40 characters) that is not a filler."""
    window = text[max(0, start - 40):start]
    window = window[window.rfind("\n") + 1:]
    words: list[str] = _WORD.findall(window)
    for word in reversed(words[-5:]):
        lower = word.lower()
        if lower not in _FILLERS:
            return lower
    return ""


def _dotted_non_phone(piece: str) -> bool:
    """Dotted groups that are a version or an IP address, not a number written with dots: a phone
    number's groups after the first have two digits or more, and a dotted quad of 0-255 without
    leading zeros is an address."""
    if "." not in piece:
        return False
    groups = piece.strip("()+").split(".")
    if any(not g.strip("()").isdigit() for g in groups):
        return False
    if len(groups) == 4 and all(len(g) <= 3 and int(g) <= 255 and (g == "0" or not g.startswith("0")) for g in groups):
        return True
    return any(len(g.strip("()")) < 2 for g in groups[1:])


def _card_like(groups: list[str]) -> bool:
    """Runs of four-digit groups (card numbers, IBAN tails): 16 digits and more in 4s, or 4-6-5."""
    lengths = [len(g) for g in groups]
    if sum(lengths) >= 13 and len(lengths) >= 3 and all(n == 4 for n in lengths[:-1]) and lengths[-1] <= 4:
        return True
    return lengths == [4, 6, 5] or lengths == [4, 6, 4]


def _label(number: str) -> str:
    """'a phone number from Germany' when the number carries its country code, else 'a phone number'."""
    compact = number.lstrip("(").lstrip()
    digits = _NOT_DIGIT.sub("", number)
    if compact.startswith("+"):
        code = country_code(digits)
    elif digits.startswith("00") and not digits.startswith(("000", "0011")):
        code = country_code(digits[2:])  # the international prefix most of the world dials
    else:
        code = _after_long_prefix(number)
    return f"a phone number from {country_of(code)}" if code else "a phone number"


def _after_long_prefix(number: str) -> str | None:
    """The country after the North American (011) or Australian (0011) international prefix, when
    the group after it is a whole calling code ("011 44 20 ..."); 011 is also a national area code
    (Buenos Aires), so only a separate, known code counts."""
    groups: list[str] = _GROUP.findall(number)
    if len(groups) >= 3 and groups[0] in ("011", "0011") and country_code(groups[1]) == groups[1]:
        return groups[1]
    return None


def _prefix_groups(groups: list[str]) -> int:
    """1 when the first group is an international prefix on its own ("011 33 1 23 45 67 89")."""
    return 1 if groups and groups[0] in ("00", "011", "0011") else 0


def _not_a_number_shape(groups: list[str], separators: str, dash_tail: bool) -> bool:
    """Groups no numbering plan writes: a list of one-digit numbers (a phone number has at most a
    one-digit country, trunk or carrier code near its start, and a switchboard's '-0' at its end
    when *dash_tail*), years ("1990-2000-2010"), a time range ("0730-1830"); and, without a '+',
    amounts in thousands ("1 000 000 000", "250 000 000", "123.456.789"), a list of two-digit
    numbers (a plan written in pairs starts with its trunk 0: "01 23 45 67 89") and the shapes of
    other national numbers: US ZIP+4 (94105-1234), Social Security (123-45-6789) and employer
    numbers (12-3456789), Brazil's CPF (123.456.789-09)."""
    digits = [g.lstrip("+") for g in groups]
    lengths = [len(g) for g in digits]
    inner = lengths[2 + _prefix_groups(digits):-1] if dash_tail else lengths[2 + _prefix_groups(digits):]
    if any(n == 1 for n in inner):
        return True
    if len(digits) >= 2 and all(len(g) == 4 and g[:2] in ("19", "20") for g in digits):
        return True
    if len(digits) == 2 and all(len(g) == 4 and int(g[:2]) < 24 and int(g[2:]) < 60 for g in digits):
        return True
    if groups[0].startswith("+"):
        return False
    thousands = len(digits) >= 3 and lengths[0] <= 3 and all(n == 3 for n in lengths[1:]) and separators in (" ", ".")
    if thousands and (len(digits) >= 4 or separators == "." or digits[-2:] == ["000", "000"]):
        return True
    if len(digits) >= 4 and all(n == 2 for n in lengths) and not digits[0].startswith("0"):
        return True
    if separators == "-" and (lengths in ([5, 4], [3, 2, 4]) or (lengths == [2, 7] and digits[0][0] != "0")):
        return True
    return lengths == [3, 3, 3, 2] and separators == "-."


def _accept(text: str, start: int, end: int, word: str) -> bool:
    """Whether text[start:end] (a run with no date, time or decimal left in it) is a phone number;
    *word* is the word before it (:func:`_context_word`). Cheap tests first: most windows tried
    fail on their digit count."""
    number = _EXTENSION.sub("", text[start:end])
    international = number.lstrip("(").startswith("+")
    if international:
        number = number.replace("(0)", "", 1)  # '+44 (0)20 ...': the trunk 0 is not dialled from abroad
    groups = _GROUP.findall(number)
    digits = "".join(groups).lstrip("+")
    n = len(digits)
    if international:
        if not 7 <= n <= _MAX_DIGITS or country_code(digits) is None:
            return False
    elif digits.startswith("00") and not digits.startswith("000") or _after_long_prefix(number):
        if not 9 <= n <= _MAX_DIGITS + 4:
            return False
    elif not (_WITH_KEYWORD if word in _PHONE_WORDS else _NATIONAL[0]) <= n <= _NATIONAL[1]:
        return False
    elif len(groups) == 1 and not (digits[0] == "0" and digits[1] != "0" and n <= 11):
        return False  # unformatted: only a trunk prefix says it is a number to dial, not an ID
    separators = "".join(sorted(set(c for c in number if c in " -./")))
    if _not_a_number_shape(groups, separators, number.endswith(_DASH_TAIL)) or _card_like(groups):
        return False
    if any(_dotted_non_phone(p) for p in number.split(" ")):
        return False
    if word in _NOT_PHONE:
        return False
    return not (_CURRENCY_AFTER.match(text, end) or _CURRENCY_BEFORE.search(text, max(0, start - 6), start))


def _segments(text: str, start: int, end: int) -> list[Span]:
    """The parts of a run left when its dates, times, decimals, versions and addresses are taken out."""
    run = text[start:end]
    hour = text.startswith(":", end) and end + 1 < len(text) and text[end + 1].isdigit()
    dates = list(_DATE.finditer(run)) if run.count(".") + run.count("/") + run.count("-") >= 2 else []
    if not hour and not dates and "." not in run:
        return [(start, end)]  # no date, time, decimal or version in it
    cut = bytearray(len(run))  # 1 where a character belongs to one of them
    for m in dates:
        cut[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    if hour:
        at = max(run.rfind(c) for c in " -/.)") + 1  # '... 08:00': the last group is an hour
        cut[at:] = b"\x01" * (len(run) - at)
    for m in _PIECE.finditer(run):
        if _DECIMAL.fullmatch(m.group()) or _dotted_non_phone(m.group()):
            cut[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    parts: list[Span] = []
    i = 0
    while i < len(run):
        if cut[i]:
            i += 1
            continue
        j = cut.find(1, i)
        j = len(run) if j < 0 else j
        piece = run[i:j]
        lead = len(piece) - len(piece.lstrip(" ./-"))
        trail = len(piece) - len(piece.rstrip(" ./-"))
        if j - trail > i + lead:
            parts.append((start + i + lead, start + j - trail))
        i = j
    return parts


_MAX_PIECES = 8  # "+33 6 12 34 56 78 ext 12": the most space-separated pieces one number takes
_TABLE = 24  # more space-separated pieces than this in one run: a table or list of numbers, not prose
_MAX_PIECE = 32  # characters in one space-free piece of a number ("+86-20-61302222-8866x12345")


def _windows(text: str, start: int, end: int) -> list[Span]:
    """A part holding more digits than one number splits at its spaces into the longest windows that
    are phone numbers ("call 650-253-4561 455-234-3451"); a '+' only starts one; a part without
    spaces that is too long is an identifier, except for an international number's trailing
    extension group; a part that is a card number or an account's four-digit groups is none."""
    if end - start <= _MAX_PIECE and _accept(text, start, end, _context_word(text, start)):
        return [(start, end)]  # the usual case: the part is one number
    pieces = [(m.start() + start, m.end() + start) for m in _PIECE.finditer(text[start:end])]
    if len(pieces) > 2 and _card_like(_GROUP.findall(_EXTENSION.sub("", text[start:end]))):
        return []
    # per piece: its digits (-1: too long to be part of a number) and whether a group of one digit
    # comes after its first (a list of numbers, not a phone number's groups)
    counts = [sum(map(str.isdigit, text[s:e])) if e - s <= _MAX_PIECE else -1 for s, e in pieces]
    tiny = [_ONE_DIGIT.search(text, s, e - 2 if text.endswith(_DASH_TAIL, s, e) else e) is not None for s, e in pieces]
    table = len(pieces) > _TABLE  # a table of numbers: a number in it starts with '+', '(' or a trunk 0
    found: list[Span] = []
    i = 0
    while i < len(pieces):
        if table and text[pieces[i][0]] not in "+(0":
            i += 1
            continue
        best = None
        total = 0
        candidates = []
        tiny_from = 2 + _prefix_groups([text[pieces[i][0]:pieces[i][1]]])
        for j in range(i, min(len(pieces), i + _MAX_PIECES)):
            if counts[j] < 0 or (j > i and text[pieces[j][0]] in "+(" and text[pieces[j][0]:pieces[j][0] + 2] != "(0"
                                 and "+" in text[pieces[j][0]:pieces[j][0] + 2]):
                break
            if j - i >= tiny_from and tiny[j]:
                break  # see _not_a_number_shape: a one-digit group this far in is a list of numbers
            total += counts[j]
            if total > _MAX_DIGITS + 8:
                break
            if total >= _WITH_KEYWORD:
                candidates.append(j)
        word = _context_word(text, pieces[i][0]) if candidates else ""
        first = text[pieces[i][0]:pieces[i][1]]
        national = first[0].isdigit() and not first.startswith(("00", "011"))
        for j in reversed(candidates):
            s, e = pieces[i][0], pieces[j][1]
            if national and sum(counts[i:j + 1]) > _NATIONAL[1] and not _LETTER.search(text, s, e):
                continue  # longer than a national number, and no extension to leave out
            trimmed = _trim_extension(text, s, e)
            if _accept(text, s, e, word) or (trimmed is not None and _accept(text, s, trimmed, word)):
                best = (s, e, j)
                break
        if best:
            found.append((best[0], best[1]))
            i = best[2] + 1
        else:
            i += 1
    return found


def _trim_extension(text: str, start: int, end: int) -> int | None:
    """'+86 20 61302222-8866': an international number longer than E.164 allows whose last group,
    after a '-', is an extension; the end of the number without it."""
    cut = text.rfind("-", start, end)
    if cut > start and text[start] in "+(" and 1 <= end - cut - 1 <= 5 and text[cut + 1:end].isdigit():
        return cut
    return None


@functools.lru_cache(maxsize=4)
def _detect(text: str) -> tuple[Detection, ...]:
    found: list[Detection] = []
    for count, match in enumerate(_RUN.finditer(text)):
        if not count & 63:
            on_time("the phone number detector")  # a check's time budget
        if match.end() - match.start() < _WITH_KEYWORD:
            continue  # fewer digits than any number
        for s, e in _segments(text, match.start(), match.end()):
            for ws, we in _windows(text, s, e):
                found.append(Detection("phone", ws, we, _label(text[ws:we])))
    return tuple(found)


def find_phone_detections(text: str) -> list[Detection]:
    """The phone numbers in *text*, each labelled with its country when the number gives it."""
    if _DIGIT.search(text) is None:
        return []
    return list(_detect(text))


def find_phones(text: str) -> list[Span]:
    return [(d.start, d.end) for d in find_phone_detections(text)]


def phone_labels(text: str) -> dict[Span, str]:
    """What each phone number found in *text* is ("a phone number from Germany"), by its span, for
    "{kind}" in a rule's message (the detections of the last few texts are cached, so asking after
    :func:`find_phones` costs nothing)."""
    return {(d.start, d.end): d.label for d in find_phone_detections(text)}


# Freephone and shared-cost ranges, from the national numbering plans, by calling code: numbers a
# business publishes for customers to call, never a person's line. NANP (+1): the toll-free area
# codes 800, 833, 844, 855, 866, 877, 888; UK (+44): 0800, 0808 (freephone) and 0500 (closed 2017,
# still printed); Germany (+49) 0800; France (+33) 0800-0805 (numéros verts); Netherlands (+31)
# 0800; Italy (+39) 800, 803; Spain (+34) 900, 800; Australia (+61) 1800 (freecall), 1300 (local
# rate); India (+91) 1800; and the universal international freephone numbers (+800).
_TOLL_FREE: dict[str, tuple[str, ...]] = {
    "1": ("800", "833", "844", "855", "866", "877", "888"),
    "44": ("800", "808", "500"),
    "49": ("800",),
    "33": ("800", "801", "802", "803", "804", "805"),
    "31": ("800",),
    "39": ("800", "803"),
    "34": ("900", "800"),
    "61": ("1800", "1300"),
    "91": ("1800",),
}
# written nationally: with the trunk prefix (0800 …) or, for NANP, Australia and India, without one
# Spain (900, 800), Italy (800, 803) and Portugal (800) write their nine-digit freephone numbers
# without a trunk prefix
_TOLL_FREE_NINE_DIGITS = ("900", "800", "803")
_TOLL_FREE_NATIONAL = ("0800", "0801", "0802", "0803", "0804", "0805", "0808", "0500", "1800", "1300")


def is_toll_free(number: str) -> bool:
    """Whether *number* (as found by :func:`find_phones`) is a freephone or shared-cost business line:
    "1-800-555-0134", "(888) 555 0100", "+44 800 123 4567", "0800 123 4567", "1300 975 707"."""
    compact = number.lstrip("( ")
    digits = _NOT_DIGIT.sub("", _EXTENSION.sub("", number))
    if compact.startswith("+") or digits.startswith("00"):
        digits = digits[2:] if not compact.startswith("+") else digits
        code = country_code(digits)
        if code is None:
            return digits.startswith("800")  # +800: universal international freephone
        prefixes = _TOLL_FREE.get(code)
        return prefixes is not None and digits[len(code):].lstrip("0").startswith(prefixes)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]  # NANP dialled with its 1
    if len(digits) == 10 and digits[:3] in _TOLL_FREE["1"]:
        return True
    if len(digits) == 9 and digits[:3] in _TOLL_FREE_NINE_DIGITS:
        return True  # Spain, Italy and Portugal dial nine digits without a trunk prefix: 900 123 456
    return digits.startswith(_TOLL_FREE_NATIONAL)


def last_digits(text: str, n: int = 10) -> str:
    """The number's last *n* digits, its extension left out, to compare it with an allow list."""
    return "".join(c for c in _EXTENSION.sub("", text.strip()) if c.isdigit())[-n:]
