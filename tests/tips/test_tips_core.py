"""desktop.core.tips: parsing, broken files, the tips folder, policy tips, ranking, tip of the day."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from desktop.core.policy import load_policy
from desktop.core.policy.active import policy_from_text
from desktop.core.tips import (
    FindingKey,
    TipError,
    TipHistory,
    builtin_folder,
    load_tips,
    parse_tip,
    policy_tips,
    rank,
    tip_of_the_day,
    tips_for,
)

GOOD = """---
title: Keep it short
categories: length_limit
rules: R20-length
networks: bluesky
link: https://example.com/short
---
Cut the **second** paragraph.
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_reads_every_header_field():
    tip = parse_tip(GOOD, "short.md", "short")
    assert (tip.id, tip.title, tip.categories, tip.rules, tip.networks) == (
        "short", "Keep it short", ("length_limit",), ("R20-length",), ("bluesky",))
    assert tip.link == "https://example.com/short"
    assert tip.markdown().startswith("## Keep it short\n\nCut the **second** paragraph.")
    assert tip.summary() == "Cut the second paragraph."


@pytest.mark.parametrize(("text", "line", "words"), [
    ("title: x\n", 1, "header between two '---'"),
    ("---\ntitle: x\ncategorie: secret\n---\nbody\n", 3, "did you mean `categories`"),
    ("---\ntitle: x\nnetworks: bluesky, mastodn\n---\nbody\n", 3, "unknown network 'mastodn'"),
    ("---\ntitle: x\nlink: http://plain.example\n---\nbody\n", 3, "https://"),
    ("---\ntitle: x\ntitle: y\n---\nbody\n", 3, "given twice"),
    ("---\ntitle: x\njust words\n---\nbody\n", 3, "expected 'field: value'"),
    ("---\ntitle: x\n---\n\n", 4, "no text after its header"),
    ("---\ntitle: x\nbody\n", 1, "closing '---'"),
])
def test_a_broken_tip_names_file_and_line(text, line, words):
    with pytest.raises(TipError) as caught:
        parse_tip(text, "/tips/broken.md", "broken")
    assert caught.value.problem.line == line
    assert str(caught.value).startswith(f"/tips/broken.md, line {line}: ")
    assert words in str(caught.value)


def test_missing_title_names_the_file():
    with pytest.raises(TipError, match=r"^/t/x.md: the header has no 'title'"):
        parse_tip("---\ncategories: secret\n---\nbody\n", "/t/x.md", "x")


def test_builtin_library_is_large_valid_and_covers_the_shipped_policies():
    library = load_tips()
    assert library.problems == []
    assert len(library) >= 40
    categories = {c for tip in library.tips.values() for c in tip.categories}
    rule_ids = {r for tip in library.tips.values() for r in tip.rules}
    for name in ("default", "acme-example"):
        data = tomllib.loads((builtin_folder().parent / "policies" / f"{name}.toml").read_text(encoding="utf-8"))
        assert {rule["category"] for rule in data["rules"]} <= categories, name
    known_rules = {rule.id for name in ("default", "acme-example") for rule in load_policy(name, run_examples=False).rules}
    assert rule_ids <= known_rules, f"tips name rules no shipped policy has: {sorted(rule_ids - known_rules)}"
    networks = {n for tip in library.tips.values() for n in tip.networks}
    assert {"bluesky", "mastodon", "linkedin"} <= networks


def test_folder_adds_and_replaces_by_id_and_broken_files_do_not_stop_the_others(tmp_path):
    folder = tmp_path / "company-tips"
    write(folder, "credentials-never.md", "---\ntitle: Our own credentials rule\ncategories: secret\n---\nCall the SOC.\n")
    write(folder, "vpn.md", "---\ntitle: Never show the VPN\ncategories: internal_url\n---\nIt is ours.\n")
    write(folder, "broken.md", "---\ntitle: Broken\ncategorie: secret\n---\nx\n")
    write(folder, "latin1.md", "placeholder")
    (folder / "latin1.md").write_bytes("---\ntitle: caf\xe9\n---\nx\n".encode("latin-1"))
    write(folder, "README.md", "not a tip")
    library = load_tips(folder)
    assert library.tips["credentials-never"].title == "Our own credentials rule"
    assert library.tips["credentials-never"].source == str(folder / "credentials-never.md")
    assert library.tips["vpn"].title == "Never show the VPN"
    assert "codenames" in library.tips  # built-in tips are still there
    messages = [str(p) for p in library.problems]
    assert any(m.startswith(f"{folder / 'broken.md'}, line 3: unknown header field 'categorie'") for m in messages)
    assert any(m.startswith(f"{folder / 'latin1.md'}: is not UTF-8") for m in messages)
    assert len(messages) == 2


