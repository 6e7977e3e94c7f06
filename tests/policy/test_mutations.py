"""Mutation tests generated from the acme-example policy's own terms (acme-policy.md G1, G2, G4, R3, R4, R18).

Every block-severity codename (R3) and strong profanity term (R18) is disguised the ways the policy
names: zero-width and bidi characters, Cyrillic/Greek look-alikes, leet digits, mixed case, and for
R18 also stretched letters and spaced-out letters; multi-word codenames also in their hyphen,
underscore and compact (#hashtag) forms. Each disguise, put in a sentence, must still be flagged with
the rule's category and base severity, on a span that is exactly the disguised word as written.
Self-censored strong words (F*CK) are one level lower (warn); words that merely contain a term
(Scunthorpe, shitake, nightjars) are not flagged.

The term lists come from the loaded policy, so a term added to the TOML is tested automatically.
"""

from __future__ import annotations

import pytest

from desktop.core.policy import Severity, load_policy
from desktop.core.policy.lexicon import Term
from desktop.core.policy.rules import LexiconRule

POLICY = load_policy("acme-example")
NETWORK = "linkedin"


def lexicon_rules(category: str, severity: Severity | None = None) -> list[LexiconRule]:
    return [r for r in POLICY.rules if isinstance(r, LexiconRule) and r.category == category
            and (severity is None or r.severity is severity)]


CODENAME_RULES = lexicon_rules("codename", Severity.BLOCK)
STRONG_RULES = lexicon_rules("profanity", Severity.BLOCK)
MILD_RULES = lexicon_rules("profanity", Severity.INFO)
EMBARGO_RULES = lexicon_rules("unreleased_product", Severity.BLOCK)
ALL_PROFANITY = {t.text.casefold() for r in STRONG_RULES + MILD_RULES for t in r.lexicon.terms}

# (rule, term) pairs, and a readable test id for each
CODENAMES = [(r, t) for r in CODENAME_RULES for t in r.lexicon.terms]
STRONG = [(r, t) for r in STRONG_RULES for t in r.lexicon.terms]
EMBARGOED = [(r, t) for r in EMBARGO_RULES for t in r.lexicon.terms]


def test_the_policy_has_the_terms_these_tests_are_generated_from() -> None:
    # guards against the generated tests silently testing nothing
    assert {t.text for _, t in CODENAMES} >= {"Project Bluebird", "Project Nightjar", "NIGHTJAR"}
    assert {t.text for _, t in STRONG} >= {"fuck", "shit", "bullshit", "asshole", "bitch", "cunt", "motherfucker"}
    assert {t.text for _, t in EMBARGOED} == {"Acme Vault 3", "Acme Cloud Edge"}
    assert all(r.lexicon.evasion in ("leet", "strict") for r in CODENAME_RULES)
    assert all(r.lexicon.evasion == "strict" and r.self_censor for r in STRONG_RULES)
    assert [t.case for _, t in CODENAMES if t.text == "NIGHTJAR"] == ["upper"]


# -- building disguises ----------------------------------------------------------------------------------
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2060", "\u2066", "\u2069",
              "\ufeff", "\u00ad", "\u180e"]
# Cyrillic and Greek letters that look like Latin ones (Unicode UTS #39 confusables)
HOMOGLYPHS = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440", "x": "\u0445", "y": "\u0443",
    "i": "\u0456", "j": "\u0458", "s": "\u0455", "h": "\u04bb",
    "A": "\u0410", "B": "\u0412", "C": "\u0421", "E": "\u0415", "H": "\u041d", "I": "\u0406", "J": "\u0408",
    "K": "\u041a", "M": "\u041c", "O": "\u041e", "P": "\u0420", "S": "\u0405", "T": "\u0422", "X": "\u0425",
    "N": "\u039d",  # Greek capital nu
}
GREEK = {"o": "\u03bf", "A": "\u0391", "B": "\u0392", "E": "\u0395", "H": "\u0397", "I": "\u0399", "K": "\u039a",
         "O": "\u039f", "P": "\u03a1", "T": "\u03a4", "Z": "\u0396"}
