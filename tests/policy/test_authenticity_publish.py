"""At publish time the service compares the post with the same texts as the live check
(desktop.core.references.draft_references): the author's own recent posts and the suggested copy of
the idea the draft was written from. A policy that makes copying a block refuses the publish, the
scheduled send and the thread alike; a rewrite goes. Real drafts database, real policy file."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.accounts import AccountService, AccountStore
from desktop.core.accounts.secrets import MemorySecretStore
from desktop.core.drafts import DraftStore
from desktop.core.ideas import FEED, Idea, IdeaStore
from desktop.core.policy import load_policy
from desktop.core.ports import Account
from desktop.core.publishing.service import PublishService
from desktop.core.publishing.store import PublishStore
from desktop.core.references import draft_references

SUGGESTED = ("Acme Vault 3.0 is here: faster sync, end-to-end encryption for shared folders and a brand-new admin "
             "console. Read the release notes and try it today!")
OWN = ("Three years at Acme today. I started on the support desk and now I help build the sync engine; thank you "
       "to everyone who answered my questions along the way.")
REWRITE = ("I spent two months on the sync engine in Acme Vault 3.0: if you share big folders, uploads now finish in "
           "about half the time.")
POLICY = f"""
[policy]
id = "strict-own-words"
name = "Own words only"
version = "1"
owner = "Comms"
contact = "comms@acme.example"

[[rules]]
id = "own-words"
category = "authenticity"
kind = "authenticity"
severity = "block"
message = "Most of this post is the suggested copy from {{source}}"
example_reference = "{SUGGESTED}"
examples.flag = ["{SUGGESTED} #AcmeVault"]
examples.pass = ["{REWRITE}"]
"""
MASTODON = Account("acct-1", "mastodon", "@alice@social.example", "https://social.example", "7")


@pytest.fixture
def world(tmp_path: Path):
    store = DraftStore.open(tmp_path / "drafts.db")
    path = tmp_path / "strict.toml"
    path.write_text(POLICY, encoding="utf-8")
    policy = load_policy(path)
    accounts = AccountService(MemorySecretStore(), AccountStore(store))
    accounts.store.save_account(MASTODON)
    service = PublishService(accounts, {}, lambda: policy,
                             references=lambda draft_id, rules: draft_references(store, draft_id, rules))
    yield store, service, policy
    store.close()


def written_about_the_release(store: DraftStore, text: str) -> str:
    draft = store.create(text)
    IdeaStore(store).record_draft(draft.id, Idea("https://releases.acme.example/feed", FEED, "Acme Releases",
                                                 "vault-3", "Acme Vault 3.0 is out",
                                                 link="https://releases.acme.example/vault-3", suggested=SUGGESTED))
    return draft.id


def test_the_suggested_copy_is_refused_at_publish_time_and_a_rewrite_is_not(world):
    store, service, _policy = world
    copied = written_about_the_release(store, SUGGESTED)
    refusal = service.refusal(SUGGESTED, [MASTODON.id], draft_id=copied)
    assert refusal is not None and "suggested copy from Acme Releases" in refusal.reason
    [status] = service.publish(copied, SUGGESTED, [MASTODON.id])
    assert status.state == "refused" and "Acme Releases" in status.reason
    rewritten = written_about_the_release(store, REWRITE)
    assert service.refusal(REWRITE, [MASTODON.id], draft_id=rewritten) is None
    # without the draft (a caller that does not say which), nothing to compare with: not refused
    assert service.refusal(SUGGESTED, [MASTODON.id]) is None


def test_an_own_post_repeated_is_refused_and_the_draft_itself_is_not_its_own_repeat(world):
    store, service, policy = world
    first = store.create(OWN)
    history = PublishStore(store)
    history.begin_publication(first.id, MASTODON, "key-1")
    history.mark_sent("key-1", "https://social.example/@alice/1", "1")
    again = store.create(OWN.replace("today", "this week"))
    refusal = service.refusal(again.body, [MASTODON.id], draft_id=again.id)
    assert refusal is not None and "own-words" in {f.rule_id for f in refusal.findings}
    # the published draft checked again (Retry, the outbox) is not a repeat of itself
    assert service.refusal(OWN, [MASTODON.id], draft_id=first.id) is None
    assert [r.kind for r in draft_references(store, again.id, policy.rules)] == ["own_post"]
    assert draft_references(store, again.id, load_policy("acme-example").rules) == []  # no such rule: nothing read