def test_missing_folder_is_a_problem_not_an_error(tmp_path):
    library = load_tips(tmp_path / "nowhere")
    assert len(library) >= 40
    assert "does not exist" in str(library.problems[0])


POLICY_WITH_TIPS = """
[policy]
id = "tipsy"
name = "Tipsy"
version = "1"
owner = "Comms"
contact = "comms@example.com"

[[rules]]
id = "no-foo"
category = "codename"
kind = "lexicon"
terms = ["foo"]
severity = "warn"
message = "Foo"
examples.flag = ["foo"]

[[tips]]
id = "codenames"
title = "Tipsy codenames"
categories = ["codename"]
text = "Say *bar* instead."

[[tips]]
id = "no-title"
text = "x"
"""


def test_policy_tips_replace_file_tips_and_broken_ones_are_named():
    policy = policy_from_text(POLICY_WITH_TIPS.encode(), "tipsy.toml")
    assert policy.warnings == []  # [[tips]] is a known part of the policy format
    tips, problems = policy_tips(policy.info.tips, policy.info.id)
    assert [t.id for t in tips] == ["codenames"] and tips[0].body == "Say *bar* instead."
    assert [str(p) for p in problems] == ["policy tipsy, tip no-title: the header has no 'title'"]
    merged = load_tips().merged(tips, problems)
    assert merged.tips["codenames"].title == "Tipsy codenames"


def _tip(tip_id, **fields):
    header = "\n".join(f"{k}: {v}" for k, v in fields.items())
    return parse_tip(f"---\ntitle: {fields.pop('title', tip_id)}\n{header}\n---\nbody\n", tip_id, tip_id)


def test_rank_findings_first_then_networks_then_the_rest():
    tips = [
        _tip("a-general"),
        _tip("b-bluesky", networks="bluesky"),
        _tip("c-secret-category", categories="secret"),
        _tip("d-secret-rule", rules="R1-secret"),
        _tip("e-length", kinds="metric"),
        _tip("f-profanity", categories="profanity"),
        _tip("g-mastodon", networks="mastodon"),
    ]
    assert [t.id for t in rank(tips)] == ["a-general", "b-bluesky", "c-secret-category", "d-secret-rule",
                                          "e-length", "f-profanity", "g-mastodon"]
    findings = [FindingKey("R18", "profanity", "lexicon", "info"), FindingKey("R1-secret", "secret", "detector", "block")]
    ranked = [t.id for t in rank(tips, findings, ["mastodon"])]
    # the block finding's tips first (its rule's tip before its category's), then the info finding's,
    # then the chosen network's, then the rest by title
    assert ranked == ["d-secret-rule", "c-secret-category", "f-profanity", "g-mastodon", "a-general", "b-bluesky",
                      "e-length"]


def test_rule_kind_matches_only_when_no_tip_names_the_finding():
    tips = [_tip("length", kinds="metric"), _tip("ours", categories="length_limit")]
    own_rule = FindingKey("company-length", "size", "metric", "warn")
    assert [t.id for t in tips_for(tips, own_rule)] == ["length"]
    named = FindingKey("R20-length", "length_limit", "metric", "warn")
    assert [t.id for t in tips_for(tips, named)] == ["ours"]
    assert [t.id for t in rank(tips, [named])][0] == "ours"


def test_tip_of_the_day_is_deterministic_and_avoids_recent_ones(tmp_path):
    tips = list(load_tips().tips.values())
    day = dt.date(2026, 3, 2)
    assert tip_of_the_day(tips, day) == tip_of_the_day(list(reversed(tips)), day)
    first = tip_of_the_day(tips, day)
    assert tip_of_the_day(tips, day, recent=[first.id]) != first
    history = TipHistory(tmp_path / "tips-shown.json")
    shown = []
    for n in range(14):
        today = day + dt.timedelta(days=n)
        tip = history.pick(tips, today)
        assert history.pick(tips, today) == tip  # the same all day
        shown.append(tip.id)
    assert len(set(shown)) == 14  # no repeats within the recent window
    history.save()
    again = TipHistory(tmp_path / "tips-shown.json")
    assert again.pick(tips, day + dt.timedelta(days=13)).id == shown[-1]  # survives a restart
    assert again.recent(day + dt.timedelta(days=14)) == shown


def test_tip_of_the_day_with_few_tips_still_picks_one():
    tips = [_tip("only")]
    assert tip_of_the_day(tips, dt.date(2026, 1, 1), recent=["only"]).id == "only"
    assert tip_of_the_day([], dt.date(2026, 1, 1)) is None
