"""Demo bundles: the built-in one loads with its drafts, accounts and feed; a bundle with its own
policy works; every kind of broken bundle is refused with a message naming the file, the place in it
and what is wrong."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from desktop.core.demo import BundleError, builtin_bundle_path, load_bundle
from desktop.core.policy import load_policy

GOOD = '''
[bundle]
format = 1
name = "Tiny"

[policy]
builtin = "acme-example"

[[accounts]]
id = "kim"
name = "Kim"
handle = "@kim.bsky.social"
looks_like = "bluesky"

[[drafts]]
text = "Hello from the sandbox"
'''

OWN_POLICY = '''
[bundle]
format = 1
name = "Own policy"

[policy]
text = """
[policy]
id = "tiny"
name = "Tiny policy"
version = "1"
owner = "Training team"
contact = "training@example.com"

[[rules]]
id = "T1-word"
category = "codename"
kind = "lexicon"
terms = ["zebra"]
severity = "block"
message = "Codename: {match}"
examples.flag = ["zebra time"]
examples.pass = ["horse time"]
"""

[[accounts]]
id = "kim"
name = "Kim"
handle = "@kim@mastodon.example"
looks_like = "mastodon"

[[drafts]]
shows = "T1-word"
text = "zebra launch"

[[feed]]
name = "Lee"
handle = "@lee@mastodon.example"
text = "hi #team"
minutes_ago = 5
'''


def write(tmp_path: Path, text: str, name: str = "bundle.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_builtin_bundle_has_a_clean_post_and_one_sample_per_kind_of_finding() -> None:
    bundle = load_bundle(None)
    assert bundle.path == builtin_bundle_path() and bundle.path.parent.name == "demo"
    assert bundle.policy_name == "acme-example"
    shows = [draft.shows for draft in bundle.drafts]
    assert shows[0] == ""  # the clean post comes first
    assert len(set(shows[1:])) == len(shows) - 1 >= 6  # each sample shows a different rule
    assert {a.looks_like for a in bundle.accounts} == {"bluesky", "mastodon", "linkedin"}
    assert len(bundle.feed) == 2
    # each sample is flagged by the rule it claims to show, and the clean one by nothing that blocks or warns
    policy = load_policy("acme-example")
    for draft in bundle.drafts:
        found = {f.rule_id for f in policy.check(draft.text) if f.severity in ("block", "warn")}
        if draft.shows:
            assert draft.shows in found, (draft.text, found)
        else:
            assert not found, (draft.text, found)


def test_a_bundle_may_hold_its_own_policy(tmp_path: Path) -> None:
    bundle = load_bundle(write(tmp_path, OWN_POLICY))
    assert "T1-word" in bundle.policy_text and bundle.policy_name == "the bundle's policy"
    assert bundle.drafts[0].shows == "T1-word"
    assert bundle.feed[0].minutes_ago == 5 and bundle.feed[0].looks_like == "sandbox"


def test_a_minimal_bundle_loads(tmp_path: Path) -> None:
    bundle = load_bundle(write(tmp_path, GOOD))
    assert [a.id for a in bundle.accounts] == ["kim"] and bundle.drafts[0].accounts == ()


@pytest.mark.parametrize(("change", "where", "words"), [
    (lambda t: t.replace("format = 1", "format = 7"), "bundle.format", "newer Chorus"),
    (lambda t: t.replace("format = 1", 'format = "one"'), "bundle.format", "must be 1"),
    (lambda t: t.replace('[policy]\nbuiltin = "acme-example"', ""), "policy", "[policy] table is missing"),
    (lambda t: t.replace('builtin = "acme-example"', 'builtin = "acme-example"\ntext = "x"'), "policy", "not both"),
    (lambda t: t.replace('builtin = "acme-example"', 'builtin = "nope"'), "policy.builtin", "no built-in policy 'nope'"),
    (lambda t: t.replace('looks_like = "bluesky"', 'looks_like = "myspace"'), "accounts[1].looks_like", "myspace"),
    (lambda t: t.replace('id = "kim"', 'id = "Kim Smith"'), "accounts[1].id", "lower-case"),
    (lambda t: t + '[[accounts]]\nid = "kim"\nname = "K2"\nhandle = "@k2"\n', "accounts[2].id", "another account"),
    (lambda t: t.replace('handle = "@kim.bsky.social"\n', ""), "accounts[1].handle", "is missing"),
    (lambda t: t.replace('text = "Hello from the sandbox"', 'text = "Hi"\naccounts = ["zoe"]'), "drafts[1].accounts",
     "'zoe'"),
    (lambda t: t.replace('text = "Hello from the sandbox"', 'text = "Hi"\nshows = "R99"'), "drafts[1].shows",
     "not a rule"),
    (lambda t: t.replace('text = "Hello from the sandbox"', "text = 42"), "drafts[1].text", "text in quotes"),
    (lambda t: t.replace('text = "Hello from the sandbox"', 'text = "Hi"\ncolour = "red"'), "drafts[1]",
     "'colour' is not a field"),
    (lambda t: t.replace("[[drafts]]\ntext = \"Hello from the sandbox\"\n", ""), "drafts", "at least one"),
    (lambda t: t + '[[feed]]\nname = "A"\nhandle = "@a"\ntext = "x"\nminutes_ago = -3\n', "feed[1].minutes_ago",
     "whole number"),
    (lambda t: t + "[extras]\nx = 1\n", "the top level", "'extras' is not a field"),
])
def test_a_broken_bundle_says_where_and_what(tmp_path: Path, change, where: str, words: str) -> None:
    path = write(tmp_path, change(GOOD))
    with pytest.raises(BundleError) as caught:
        load_bundle(path)
    error = caught.value
    assert error.where == where, str(error)
    assert words in str(error), str(error)
    assert str(path) in str(error) and "resources/demo/README.md" in error.advice


def test_a_broken_policy_inside_the_bundle_names_the_rule(tmp_path: Path) -> None:
    path = write(tmp_path, OWN_POLICY.replace('examples.flag = ["zebra time"]', 'examples.flag = ["horse time"]')
                 .replace('severity = "block"', 'severity = "fatal"'))
    with pytest.raises(BundleError) as caught:
        load_bundle(path)
    assert caught.value.where == "policy" and "T1-word" in str(caught.value) and "severity" in str(caught.value)


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: None, "no such file"),
    (lambda p: p.mkdir(), "folder"),
    (lambda p: p.write_bytes(b"\xff\xfe\x00bad"), "not UTF-8"),
    (lambda p: p.write_text("[bundle\nformat = 1\n"), "not valid TOML"),
])
def test_a_file_that_is_no_bundle_at_all(tmp_path: Path, make, words: str) -> None:
    path = tmp_path / "scenario.toml"
    make(path)
    with pytest.raises(BundleError) as caught:
        load_bundle(path)
    assert words in str(caught.value) and str(path) in str(caught.value)


def test_a_zip_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "scenario.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo.toml", GOOD)
    with pytest.raises(BundleError, match="zip archive"):
        load_bundle(path)


def test_toml_errors_give_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('name = "Kim"', 'name = "Kim'))
    with pytest.raises(BundleError, match=r"line \d+"):
        load_bundle(path)