LEET = {"o": "0", "i": "1", "e": "3", "a": "4", "s": "5", "t": "7"}
TEMPLATES = [
    "Quick update: {} is on my mind today.",
    "{} — that is all there is to say",
    "We talked about it for hours, {}",
]


def case_forms(term: Term) -> list[str]:
    """The term as written and in the other cases its case rule allows."""
    text = term.text
    if term.case == "upper":
        return [text.upper()]
    alternating = "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))
    return list(dict.fromkeys([text, text.lower(), text.upper(), text.title(), alternating]))


def letter_positions(text: str) -> list[int]:
    return [i for i, c in enumerate(text) if c.isalpha()]


def zero_width_forms(text: str) -> list[str]:
    first = letter_positions(text)[0]
    forms = [text[: first + 1] + zw + text[first + 1 :] for zw in ZERO_WIDTH]
    forms.append("".join(c + ("\u200b" if c.isalpha() and i < len(text) - 1 else "") for i, c in enumerate(text)))
    forms.append("".join(c + ("\u200d\u2060" if c.isalpha() and i < len(text) - 1 else "") for i, c in enumerate(text)))
    return forms


def substitution_forms(text: str, table: dict[str, str], *, keep_a_letter: bool = False) -> list[str]:
    """One letter substituted at each position where the table has one, then all of them at once."""
    spots = [i for i in letter_positions(text) if text[i] in table]
    forms = [text[:i] + table[text[i]] + text[i + 1 :] for i in spots]
    if len(spots) > 1:
        forms.append("".join(table.get(c, c) if i in spots else c for i, c in enumerate(text)))
    if keep_a_letter:  # leet digits are folded only in tokens that still have a letter
        forms = [f for f in forms if all(any(c.isalpha() for c in word) for word in f.split())]
    return list(dict.fromkeys(forms))


def stretched_forms(text: str) -> list[str]:
    forms = []
    for i in letter_positions(text):
        forms.append(text[:i] + text[i] * 3 + text[i + 1 :])
        forms.append(text[:i] + text[i] * 7 + text[i + 1 :])
    forms.append("".join(c * 4 for c in text))  # every letter stretched
    return forms


def spaced_forms(text: str) -> list[str]:
    letters = [c for c in text if c.isalpha()]
    forms = [sep.join(letters) for sep in (" ", ".", "-", "_")]
    forms.append(" ".join(letters).upper())
    seps = " .-_"
    forms.append("".join(c + seps[i % 4] for i, c in enumerate(letters))[:-1])  # separators mixed
    return forms


def joined_forms(term: Term) -> list[str]:
    """Multi-word terms: other joiners (G2) and the compact form with and without a #/@ (G2, G4)."""
    words = term.text.split()
    if len(words) < 2:
        return []
    compact = "".join(words)
    return [
        "-".join(words), "_".join(words), "\t".join(words), "  ".join(words), " - ".join(words),
        compact, compact.lower(), compact.upper(), "#" + compact, "@" + compact, "#" + compact.lower(),
    ]


# -- checking ------------------------------------------------------------------------------------------------
def findings_in(text: str, category: str, start: int, end: int):
    return [f for f in POLICY.check(text, NETWORK) if f.category == category and f.start < end and start < f.end]


def problems_flagging(forms: list[str], category: str, severity: Severity, *, exact: bool = True) -> list[str]:
    """Each form, in each template, must give exactly one finding of *category* and *severity* on its span."""
    problems = []
    for form in forms:
        for template in TEMPLATES:
            text = template.format(form)
            start = template.index("{}")
            end = start + len(form)
            found = findings_in(text, category, start, end)
            got = [(f.severity.value, f.text) for f in found]
            if len(found) != 1 or found[0].severity is not severity:
                problems.append(f"{form!r} in {text!r}: expected one {severity.value} {category}, got {got}")
            elif exact and (found[0].start, found[0].end) != (start, end):
                problems.append(f"{form!r} in {text!r}: span {found[0].text!r}, expected {form!r}")
    return problems


def problems_not_flagging(forms: list[str], category: str) -> list[str]:
    problems = []
    for form in forms:
        for template in TEMPLATES:
            text = template.format(form)
            start = template.index("{}")
            found = findings_in(text, category, start, start + len(form))
            if found:
                problems.append(f"{form!r} in {text!r}: flagged {[(f.severity.value, f.text) for f in found]}")
    return problems


