"""The built-in `default` policy catches each theme by the shape of its sentences, not by sample words.

The default policy cannot know a company's names, so it recognises a theme by how it is written:
a financial measure with a verb of expectation and a future period; a deal or results with "not
public yet"; a dated fix or a price freeze promised to customers; a violent verb aimed at someone's
face; a person called an idiot or useless; an advert-style superlative without a disclosure; a
named health condition with a possessive; a customer's system that went down; a codename with a
launch date. The sentences below are written for this test and appear in no corpus (checked), so
they measure whether the rules generalise past the corpora they were tuned on.

`default_nearmiss.jsonl` holds clean posts that share each theme's shape but not its problem
(published results, ordinary customer service, insults aimed at oneself or at things, disclosed
praise, health research, a public outage, a charity's "Operation"): none may get a warn or block
finding. The first default hold-out (`default_holdout.jsonl`) was used to find these themes, so it
is seen data now: its score here is a regression guard, not a blind measure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.core.policy import load_policy
from tests.policy.test_default_corpus import MAX_FALSE_POSITIVE_RATE, MIN_RECALL, read_posts, score_seen

DATA = Path(__file__).resolve().parents[1] / "data"
NEAR_MISSES = DATA / "default_nearmiss.jsonl"
HOLDOUT = DATA / "default_holdout.jsonl"
# the corpora the rules were written against: the theme sentences below must be in none of them
CORPORA = ("acme_corpus.jsonl", "acme_holdout.jsonl", "default_corpus.jsonl", "default_holdout.jsonl",
           "default_holdout2.jsonl", "default_holdout3.jsonl", "default_nearmiss.jsonl")
REPORTED = {"warn", "block"}

# theme -> the rule categories that may report it
CATEGORIES = {
    "forward_looking": {"forward_looking"},
    "nonpublic": {"financial_nonpublic"},
    "customer_promise": {"customer_promise"},
    "threat": {"harassment"},
    "insult": {"harassment"},
    "endorsement": {"missing_disclosure"},
    "health": {"health_info"},
    "customer_incident": {"customer_name"},
    "codename": {"unreleased_product"},
    # second round: the classes the second hold-out showed (written here, not copied from it)
    "material_news": {"financial_nonpublic"},
    "customer_confidential": {"customer_name"},
    "company_voice": {"speaking_for_company"},
    "unannounced_product": {"unreleased_product"},
    "incitement": {"harassment"},
    "competitor_trouble": {"competitor_disparagement"},
    "personal_data": {"personal_data"},
    "credential": {"secret"},
}

# (theme, post, the words a finding must cover)
THEME_SENTENCES = [
    ("forward_looking", "Between us, I expect earnings at Contoso to jump 25% in Q4.", "earnings at Contoso to jump 25%"),
    ("forward_looking", "Gross margin for the hardware unit should climb to 45% next fiscal year, trust me.",
     "should climb to 45%"),
    ("forward_looking", "Net income at Wingtip will double next year, mark my words.", "will double next year"),
    ("forward_looking", "we project ARR to cross $80M by the end of the year", "ARR to cross $80M"),
    ("nonpublic", "The Litware buyout closes next Tuesday and the press release isn't out yet.", "buyout closes next"),
    ("nonpublic", "We're way below the forecast this quarter and the numbers come out on the 3rd, it's ugly.",
     "way below the forecast"),
    ("nonpublic", "Don't repeat this: the spin-off is signed Friday, nothing public until the call.", "nothing public until"),
    ("nonpublic", "We are crushing the quarter, results drop next week and they're huge.", "crushing the quarter"),
    ("customer_promise", "We'll have your sync working again by 3pm, don't you worry.", "working again by"),
    ("customer_promise", "Our bank will never raise overdraft fees for existing members.", "never raise overdraft fees"),
    ("customer_promise", "We won't be increasing your monthly subscription price this year.", "increasing your monthly"),
    ("customer_promise", "Hang tight, we'll get the outage resolved for all of you within two hours.", "outage resolved"),
    ("threat", "I'm going to smash his face in if he scratches my car again", "smash his face"),
    ("threat", "someone should rip that guy's head off", "rip that guy's head"),
    ("threat", "If he shows up I will knock his teeth out", "knock his teeth"),
    ("insult", "Mikhail is an absolute moron and I'm tired of pretending otherwise.", "absolute moron"),
    ("insult", "Whoever scheduled this 7am call is a total clown.", "total clown"),
    ("insult", "Our new VP is so incompetent it's almost impressive.", "so incompetent"),
    ("insult", "Lena in payroll is hopeless, every single month.", "hopeless"),
    ("endorsement", "Honestly the best password manager on the market, full stop.", "best password manager on the market"),
    ("endorsement", "ZenLedger is hands down the top accounting software out there.", "hands down the top"),
    ("endorsement", "Best invoicing app, period. Try it.", "Best invoicing app, period"),
    ("endorsement", "If you're still not using Tallyho for invoices you're throwing money away.", "Tallyho"),
    ("health", "My coworker's depression is getting worse and she won't admit it.", "depression"),
    ("health", "Ravi is off sick with pneumonia so the demo moves to Friday.", "pneumonia"),
    ("health", "@nina_k's ADHD explains a lot about her standups lol", "ADHD"),
    ("health", "Sorry for the slow replies, my flatmate's chemo starts this week and I'm driving her.", "chemo"),
    ("customer_incident", "The customer's core billing system went down for 14 hours last night.",
     "core billing system went down"),
    ("customer_incident", "Their production database was breached on Monday and they haven't told their users.",
     "production database was breached"),
    ("customer_incident", "Our client's payment gateway crashed twice during their Black Friday sale.",
     "payment gateway crashed"),
    ("codename", "Codename Heron launches next month, and the competition has no idea.", "Codename Heron"),
    ("codename", "Project Aurora goes live before Christmas!", "Project Aurora"),
    ("codename", "Can't wait: Operation Lantern is slated for late Q2.", "Operation Lantern"),
    # second round: one sentence per class of phrasing, none taken from a corpus
    ("material_news", "The Veltro takeover is signed, nobody outside the board knows yet", "nobody outside the board knows"),
    ("material_news", "Heads up: the SEC approved our filing, official announcement goes out tomorrow",
     "official announcement goes out tomorrow"),
    ("material_news", "Investors haven't heard yet, but our CEO resigned an hour ago.", "Investors haven't heard"),
    ("forward_looking", "We anticipate EBITDA of $12M this year, just saying.", "We anticipate EBITDA"),
    ("forward_looking", "two more banks on board would take revenue past $30M", "would take revenue past"),
    ("customer_confidential", "Call with Halden Bank today: they're planning to close 40 branches next year",
     "close 40 branches"),
    ("customer_confidential", "Their CISO admitted they've never patched the VPN, wild.", "never patched the"),
    ("customer_confidential", "Marlow Foods pays us $60k a year and still complains about everything", "pays us $60k"),
    ("customer_confidential", "Signed Ortega Freight at $300k ARR!", "Signed Ortega Freight at $300k ARR"),
    ("customer_confidential", "Renewal done: 2 years at 30% off list for the whole group.", "30% off list"),
    ("endorsement", "Apex Cloud blows the competition out of the water.", "blows the competition out of the water"),
    ("endorsement", "Honestly cheaper and faster than any other option on the market.", "cheaper and faster than any other"),
    ("endorsement", "Best £5 you will ever spend: Glimmer Notes.", "Best £5 you will ever spend"),
    ("endorsement", "Do yourself a favour and grab Orbit Planner before the weekend.", "Do yourself a favour and grab"),
    ("company_voice", "Speaking for everyone at Tallyho: we are thrilled with the ruling.", "Speaking for everyone at"),
    ("company_voice", "As Brindle's spokesperson, I can confirm the recall.", "As Brindle's spokesperson"),
    ("company_voice", "We as a company reject these claims entirely.", "We as a company reject"),
    ("company_voice", "Official statement from Pellworth: the data was never at risk.", "Official statement from Pellworth"),
    ("customer_promise", "I'll personally guarantee a refund to anyone affected.", "I'll personally guarantee"),
    ("customer_promise", "We promise you'll never pay for support again.", "We promise you"),
    ("customer_promise", "We'll match any rival's quote, no matter what.", "match any rival's quote"),
    ("customer_promise", "Your backups will never be lost, and that's a guarantee.", "backups will never be lost"),
    ("unannounced_product", "Gridline 4 lands on Android next month.", "lands"),
    ("unannounced_product", "Private preview starts next Monday for the enterprise edition.", "Private preview starts"),
    ("unannounced_product", "Pricing changes on 1 March: the Pro tier goes up to $29.", "Pricing changes"),
    ("unannounced_product", "Roadmap: Q1 = offline mode, Q2 = shared inboxes.", "Q1 = offline mode"),
    ("health", "Anya has long covid and can't do mornings right now.", "long covid"),
    ("health", "Raj's scan came back: a brain tumour.", "brain tumour"),
    ("health", "Congrats Mira, 30 weeks pregnant and still shipping features!", "pregnant"),
    ("incitement", "Everyone go flood @mike_r's mentions until he apologises.", "flood @mike_r"),
    ("incitement", "Post her home address, let's see how brave she is then.", "Post her home address"),
    ("incitement", "Let's all ring his boss every hour tomorrow.", "ring his boss every hour"),
    ("competitor_trouble", "Halberd Inc is about to miss payroll again, lol.", "miss payroll"),
    ("competitor_trouble", "Heard our rival is out of runway and shopping for a buyer.", "out of runway"),
    ("personal_data", "Send it to 14 Birch Grove, Leeds LS6 2AB please.", "14 Birch Grove"),
    ("personal_data", "Flat viewing at Kastanienallee 7, 10435 Berlin on Sunday", "Kastanienallee 7, 10435 Berlin"),
    ("personal_data", "his passport no. 553201948 is on the booking", "553201948"),
    ("credential", "the password for the demo tenant is Lantern#2027 until Friday", "Lantern#2027"),
    ("credential", "kiosk login is still root / Pa55word!kiosk, sorry", "Pa55word!kiosk"),
    # third round: the classes the third hold-out showed (written here, not copied from it)
    ("company_voice", "We at Tollgate formally distance ourselves from the CEO's podcast remarks.", "We at Tollgate"),
    ("company_voice", "Mossbank officially denies every allegation in the article.", "officially denies"),
    ("company_voice", "En nombre de Ferralia, queremos pedir disculpas a los afectados.", "En nombre de Ferralia"),
    ("company_voice", "Au nom de Brisaline, nous regrettons profondément cet incident.", "Au nom de Brisaline"),
    ("forward_looking", "Quietly, we're pacing toward $140M in bookings this fiscal year.", "pacing"),
    ("forward_looking", "Wir erwarten im nächsten Jahr ein Umsatzwachstum von 18 %.", "Wir erwarten"),
    ("forward_looking", "Prevediamo un fatturato di 60 milioni per il 2027.", "Prevediamo"),
    ("material_news", "Quelle surprise : Ondalys va être rachetée par son concurrent, annonce jeudi.", "va être rachetée"),
    ("material_news", "Fjordlink wordt volgende maand overgenomen, niet doorvertellen.", "wordt volgende maand overgenomen"),
    ("material_news", "Heads up: the buyback lands right before earnings, so hold your shares.", "buyback lands"),
    ("material_news", "The FCA has privately turned down our licence application.", "turned down our licence application"),
    ("customer_confidential", "Their sysadmin accidentally wiped the backups on Monday.", "Their sysadmin accidentally wiped"),
    ("customer_confidential", "Turns out the client had been operating without MFA for two years.", "operating without MFA"),
    ("customer_confidential", "Our customer Pellham Freight keeps missing payroll runs.", "keeps missing payroll"),
    ("customer_confidential", "Les gens de Vitrex veulent rompre le contrat avant l'été.", "veulent rompre"),
    ("unannounced_product", "The tablet has been signed off internally for an autumn launch.", "signed off internally"),
    ("unannounced_product", "We're eyeing a Prime Day release for the new kettle.", "eyeing a Prime Day release"),
    ("unannounced_product", "Das ist noch nicht angekündigt, aber die App bekommt einen Dunkelmodus.", "noch nicht angekündigt"),
    ("unannounced_product", "Nuestro nuevo patinete llega en octubre a las tiendas.", "Nuestro nuevo patinete llega en octubre"),
    ("endorsement", "Try our Plumline CRM: it's second to none, and I'd know.", "our Plumline"),
    ("endorsement", "Unser neuer Staubsauger ist einfach der beste auf dem Markt.", "Unser neuer Staubsauger"),
    ("competitor_trouble", "Rumour has it Quillon's auditors quit over the revenue numbers.", "auditors quit"),
    ("competitor_trouble", "Tarvia gaat failliet, hun klanten mogen ons bellen.", "gaat failliet"),
    ("customer_promise", "Setup in 48 hours or your money back, you have my word.", "or your money back"),
    ("customer_promise", "We guarantee the patch will be out before Monday's payroll run.", "We guarantee the patch"),
    ("personal_data", "Her NIE for the lease is Y4821937K, can someone file it?", "Y4821937K"),
    ("personal_data", "Send the welcome pack to 14 Banksia Road, Paddington QLD 4064.", "14 Banksia Road"),
    ("personal_data", "Refund it to sort code 30-91-42, account 55871203 please.", "sort code 30-91-42"),
    ("personal_data", "ping me on sam dot okafor at fastmail dot com", "sam dot okafor at fastmail dot com"),
    ("insult", "@devon_k you're easily the laziest developer on this team.", "laziest developer"),
    ("insult", "Honestly, she's a complete muppet, ask anyone.", "a complete muppet"),
    ("insult", "Il nuovo responsabile è un vero incompetente.", "è un vero incompetente"),
    ("health", "New hire has epilepsy, so no strobe lights at the party please.", "epilepsy"),
    ("health", "Pieter zit al weken thuis met een burn-out.", "burn-out"),
    ("credential", "export VAULT_TOKEN=hvs.K9x2LmQ7ZpR4tW8vN3bY6cD1eF5gH0jA and rerun", "hvs.K9x2LmQ7ZpR4tW8vN3bY6cD1eF5gH0jA"),
]

# the same shapes with what makes them fine: a disclosure, a published source, yourself, the past
THEME_PASSES = [
    "Honestly the best password manager on the market, full stop. (Disclosure: I work there.)",
    "#employee ZenLedger is hands down the top accounting software out there.",
    "Net income at Wingtip doubled last year, as their annual report shows.",
    "Analysts expect earnings at Contoso to jump 25% in Q4, according to the consensus on their IR page.",
    "The Litware buyout closed last Tuesday; the press release is on their site.",
    "I'm such a clown sometimes, I joined the wrong call.",
    "My depression is something I talk about openly, and it helps.",
    "Project Aurora went live last spring and the case study is public.",
    "We'll look into it and get back to you as soon as we can.",
    # second round
    "We project the slides on the big screen at 10.",
    "They pay their interns fairly, good for them.",
    "We signed Jake for our five-a-side team.",
    "Their app still doesn't have dark mode, sadly.",
    "The best pizza I've ever had was in Naples.",
    "The concert last night blew me away.",
    "Everyone email him your feedback by Friday, please.",
    "Call him back at 3pm about the invoice.",
    "Our new office is at 3 Quay Road, Bristol BS1 4QA, visit us any weekday.",
    "Order no. 55120934 shipped today.",
    "Sam has a diabetes app that won an award.",
    "Official statement from the city council: the bridge reopens Monday.",
    "Read our official statement on the press page.",
    # third round
    "We at the allotment society voted to plant more trees.",
    "The committee formally rejected my proposal, fair enough.",
    "Analysts expect margins to expand by 200bps next year, per the consensus.",
    "Wir rechnen mit etwa 40 Gästen beim Sommerfest.",
    "I pulled the plug on my home server at last.",
    "The winners aren't announced yet, so keep voting!",
    "I promise I'll bring the cake by Friday.",
    "I felt like the dumbest person in the room at my first job, and that's fine.",
    "Knee rehab again today, second time this month.",
    "The test card 4242 4242 4242 4242 works in the sandbox.",
    "Security reports go to security@ourproduct.example, PGP key on the site.",
    "Our switchboard is +44 20 7946 0100 for anything urgent.",
]


@pytest.fixture(scope="module")
def policy():
    return load_policy("default")


def _reported(policy, text: str) -> list:
    return [f for f in policy.check(text, "linkedin") if f.severity.value in REPORTED]


def test_theme_sentences_are_new_to_every_corpus() -> None:
    texts = "\n".join((DATA / name).read_text(encoding="utf-8") for name in CORPORA)
    posts = [json.loads(line)["text"] for line in texts.splitlines() if line.strip()]
    for _, text, _ in THEME_SENTENCES:
        assert not any(text in post or post in text for post in posts), text
    assert {theme for theme, _, _ in THEME_SENTENCES} == set(CATEGORIES)


@pytest.mark.parametrize(("theme", "text", "words"), THEME_SENTENCES, ids=[t[1][:40] for t in THEME_SENTENCES])
def test_each_theme_is_caught_by_its_shape(policy, theme: str, text: str, words: str) -> None:
    start = text.index(words)
    end = start + len(words)
    hits = [f for f in _reported(policy, text) if f.start < end and start < f.end]
    assert hits, f"no warn/block finding over {words!r} in {text!r}"
    categories = {rule.id: rule.category for rule in policy.rules}
    assert {categories[f.rule_id] for f in hits} & CATEGORIES[theme], \
        [(f.rule_id, text[f.start:f.end]) for f in hits]


@pytest.mark.parametrize("text", THEME_PASSES, ids=[t[:40] for t in THEME_PASSES])
def test_the_same_shapes_pass_when_nothing_is_wrong(policy, text: str) -> None:
    assert not _reported(policy, text), [(f.rule_id, text[f.start:f.end]) for f in _reported(policy, text)]


def test_clean_near_misses_get_no_warning(policy) -> None:
    posts = read_posts(NEAR_MISSES)
    assert len(posts) >= 40
    assert all(not post["expect"] for post in posts)
    assert len({post["theme"] for post in posts}) >= 8
    flagged = {post["id"]: [(f.rule_id, post["text"][f.start:f.end]) for f in _reported(policy, post["text"])]
               for post in posts}
    assert not {k: v for k, v in flagged.items() if v}


def test_first_holdout_stays_caught_now_that_it_is_seen(policy) -> None:
    score = score_seen(policy, HOLDOUT)
    assert score.recall >= MIN_RECALL, score.missed
    assert score.false_positive_rate <= MAX_FALSE_POSITIVE_RATE, score.flagged_clean
