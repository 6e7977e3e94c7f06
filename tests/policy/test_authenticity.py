"""The authenticity rule (kind = "authenticity"): near-copies of a reference fire, real rewrites do not,
in several languages and scripts; own recent posts from a real drafts database; the time budget;
policy validation of the rule's fields."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.policy import Budget, PolicyError, Reference, load_policy
from desktop.core.policy.authenticity import copied_share, units
from desktop.core.policy.loader import parse_policy
from desktop.core.policy.targets import TargetedCheck
from desktop.core.ports import Account
from desktop.core.publishing.own_posts import own_post_references, recent_own_posts
from desktop.core.publishing.store import PublishStore

RULE = "own-words"
TODAY = dt.date(2026, 12, 5)

EN = ("Acme Vault 3.0 is here: faster sync, end-to-end encryption for shared folders and a brand-new admin console. "
      "Read the release notes and try it today! https://acme.example/vault3")
DE = ("Acme Vault 3.0 ist da: schnellere Synchronisierung, Ende-zu-Ende-Verschlüsselung für geteilte Ordner und eine "
      "komplett neue Admin-Konsole. Lies die Release Notes und probier es noch heute aus!")
FR = ("Acme Vault 3.0 est disponible : synchronisation plus rapide, chiffrement de bout en bout pour les dossiers "
      "partagés et une toute nouvelle console d'administration. Lisez les notes de version et essayez-le dès "
      "aujourd'hui !")
JA = ("Acme Vault 3.0をリリースしました。同期がさらに高速になり、共有フォルダーのエンドツーエンド暗号化と、"
      "まったく新しい管理コンソールを搭載しています。リリースノートを読んで、今日からぜひお試しください！")
ZH = ("Acme Vault 3.0 正式发布：同步速度更快，共享文件夹支持端到端加密，还有全新的管理控制台。"
      "欢迎阅读发布说明，今天就来试试吧！")
RU = ("Acme Vault 3.0 уже здесь: более быстрая синхронизация, сквозное шифрование общих папок и совершенно новая "
      "консоль администратора. Прочитайте примечания к выпуску и попробуйте уже сегодня!")
AR = ("وصل Acme Vault 3.0: مزامنة أسرع، وتشفير كامل بين الطرفين للمجلدات المشتركة، ولوحة إدارة جديدة كليا. "
      "اقرأ ملاحظات الإصدار وجربه اليوم!")

# Rewrites written for this test: same topic, often the same link and product name, in the author's words.
REWRITES = {
    "en": [(EN, "I spent two months on the sync engine in Acme Vault 3.0. If you share big folders, uploads now "
                "finish in about half the time. Details in the release notes: https://acme.example/vault3"),
           (EN, "Our support team asked for one thing in Acme Vault 3.0: let admins see who shared what. The new "
                "admin console does exactly that, and I am proud of how it turned out."),
           (EN, "Acme Vault 3.0 is out today. My favourite part: encryption for shared folders means our customers "
                "in healthcare can finally use them. Try it and tell me what you think!")],
    "de": [(DE, "Ich habe die letzten zwei Monate an der Synchronisierung von Acme Vault 3.0 gearbeitet. Wer große "
                "Ordner teilt, wartet jetzt nur noch halb so lange. Mehr in den Release Notes.")],
    "fr": [(FR, "J'ai passé deux mois sur le moteur de synchronisation d'Acme Vault 3.0 : si vous partagez de gros "
                "dossiers, l'envoi prend maintenant deux fois moins de temps. Tout est dans les notes de version.")],
    "ja": [(JA, "この2か月、Acme Vault 3.0の同期エンジンを担当していました。大きなフォルダーを共有している方は、"
                "アップロードが半分くらいの時間で終わるはずです。詳しくはリリースノートをどうぞ。")],
    "zh": [(ZH, "过去两个月我一直在做Acme Vault 3.0的同步引擎。经常共享大文件夹的客户会发现，上传时间缩短了一半左右，"
                "这是我最自豪的改进。")],
}


@pytest.fixture(scope="module")
def policy():
    return load_policy("default")


def feed(text: str, source: str = "Acme Engineering Blog") -> Reference:
    return Reference("feed", text, source)


def findings(policy, text: str, references, **options):
    return [f for f in policy.check(text, references=references, today=TODAY, **options) if f.rule_id == RULE]


# -- near-copies fire ------------------------------------------------------------------------------
NEAR_COPIES = {
    "verbatim": EN,
    "two words changed": EN.replace("faster", "quicker").replace("today", "now"),
    "greeting, emoji and hashtags added": "Hi everyone! 👋🎉 " + EN + " #AcmeVault #security",
    "sentences reordered": "Read the release notes and try it today! Acme Vault 3.0 is here: faster sync, end-to-end "
                           "encryption for shared folders and a brand-new admin console.",
    "case and punctuation": EN.upper().replace(":", " —").replace(",", "").replace("!", "!!!"),
    "link dropped and fullwidth digits": EN.replace("https://acme.example/vault3", "").replace("3.0", "３.０"),
}


@pytest.mark.parametrize("name", sorted(NEAR_COPIES))
def test_near_copies_of_the_suggested_copy_fire(policy, name: str) -> None:
    draft = NEAR_COPIES[name]
    [finding] = findings(policy, draft, [feed(EN)])
    assert finding.severity.value == "info"
    assert finding.message == "Most of this post is the suggested copy from Acme Engineering Blog"
    assert finding.tip and "what you worked on" in finding.tip
    # the span covers the copied part of the draft (not an added greeting or hashtags around it)
    assert finding.text == draft[finding.start:finding.end]
    assert not finding.text.startswith("Hi everyone")
    assert "#AcmeVault" not in finding.text
    assert finding.end - finding.start >= 0.7 * len(EN.split(" https://")[0])


@pytest.mark.parametrize("language", sorted(REWRITES))
def test_real_rewrites_do_not_fire(policy, language: str) -> None:
    for reference, rewrite in REWRITES[language]:
        assert findings(policy, rewrite, [feed(reference)]) == [], rewrite
        assert copied_share(reference, rewrite) < 0.4, (language, copied_share(reference, rewrite))


@pytest.mark.parametrize("reference, copy", [
    (DE, "Hallo zusammen! " + DE.replace("schnellere", "deutlich schnellere") + " #AcmeVault"),
    (FR, FR.replace("essayez-le", "testez-le").replace("Lisez", "Lisez vite") + " 🚀"),
    (JA, "みなさん、こんにちは！" + JA.replace("ぜひ", "") + " #AcmeVault"),
    (ZH, "大家好！" + ZH.replace("更快", "更迅速") + " #AcmeVault"),
    (RU, RU.replace("совершенно", "абсолютно") + " #AcmeVault"),
    (AR, "مرحبا! " + AR),
])
def test_copies_in_other_languages_and_scripts_fire(policy, reference: str, copy: str) -> None:
    [finding] = findings(policy, copy, [feed(reference, "the Acme newsroom")])
    assert finding.message.endswith("from the Acme newsroom")
    assert finding.text == copy[finding.start:finding.end]


def test_scripts_without_spaces_are_compared_by_character() -> None:
    assert units("新しいAcme Vaultの").words == ("新", "し", "い", "acme", "vault", "の")
    assert units("ｶﾀｶﾅ ＡＢＣ").words == ("カ", "タ", "カ", "ナ", "abc")  # NFKC, case folded
    # a rewrite of the Japanese announcement shares its product name and a few words, not its sequence
    assert copied_share(JA, REWRITES["ja"][0][1]) < 0.3
    assert copied_share(JA, JA.replace("リリースしました", "公開しました")) >= 0.8


def test_a_reference_longer_than_the_draft(policy) -> None:
    long_reference = EN + " " + REWRITES["en"][0][1] + " " + REWRITES["en"][1][1]
    # the draft has the first third of the reference: most of the reference is not copied
    assert findings(policy, EN, [feed(long_reference)]) == []
    assert 0.25 < copied_share(long_reference, EN) < 0.5
    # but copying all of it fires, wherever it sits
    assert len(findings(policy, "Look: " + long_reference, [feed(long_reference)])) == 1


def test_empty_references_and_short_ones_change_nothing(policy) -> None:
    assert findings(policy, EN, []) == []
    assert findings(policy, EN, [feed(""), feed("   "), feed("Big news!")]) == []
    assert findings(policy, "", [feed(EN)]) == []
    # and without references the check is what it always was
    assert policy.check(EN, today=TODAY) == policy.check(EN, today=TODAY, references=())


def test_the_closest_reference_is_named_and_each_copied_passage_reported_once(policy) -> None:
    other = feed("Join us at the Acme user conference in Lisbon this May: talks, workshops and the team "
                 "behind Acme Vault.", "Events feed")
    draft = EN + "\n\n" + other.text
    found = findings(policy, draft, [feed(EN), other, feed(EN, "A second feed")])
    assert sorted(f.message for f in found) == ["Most of this post is the suggested copy from Acme Engineering Blog",
                                                "Most of this post is the suggested copy from Events feed"]
    assert all(f.text == draft[f.start:f.end] for f in found)


def test_bad_reference_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="feed, own_post"):
        Reference("tweet", "text", "somewhere")


def test_targeted_check_passes_references_and_with_references_copies(policy) -> None:
    check = TargetedCheck(policy, ["mastodon", "bluesky"])
    assert [f for f in check(EN, TODAY) if f.rule_id == RULE] == []
    with_refs = check.with_references([feed(EN)])
    assert with_refs is not check and check.references == ()
    assert [f.rule_id for f in with_refs(EN, TODAY)].count(RULE) == 1


# -- own recent posts, from a real drafts database -------------------------------------------------
MASTODON = Account("acct-m", "mastodon", "@alice@social.example", "https://social.example")
BLUESKY = Account("acct-b", "bluesky", "@alice.bsky.social", "https://bsky.social")
OWN = ("Three years at Acme today. I started on the support desk and now I help build the sync engine; "
       "thank you to everyone who answered my questions along the way.")


def publish(store: DraftStore, text: str, accounts, *, sent: bool = True):
    draft = store.create(text)
    history = PublishStore(store)
    for account in accounts:
        key = f"{draft.id}-{account.id}"
        history.begin_publication(draft.id, account, key)
        if sent:
            history.mark_sent(key, f"https://example/{key}", key)
        else:
            history.mark_failed(key, "server said no")
    return draft


def test_a_repeat_of_an_own_post_fires_from_a_real_drafts_database(policy, tmp_path: Path) -> None:
    now = dt.datetime(2026, 12, 3, 9, 30).timestamp()
    store = DraftStore.open(tmp_path / "drafts.db", clock=lambda: now)
    try:
        published = publish(store, OWN, [MASTODON, BLUESKY])
        publish(store, "A post that never went out, about something else entirely.", [MASTODON], sent=False)
        current = store.create(OWN.replace("today", "this week") + " 🎉")
        later = now + 2 * 86_400
        posts = recent_own_posts(store, 30, now=later)
        assert [(p.draft_id, p.networks) for p in posts] == [(published.id, ("bluesky", "mastodon"))]
        assert recent_own_posts(store, 30, now=later, exclude_draft=published.id) == []
        assert recent_own_posts(store, 1, now=later) == []  # older than a day
        assert recent_own_posts(store, 0, now=later) == []

        references = own_post_references(store, 30, now=later, exclude_draft=current.id)
        [finding] = findings(policy, current.body, references)
        assert finding.message == "This repeats your post of 3 Dec on Bluesky and Mastodon"
        # the rule's own_posts_days: the same post 40 days on is not compared any more
        later_on = TODAY + dt.timedelta(days=40)
        assert [f for f in policy.check(current.body, references=references, today=later_on) if f.rule_id == RULE] == []
    finally:
        store.close()


# -- time budget -----------------------------------------------------------------------------------
def test_a_100000_character_post_is_compared_or_reported_incomplete(policy) -> None:
    post = ((NEAR_COPIES["two words changed"] + " ") * 400)[:100_000]
    references = [feed(EN)] + [feed(f"Reference {i}: " + REWRITES["en"][i % 3][1]) for i in range(50)]
    # with the whole check's budget (a generous one: CI machines are slow) the copy is found
    found = findings(policy, post, references, budget=Budget(5.0))
    assert [f.incomplete for f in found] == [False] and found[0].message.endswith("Acme Engineering Blog")
    # out of time: reported as not completed, never passed silently
    [incomplete] = findings(policy, post, references, budget=Budget(0.0005))
    assert incomplete.incomplete and incomplete.severity.value == "warn"
    assert "could not be completed in time" in incomplete.message


def test_the_rule_counts_its_time_as_the_engines_work(tmp_path: Path) -> None:
    path = tmp_path / "only.toml"
    path.write_text(GOOD, encoding="utf-8")
    only = load_policy(path)  # the authenticity rule alone: no author patterns spend anything
    budget = Budget(5.0)
    findings = only.check(EN * 30, references=[feed(EN)] * 20, budget=budget)
    assert findings and not any(f.incomplete for f in findings)
    # its time is the engine's: the author's patterns' part is untouched, the engine's part is smaller
    assert budget.spent == 0 and budget.remaining < budget.engine
    # a check whose engine time is gone (a shared budget, spent by an earlier check) does not pass it
    spent = Budget(0.001)
    spent.start()
    time.sleep(0.002)
    (finding,) = only.check(EN * 30, references=[feed(EN)], budget=spent)
    assert finding.incomplete and finding.rule_id == "copy"


# -- policy files ----------------------------------------------------------------------------------
HEAD = """
[policy]
id = "auth-test"
name = "Authenticity test"
version = "1"
owner = "Comms"
contact = "comms@acme.example"
"""
GOOD = HEAD + f"""
[[rules]]
id = "copy"
category = "authenticity"
kind = "authenticity"
message = "Copied from {{source}} ({{copied}})"
example_reference = "{EN}"
examples.flag = ["{EN} #AcmeVault"]
examples.pass = ["{REWRITES['en'][0][1]}"]
"""


def test_a_policy_configures_the_rule_with_defaults_info_and_placeholders() -> None:
    _info, [rule] = parse_policy(GOOD, "good.toml")
    assert rule.severity.value == "info" and rule.min_copied == 0.8 and rule.own_posts_days == 30
    stricter = GOOD.replace('kind = "authenticity"', 'kind = "authenticity"\nmin_copied = 0.95\nseverity = "warn"\n'
                            'own_posts_days = 0')
    _info, [rule] = parse_policy(stricter, "stricter.toml")
    assert (rule.min_copied, rule.severity.value, rule.own_posts_days) == (0.95, "warn", 0)


def test_messages_name_the_share_copied(tmp_path: Path) -> None:
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    policy = load_policy(path)
    [finding] = policy.check("Hello! " + EN, references=[feed(EN, "Acme Blog")])
    assert finding.message == "Copied from Acme Blog (100%)"


@pytest.mark.parametrize("change, field, words", [
    ('kind = "authenticity"\nmin_copied = 1.5', "min_copied", "from 0.3 to 1"),
    ('kind = "authenticity"\nmin_copied = "most"', "min_copied", "from 0.3 to 1"),
    ('kind = "authenticity"\nown_posts_days = -3', "own_posts_days", "from 0"),
    ('kind = "authenticity"\nown_posts_days = 2.5', "own_posts_days", "whole number of days"),
    ('kind = "authenticity"\nown_post_message = 7', "own_post_message", "non-empty text"),
    ('kind = "authenticity"\nmin_copy = 0.8', None, "min_copied"),  # a typo: "did you mean"
])
def test_bad_fields_are_refused_with_clear_messages(tmp_path: Path, change: str, field, words: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace('kind = "authenticity"', change), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    [problem] = caught.value.problems
    assert (problem.rule_id, problem.field) == ("copy", field)
    assert words in problem.message


def test_the_example_reference_is_required_and_examples_are_run_against_it(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    missing = "\n".join(line for line in GOOD.splitlines() if not line.startswith("example_reference"))
    path.write_text(missing, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert [(p.field, "examples.flag copy it" in p.message) for p in caught.value.problems] == [
        ("example_reference", True)]
    # a pass example that copies the reference is caught at load like any rule's
    path.write_text(GOOD.replace(REWRITES["en"][0][1], "Hey! " + EN), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert [p.field for p in caught.value.problems] == ["examples.pass"]