def _ids(pairs):
    return [term.text for _, term in pairs]


# -- R3 codenames ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("rule", "term"), CODENAMES, ids=_ids(CODENAMES))
def test_codename_as_written_and_in_every_case(rule, term) -> None:
    assert problems_flagging(case_forms(term), rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), CODENAMES, ids=_ids(CODENAMES))
def test_codename_with_zero_width_and_bidi_characters(rule, term) -> None:
    forms = [f for base in case_forms(term)[:2] for f in zero_width_forms(base)]
    assert problems_flagging(forms, rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), CODENAMES, ids=_ids(CODENAMES))
def test_codename_with_cyrillic_and_greek_lookalikes(rule, term) -> None:
    bases = case_forms(term)[:1] + [term.text.upper()]
    forms = [f for base in dict.fromkeys(bases) for table in (HOMOGLYPHS, GREEK) for f in substitution_forms(base, table)]
    assert forms
    assert problems_flagging(forms, rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), CODENAMES, ids=_ids(CODENAMES))
def test_codename_with_leet_digits(rule, term) -> None:
    lower = {**LEET, **{k.upper(): v for k, v in LEET.items()}}
    forms = [f for base in case_forms(term)[:1] for f in substitution_forms(base, lower, keep_a_letter=True)]
    assert forms
    assert problems_flagging(forms, rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), [(r, t) for r, t in CODENAMES if len(t.tokens) > 1],
                         ids=_ids([(r, t) for r, t in CODENAMES if len(t.tokens) > 1]))
def test_multiword_codename_joined_compact_and_as_hashtag(rule, term) -> None:
    forms = joined_forms(term)
    words = term.text.split()
    forms += [
        "#" + "".join(words).replace("o", "0").replace("e", "3"),  # compact + leet
        "#" + words[0] + "\u200b" + "".join(words[1:]),  # compact + zero-width
        words[0] + " \u200b" + " ".join(words[1:]),  # zero-width next to the space
        "#" + "".join(HOMOGLYPHS.get(c, c) if c in "oe" else c for c in "".join(words)),  # compact + look-alikes
    ]
    assert problems_flagging(forms, rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), CODENAMES, ids=_ids(CODENAMES))
def test_codename_as_hashtag_and_handle_includes_the_symbol(rule, term) -> None:
    compact = "".join(term.text.split())
    assert problems_flagging(["#" + compact, "@" + compact], rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), CODENAMES, ids=_ids(CODENAMES))
def test_codename_with_all_disguises_at_once(rule, term) -> None:
    text = term.text
    # a leet digit, a look-alike and a zero-width character, each on a different letter
    spots = letter_positions(text)
    leet_at = next(i for i in spots if text[i].lower() in LEET)
    glyph_at = next(i for i in spots if text[i] in HOMOGLYPHS and i != leet_at)
    chars = list(text)
    chars[leet_at] = LEET[text[leet_at].lower()]
    chars[glyph_at] = HOMOGLYPHS[text[glyph_at]]
    chars.insert(spots[-1], "\u200b")
    assert problems_flagging(["".join(chars)], rule.category, rule.severity) == []


def test_nightjar_codename_is_upper_case_only() -> None:
    rule = next(r for r, t in CODENAMES if t.text == "NIGHTJAR")
    assert problems_flagging(["NIGHTJAR", "#NIGHTJAR", "N\u200bIGHTJAR", "N1GHTJ4R", "NIGHTJ4R"],
                             rule.category, rule.severity) == []
    # the bird, in any case that is not all capitals, is not a codename
    assert problems_not_flagging(["nightjar", "Nightjar", "NightJar", "nIGHTJAR", "NIGHTJAr", "nightjars",
                                  "Nightjars", "#nightjar", "n1ghtjar"], rule.category) == []
    # but "Project Nightjar" is a codename in any case
    assert problems_flagging(["Project nightjar", "project NIGHTJAR"], rule.category, rule.severity) == []


