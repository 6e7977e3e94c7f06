"""The policy the app checks with (configured, else last good copy, else none) and checking for several networks."""

from __future__ import annotations

import re

import pytest

from desktop.core.networks import NETWORKS
from desktop.core.policy import load_policy, policies_dir
from desktop.core.policy.active import load_active_policy, policy_file
from desktop.core.policy.targets import TargetedCheck

ACME_FILE = policies_dir() / "acme-example.toml"
BROKEN_RULE = """
[[rules]]
id = "R99-broken"
category = "codename"
kind = "lexicon"
severity = "severe"
message = "Broken: {match}"
terms = ["Project Kestrel"]
examples.flag = ["Project Kestrel is close"]
examples.pass = ["A kestrel hovering"]
"""


@pytest.fixture(scope="module")
def acme():
    return load_policy("acme-example")


def copy_of_acme(tmp_path, version=None, extra=""):
    text = ACME_FILE.read_text(encoding="utf-8")
    if version:
        text = re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text, count=1)
    path = tmp_path / "company-policy.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


# -- load_active_policy ---------------------------------------------------------------------------
def test_a_good_policy_is_used_and_kept_as_the_last_good_copy(tmp_path):
    cache = tmp_path / "data" / "policy-last-good.toml"
    active = load_active_policy("acme-example", cache)
    assert active.ok and not active.fallback and active.notice is None and active.refusal is None
    assert active.label.startswith("Acme Corp social media policy ")
    assert cache.read_bytes() == ACME_FILE.read_bytes()
    assert oct(cache.stat().st_mode & 0o777) == "0o600"
    mtime = cache.stat().st_mtime_ns
    assert load_active_policy("acme-example", cache).ok
    assert cache.stat().st_mtime_ns == mtime  # unchanged: not rewritten


def test_a_broken_file_falls_back_to_the_last_good_copy_naming_every_problem(tmp_path):
    cache = tmp_path / "policy-last-good.toml"
    path = copy_of_acme(tmp_path, version="2025.06.1-local")
    assert load_active_policy(str(path), cache).ok
    path.write_text(path.read_text(encoding="utf-8").replace('severity = "warn"', 'severity = "warning"', 1)
                    + BROKEN_RULE, encoding="utf-8")
    active = load_active_policy(str(path), cache)
    assert active.fallback and not active.ok
    assert active.policy.version_key == "acme-example@2025.06.1-local"
    notice = active.notice
    assert notice.startswith(f"The policy “{path}” cannot be used:")
    assert f"{path}: rule R5-launch-timing: severity: must be one of block, warn, info, not 'warning'" in notice
    assert f"{path}: rule R99-broken: severity: must be one of block, warn, info, not 'severe'" in notice
    assert "Chorus keeps checking with the last good policy: Acme Corp social media policy 2025.06.1-local, saved" \
        in notice
    assert cache.read_text(encoding="utf-8").count("R99-broken") == 0  # the broken text never replaces it


def test_without_a_last_good_copy_there_is_no_policy_and_publishing_is_refused(tmp_path):
    active = load_active_policy(str(tmp_path / "missing.toml"), tmp_path / "policy-last-good.toml")
    assert active.policy is None
    assert f"{tmp_path / 'missing.toml'}: does not exist" in active.notice
    assert "policy checking is off and publishing is refused" in active.notice
    assert active.refusal.startswith("Publishing is refused: there is no valid policy")
    assert active.label == "No valid policy"


def test_a_corrupt_last_good_copy_is_reported_too(tmp_path):
    cache = tmp_path / "policy-last-good.toml"
    cache.write_text("not = [valid", encoding="utf-8")
    active = load_active_policy("no-such-policy", cache)
    assert active.policy is None
    assert "no-such-policy: is not a built-in policy" in active.notice
    assert f"The last good copy ({cache}) cannot be used either." in active.notice


def test_many_problems_are_summarised(tmp_path):
    rules = "".join(BROKEN_RULE.replace("R99-broken", f"R9{n}-broken") for n in range(9))
    path = copy_of_acme(tmp_path, extra=rules)
    active = load_active_policy(str(path), None)
    assert active.policy is None and len(active.problems) == 9
    assert "…and 3 more problems (`chorus policy validate FILE` lists them all)" in active.notice


def test_policy_file_names(tmp_path):
    assert policy_file("default") == policies_dir() / "default.toml"
    assert policy_file(" acme-example ") == ACME_FILE
    assert policy_file(str(tmp_path / "p.toml")) == tmp_path / "p.toml"
    assert policy_file("~/p.toml").is_absolute()


def test_the_default_setting_names_a_policy_that_loads(tmp_path):
    from desktop.core.settings import SPECS

    [spec] = [s for s in SPECS if s.key == "policy.source"]
    assert load_active_policy(spec.default, None).ok


# -- TargetedCheck -----------------------------------------------------------------------------------
def test_length_is_checked_for_every_network_in_one_list(acme):
    post = "🙂 " + "word " * 70  # 352 code points
    check = TargetedCheck(acme, NETWORKS)
    assert check.primary == "linkedin"  # the policy's default network, since it is among the targets
    findings = [f for f in check(post) if f.rule_id == "R20-length"]
    assert [(f.network, f.message) for f in findings] == [
        ("x", "Too long for X: the highlighted part is past the limit"),
        ("bluesky", "Too long for Bluesky: the highlighted part is past the limit"),
    ]
    # X counts the emoji as two: its cut is one code point earlier
    assert [f.start for f in findings] == [279, 300] and {f.end for f in findings} == {len(post)}


def test_network_independent_findings_are_reported_once(acme):
    post = "Project Bluebird " + "x" * 600
    everywhere = TargetedCheck(acme, NETWORKS)(post)
    assert [f.rule_id for f in everywhere].count("R3-codename") == 1
    assert {f.network for f in everywhere if f.rule_id == "R20-length"} == {"x", "bluesky", "mastodon"}
    assert TargetedCheck(acme, ["linkedin"])(post) == [f for f in everywhere if f.rule_id != "R20-length"]


def test_without_networks_the_policys_default_network_is_used(acme):
    check = TargetedCheck(acme, ())
    assert check.primary == "linkedin"
    assert check("a" * 400) == []  # fits LinkedIn's 3,000
    only_x = TargetedCheck(acme, ["x"])
    assert only_x.primary == "x"
    assert [f.network for f in only_x("a" * 400)] == ["x"]


def test_rules_limited_to_some_networks_run_for_those_networks(tmp_path):
    extra = """
[[rules]]
id = "R98-x-only"
category = "brand_style"
kind = "lexicon"
severity = "info"
networks = ["x"]
message = "X only: {match}"
terms = ["tweet"]
examples.flag = [{ text = "a tweet", network = "x" }]
examples.pass = [{ text = "a tweet", network = "linkedin" }]
"""
    policy = load_policy(copy_of_acme(tmp_path, extra=extra))
    assert [f.rule_id for f in TargetedCheck(policy, ["linkedin", "x"])("my tweet")] == ["R98-x-only"]
    assert TargetedCheck(policy, ["linkedin", "bluesky"])("my tweet") == []
