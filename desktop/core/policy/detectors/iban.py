"""International bank account numbers (IBAN, ISO 13616) in a post.

An IBAN is a country code, two check digits and the country's basic bank account number (BBAN),
with one fixed length per country as the SWIFT IBAN registry lists it. It is written electronically
in one piece ("DE89370400440532013000") or printed in groups of four ("DE89 3704 0044 0532 0130 00").
A candidate counts when its country is in the registry, its length is that country's, its check
digits are 02-98 and the whole passes the mod-97 check: a random string passes one time in 97.
Linear in the post: one scan for "two capitals, two digits" not inside a word, then a bounded read.
"""

from __future__ import annotations

import re

from desktop.core.policy.budget import on_time
from desktop.core.policy.detectors.spans import Detection

# Country code -> (IBAN length, the country's bank account number in words, with its article).
REGISTRY: dict[str, tuple[int, str]] = {
    "AD": (24, "an Andorran"), "AE": (23, "an Emirati"), "AL": (28, "an Albanian"), "AT": (20, "an Austrian"),
    "AZ": (28, "an Azerbaijani"), "BA": (20, "a Bosnian"), "BE": (16, "a Belgian"), "BG": (22, "a Bulgarian"),
    "BH": (22, "a Bahraini"), "BI": (27, "a Burundian"), "BR": (29, "a Brazilian"), "BY": (28, "a Belarusian"),
    "CH": (21, "a Swiss"), "CR": (22, "a Costa Rican"), "CY": (28, "a Cypriot"), "CZ": (24, "a Czech"),
    "DE": (22, "a German"), "DJ": (27, "a Djiboutian"), "DK": (18, "a Danish"), "DO": (28, "a Dominican"),
    "EE": (20, "an Estonian"), "EG": (29, "an Egyptian"), "ES": (24, "a Spanish"), "FI": (18, "a Finnish"),
    "FK": (18, "a Falkland Islands"), "FO": (18, "a Faroese"), "FR": (27, "a French"), "GB": (22, "a British"),
    "GE": (22, "a Georgian"), "GI": (23, "a Gibraltar"), "GL": (18, "a Greenlandic"), "GR": (27, "a Greek"),
    "GT": (28, "a Guatemalan"), "HN": (28, "a Honduran"), "HR": (21, "a Croatian"), "HU": (28, "a Hungarian"),
    "IE": (22, "an Irish"), "IL": (23, "an Israeli"), "IQ": (23, "an Iraqi"), "IS": (26, "an Icelandic"),
    "IT": (27, "an Italian"), "JO": (30, "a Jordanian"), "KW": (30, "a Kuwaiti"), "KZ": (20, "a Kazakh"),
    "LB": (28, "a Lebanese"), "LC": (32, "a Saint Lucian"), "LI": (21, "a Liechtenstein"), "LT": (20, "a Lithuanian"),
    "LU": (20, "a Luxembourg"), "LV": (21, "a Latvian"), "LY": (25, "a Libyan"), "MC": (27, "a Monegasque"),
    "MD": (24, "a Moldovan"), "ME": (22, "a Montenegrin"), "MK": (19, "a North Macedonian"), "MN": (20, "a Mongolian"),
    "MR": (27, "a Mauritanian"), "MT": (31, "a Maltese"), "MU": (30, "a Mauritian"), "NI": (28, "a Nicaraguan"),
    "NL": (18, "a Dutch"), "NO": (15, "a Norwegian"), "OM": (23, "an Omani"), "PK": (24, "a Pakistani"),
    "PL": (28, "a Polish"), "PS": (29, "a Palestinian"), "PT": (25, "a Portuguese"), "QA": (29, "a Qatari"),
    "RO": (24, "a Romanian"), "RS": (22, "a Serbian"), "RU": (33, "a Russian"), "SA": (24, "a Saudi"),
    "SC": (31, "a Seychellois"), "SD": (18, "a Sudanese"), "SE": (24, "a Swedish"), "SI": (19, "a Slovenian"),
    "SK": (24, "a Slovak"), "SM": (27, "a San Marino"), "SO": (23, "a Somali"), "ST": (25, "a São Tomé and Príncipe"),
    "SV": (28, "a Salvadoran"), "TL": (23, "an East Timorese"), "TN": (24, "a Tunisian"), "TR": (26, "a Turkish"),
    "UA": (29, "a Ukrainian"), "VA": (22, "a Vatican"), "VG": (24, "a British Virgin Islands"), "XK": (20, "a Kosovar"),
    "YE": (30, "a Yemeni"),
}

_HEAD = re.compile(r"(?<![0-9A-Za-z_])([A-Z]{2})([0-9]{2})")


def _tail_pattern(n: int) -> re.Pattern[str]:
    """The BBAN of *n* characters, in one piece or in groups of four after single spaces."""
    groups = f"(?: [A-Z0-9]{{4}}){{{n // 4}}}" + (f" [A-Z0-9]{{{n % 4}}}" if n % 4 else "")
    return re.compile(f"(?:[A-Z0-9]{{{n}}}|{groups})(?![0-9A-Za-z_])")


_TAILS = {length - 4: _tail_pattern(length - 4) for length, _ in REGISTRY.values()}


def mod97_valid(iban: str) -> bool:
    """ISO 13616's check: the first four characters moved to the end, letters as 10-35, mod 97 is 1."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def find_ibans(text: str) -> list[Detection]:
    found: list[Detection] = []
    position = 0
    for count, head in enumerate(_HEAD.finditer(text)):
        if not count & 255:
            on_time("the IBAN detector")  # a check's time budget
        if head.start() < position:
            continue
        entry = REGISTRY.get(head.group(1))
        if entry is None or not 2 <= int(head.group(2)) <= 98:
            continue
        tail = _TAILS[entry[0] - 4].match(text, head.end())
        if tail is None:
            continue
        compact = head.group() + tail.group().replace(" ", "")
        if mod97_valid(compact):
            found.append(Detection("iban", head.start(), tail.end(), f"{entry[1]} bank account number (IBAN)"))
            position = tail.end()
    return found