def test_codename_superstrings_and_bluebird_alone_are_not_flagged() -> None:
    words = [t.text.split() for _, t in CODENAMES]
    generated = []
    for parts in words:
        generated.append(" ".join(parts) + "s")  # last word made longer: "Project Bluebirds"
        generated.append("un" + " ".join(parts).lower())  # first word made longer
        generated.append("#" + "".join(parts) + "Fan")  # compact form inside a longer hashtag
    assert problems_not_flagging(
        generated + ["Bluebird", "bluebird", "BLUEBIRD", "Bluebird spotted", "a bluebird project",
                     "Bluebird project", "project management with bluebird", "Project", "Projects"],
        "codename",
    ) == []


# -- R18 strong profanity ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("rule", "term"), STRONG, ids=_ids(STRONG))
def test_strong_word_as_written_and_in_every_case(rule, term) -> None:
    assert problems_flagging(case_forms(term), rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), STRONG, ids=_ids(STRONG))
def test_strong_word_with_zero_width_and_bidi_characters(rule, term) -> None:
    assert problems_flagging(zero_width_forms(term.text), rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), STRONG, ids=_ids(STRONG))
def test_strong_word_with_cyrillic_and_greek_lookalikes(rule, term) -> None:
    forms = [f for base in (term.text, term.text.upper()) for table in (HOMOGLYPHS, GREEK)
             for f in substitution_forms(base, table)]
    assert forms
    assert problems_flagging(forms, rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), [(r, t) for r, t in STRONG if any(c in LEET for c in t.text)],
                         ids=_ids([(r, t) for r, t in STRONG if any(c in LEET for c in t.text)]))
def test_strong_word_with_leet_digits(rule, term) -> None:
    forms = substitution_forms(term.text, LEET, keep_a_letter=True)
    assert forms
    assert problems_flagging(forms, rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), STRONG, ids=_ids(STRONG))
def test_strong_word_with_stretched_letters(rule, term) -> None:
    assert problems_flagging(stretched_forms(term.text), rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), STRONG, ids=_ids(STRONG))
def test_strong_word_spaced_out(rule, term) -> None:
    assert problems_flagging(spaced_forms(term.text), rule.category, rule.severity) == []


def test_strong_word_spaced_out_next_to_a_one_letter_word() -> None:
    # "a" and "I" are ordinary one-letter words; a spaced-out word after or before them still counts
    problems = []
    for (rule, term), sep in ((pair, sep) for pair in STRONG for sep in (" ", ".")):
        spaced = sep.join(c for c in term.text if c.isalpha())
        for template in ("what a {} joke", "I {} agree", "{} a bit", "rate it a {} 10"):
            text = template.format(spaced)
            start = template.index("{}")
            found = findings_in(text, rule.category, start, start + len(spaced))
            if [(f.severity, f.start, f.end) for f in found] != [(rule.severity, start, start + len(spaced))]:
                problems.append(f"{text!r}: got {[(f.severity.value, f.text) for f in found]}")
    assert problems == []


@pytest.mark.parametrize(("rule", "term"), STRONG, ids=_ids(STRONG))
def test_strong_word_with_disguises_combined(rule, term) -> None:
    text = term.text
    forms = []
    leet = substitution_forms(text, LEET, keep_a_letter=True)
    if leet:
        forms.append(leet[0][:1] + "\u200b" + leet[0][1:])  # leet + zero-width
        forms.append(leet[0].upper())  # leet + case
    glyphs = substitution_forms(text, HOMOGLYPHS)
    if glyphs:
        forms.append(glyphs[0][:1] + "\u2060" + glyphs[0][1:])  # look-alike + zero-width
    last = letter_positions(text)[-1]
    forms.append(text[:1] + "\u200d" + text[1:last] + text[last] * 4 + text[last + 1 :])  # zero-width + stretched
    forms.append(" ".join(text.upper()))  # spaced + case
    assert problems_flagging(forms, rule.category, rule.severity) == []


def self_censored_forms(word: str) -> list[str]:
    """``*`` for one inner letter, for all but the first, for all but the first and last.

    Forms that leave a whole profanity written out next to the star (``fuck*d``, ``bul*shit``) are left
    out: token-level matching (G2: ``*`` ends a token) rightly reports the written-out word at full
    severity there.
    """
    inner = range(1, len(word) - 1)
    forms = [word[:i] + "*" + word[i + 1 :] for i in inner]
    forms.append(word[0] + "*" * (len(word) - 1))
    forms.append(word[0] + "*" * (len(word) - 2) + word[-1])
    forms = [f for f in forms if not any(piece.casefold() in ALL_PROFANITY for piece in f.split("*"))]
    return list(dict.fromkeys(f for form in forms for f in (form, form.upper())))


@pytest.mark.parametrize(("rule", "term"), STRONG, ids=_ids(STRONG))
def test_self_censored_strong_word_is_one_level_lower(rule, term) -> None:
    forms = self_censored_forms(term.text)
    assert forms
    assert problems_flagging(forms, rule.category, rule.severity.lowered()) == []


def test_self_censored_examples_from_the_policy() -> None:
    rule = STRONG_RULES[0]
    assert problems_flagging(["F*CK", "sh*t", "f**k", "S**T", "b*tch", "c*nt", "f*cking"],
                             rule.category, Severity.WARN) == []
    # a different length, or only stars, is not a self-censored strong word
    assert problems_not_flagging(["f*ckk", "****", "f*", "sh**ty*"], rule.category) == []


def test_strong_word_superstrings_are_not_flagged() -> None:
    generated = []
    for _, term in STRONG:
        for form in (f"s{term.text}horpe", f"{term.text}ake", f"cla{term.text}ic", f"{term.text}ery"):
            if form.casefold() not in ALL_PROFANITY:
                generated.append(form)
    assert len(generated) >= 3 * len(STRONG)
    named = ["Scunthorpe", "assess", "classic", "shitake", "Shitake mushrooms", "cocktail", "passion", "bass",
             "assassin", "Sussex", "Dickensian", "hitchhike", "scrapbook", "shellfish", "Michelle", "hello"]
    disguised = ["Scunth0rpe", "sh1take", "S c u n t h o r p e", "a.s.s.e.s.s", "shiiitake", "cla\u200bssic"]
    assert problems_not_flagging(generated + named + disguised, "profanity") == []


# -- R4 embargoed products --------------------------------------------------------------------------------
@pytest.mark.parametrize(("rule", "term"), EMBARGOED, ids=_ids(EMBARGOED))
def test_embargoed_product_as_written_in_every_case_and_joined(rule, term) -> None:
    assert problems_flagging(case_forms(term) + joined_forms(term), rule.category, rule.severity) == []


@pytest.mark.parametrize(("rule", "term"), EMBARGOED, ids=_ids(EMBARGOED))
def test_embargoed_product_with_zero_width_lookalikes_accents_and_full_width(rule, term) -> None:
    text = term.text
    accented = "".join(c + "\u0301" if c in "aeiouAEIOU" else c for c in text)  # combining acute accents
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" for c in text)
    forms = zero_width_forms(text) + substitution_forms(text, HOMOGLYPHS) + [accented, full_width]
    assert problems_flagging(forms, rule.category, rule.severity) == []


def test_embargoed_version_number_forms() -> None:
    rule = EMBARGO_RULES[0]
    for form in ("Acme Vault 3.0", "Acme Vault 3.1", "acme vault 3.0"):
        for template in TEMPLATES:
            text = template.format(form)
            start = template.index("{}")
            found = findings_in(text, rule.category, start, start + len(form))
            assert len(found) == 1 and found[0].severity is Severity.BLOCK, (text, found)
            # the span is the product name, with or without the ".0"
            assert found[0].start == start and start + len("Acme Vault 3") <= found[0].end <= start + len(form)


def test_embargoed_near_misses_are_not_flagged() -> None:
    assert problems_not_flagging(
        ["Acme Vault 30", "Acme Vault 33", "Acme Vault", "Acme Cloud", "Acme Cloud Edges", "Acme Cloud Edgeworth",
         "Acme Vault, 3 of them", "Acme Vault is 3 years old", "AcmeVault30", "#AcmeCloudEdges"],
        "unreleased_product",
    ) == []
