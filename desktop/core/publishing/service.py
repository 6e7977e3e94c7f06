"""Publishing a draft to several linked accounts: checked, in parallel, exactly once, recorded.

    service = PublishService(accounts, clients, policy=lambda: current_policy)
    refusal = service.refusal(text, account_ids)          # None, or why publishing is refused
    results = service.publish(draft_id, text, account_ids, acknowledged=..., on_update=callback)

Rules kept here, whatever the front end:
- the policy is checked again at publish time, for each target's network; a block finding, or no
  valid policy at all, refuses the whole publish with the reason;
- every target is sent in parallel (one worker thread each, up to ``max_parallel``), each with its
  own status reported through ``on_update`` as it changes (sending, sent with the post's link,
  failed with the server's reason, queued when offline);
- exactly once: the idempotency key is a pure function of draft, account, text and images (their
  content and alt text); the attempt is
  recorded *before* sending; after an ambiguous failure (timeout after sending, 5xx) the next
  attempt first asks the network whether the post exists (``find_published``);
- rate limits are honoured: a wait the server asks for of up to ``max_wait_s`` is waited once,
  longer ones fail with the time to retry;
- offline (the network cannot be reached at all), the publish goes to the outbox and
  :meth:`PublishService.send_outbox` sends it when the network is back, after checking it against
  the policy of that day; each entry is claimed in the database first, so that of two senders on
  one profile (two Chorus processes, or two rounds of the outbox timer) exactly one sends it;
- quitting never waits on a server: :meth:`PublishService.close` gives the publishes under way a
  short grace period, then lets go of them. Their records stay ``pending``, which the next start
  shows as "Chorus was closed while sending" with Check and Retry (:meth:`PublishService.interrupted`).
  That is why the workers are daemon threads and not a ThreadPoolExecutor: Python joins every
  executor thread at exit, so one request hanging on a slow server would hold the quit.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop.core import networks
from desktop.core.audit.events import SentPost
from desktop.core.media import Attachment, attachment_problems
from desktop.core.ports import (
    Account,
    AuthError,
    NetworkClient,
    Offline,
    Post,
    Published,
    PublishError,
    PublishUnconfirmed,
    RateLimited,
    ReplyTo,
    SecretStoreError,
)
from desktop.core.publishing import verdict
from desktop.core.publishing.status import (  # the states are named from here too: re-exported
    FAILED as FAILED,
)
from desktop.core.publishing.status import (
    INTERRUPTED as INTERRUPTED,
)
from desktop.core.publishing.status import (
    QUEUED as QUEUED,
)
from desktop.core.publishing.status import (
    REFUSED as REFUSED,
)
from desktop.core.publishing.status import (
    SENDING as SENDING,
)
from desktop.core.publishing.status import (
    SENT as SENT,
)
from desktop.core.publishing.status import (
    THREAD_KEY_PREFIX as THREAD_KEY_PREFIX,
)
from desktop.core.publishing.status import (
    UNCONFIRMED as UNCONFIRMED,
)
from desktop.core.publishing.status import (
    TargetStatus as TargetStatus,
)
from desktop.core.publishing.store import PublishStore
from desktop.core.publishing.tid import new_tid

if TYPE_CHECKING:
    from desktop.core.accounts.service import AccountService
    from desktop.core.policy import Finding, Policy, Reference

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Interrupted:
    """A publish left ``pending`` when Chorus stopped mid-send (publish_history): it may or may not
    have arrived. *text* is the draft's text when it is still the text that was being sent (so Check
    and Retry can use the same idempotency key and record key); "" when the draft changed or is gone."""

    status: TargetStatus
    text: str
    acknowledged: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Refusal:
    """Why publishing is refused before anything is sent."""

    reason: str
    findings: tuple[Any, ...] = ()  # the block findings, if the policy refused it


def idempotency_key(draft_id: str, account_id: str, text: str, round_: int = 0,
                    images: Sequence[Attachment] = ()) -> str:
    """The same draft, account, text and images always give the same key: the same post is never sent
    twice. Each image counts with its content (SHA-256) and alt text, in order, so changing, adding,
    re-ordering or re-describing an image makes a new post, while retrying the same one does not. A
    post without images keeps the key it had before images existed (publishes recorded then still
    match). *round_* > 0 only when the person chose to send it again as a new post."""
    parts = [draft_id, account_id, text]
    for image in images:
        parts += image.identity()
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"chorus-{digest[:40]}" + (f"-r{round_}" if round_ else "")


@dataclass
class PublishService:
    accounts: AccountService
    clients: dict[str, NetworkClient]
    policy: Callable[[], Policy | None]  # the policy in force now (None: no valid policy)
    max_parallel: int = 8
    max_wait_s: float = 30.0  # the longest server-requested wait done on the spot
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    close_grace_s: float = 3.0  # at quit, how long publishes under way may still finish
    outbox_claim_s: float = 15 * 60.0  # a claimed outbox entry is left to its sender this long (then: crashed)
    # publish history and outbox (default: in the accounts' database file)
    store: PublishStore = field(default=None, kw_only=True)  # type: ignore[assignment]
    # what must happen before anything is published under a policy (desktop.core.training.gate: the
    # policy acknowledged); given the policy in force, the reason to wait, or None. Asked in refusal().
    gate: Callable[[Policy], str | None] | None = field(default=None, kw_only=True)
    # a draft's attached images (desktop.core.drafts.media.DraftMedia.list): sends that are not
    # given images (the outbox, Retry after an interruption, send as new) take the draft's own, so a
    # post with images is never re-sent as text alone
    draft_images: Callable[[str], Sequence[Attachment]] | None = field(default=None, kw_only=True)
    # whether each publish's audit record keeps the text itself, not only its SHA-256 (the setting
    # audit.include_text, read at each publish so a change by IT applies at once; None: off)
    audit_text: Callable[[], bool] | None = field(default=None, kw_only=True)
    # what a draft is compared with by the policy's authenticity rules (desktop.core.references), given
    # the draft's id and the policy's rules; None: no references (the check at publish time then matches
    # the live check only for policies without such rules)
    references: Callable[[str, Sequence[Any]], Sequence[Reference]] | None = field(default=None, kw_only=True)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _inflight: dict[Future[TargetStatus], tuple[str, str]] = field(default_factory=dict, init=False, repr=False)
    _closed: bool = field(default=False, init=False, repr=False)
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(max(1, self.max_parallel))
        if self.store is None:
            self.store = PublishStore(self.accounts.store.database)

    # -- checks ------------------------------------------------------------------------------------
    def refusal(self, text: str, account_ids: Sequence[str], *, images: Sequence[Attachment] = (),
                draft_id: str | None = None) -> Refusal | None:
        """Why *text* (with *images*) cannot be published to these accounts now, or None. *draft_id*: the
        draft it is, for the texts an authenticity rule compares it with (its own earlier posts, the
        suggested copy of the idea it was written from), as the live check did."""
        if not text.strip() and not images:
            return Refusal("The post is empty.")
        if not account_ids:
            return Refusal("Choose at least one account to publish to.")
        policy = self.policy()
        if policy is None:
            return Refusal("Publishing is off: there is no valid company policy to check the post against. "
                           "Ask your IT team to fix the policy file.")
        if self.gate is not None and (waiting := self.gate(policy)):
            return Refusal(waiting)
        targets = self._targets(account_ids)
        if images:
            problems = attachment_problems(images, dict.fromkeys(network for network, _ in targets))
            if problems:
                return Refusal(" ".join(problems))
        findings: list[Finding] = []
        alt_texts = tuple(image.alt for image in images)
        references = (tuple(self.references(draft_id, policy.rules))
                      if self.references is not None and draft_id is not None else ())
        for network, limits in targets:
            findings += policy.check(text, network, instance_limits={network: limits} if limits else None,
                                     alt_texts=alt_texts, references=references)
        blocks = verdict.blocks(findings)
        reason = verdict.refusal(blocks)
        return Refusal(reason, tuple(blocks)) if reason else None

    def _targets(self, account_ids: Iterable[str]) -> list[tuple[str, dict[str, Any]]]:
        """(network, the account's server limits) for each distinct target; a post goes to every
        account as one text, so each account's own limits are checked."""
        targets: list[tuple[str, dict[str, Any]]] = []
        for account_id in account_ids:
            record = self.accounts.store.get_account(account_id)
            if record is not None:
                target = (record.account.network, dict(record.account.limits or {}))
                if target not in targets:
                    targets.append(target)
        return targets

    # -- publishing ----------------------------------------------------------------------------------
    def publish(self, draft_id: str, text: str, account_ids: Sequence[str], *, acknowledged: Iterable[Any] = (),
                on_update: Callable[[TargetStatus], None] = lambda status: None,
                images: Sequence[Attachment] = ()) -> list[TargetStatus]:
        """Check, then send to every account in parallel; blocks until all are done (call it from a
        worker). Returns the final status of each target, in the order of *account_ids*. *images*
        (at most 4, with their alt text) go with the post to every account; none given: the draft's own
        (``draft_images``)."""
        images = self._images(draft_id, images)
        refusal = self.refusal(text, account_ids, images=images, draft_id=draft_id)
        if refusal is not None:
            statuses = [self._status(draft_id, account_id, REFUSED, reason=refusal.reason) for account_id in account_ids]
            for status in statuses:
                on_update(status)
            return statuses
        policy = self.policy()
        version = f"{policy.info.id}@{policy.info.version}" if policy else ""
        acks = list(acknowledged)
        futures = [self._submit(draft_id, account_id, self._publish_one, draft_id, text, account_id, version, acks,
                                on_update, None, tuple(images)) for account_id in account_ids]
        statuses = [future.result() for future in futures]
        offline = [s.account_id for s in statuses if s.state == QUEUED]
        if offline:
            self.store.enqueue(draft_id, offline, text)
        return statuses

    def _publish_one(self, draft_id: str, text: str, account_id: str, policy_version: str, acknowledged: list[Any],
                     on_update: Callable[[TargetStatus], None], round_: int | None = None,
                     images: tuple[Attachment, ...] = ()) -> TargetStatus:
        try:
            images = self._images(draft_id, images)
            if round_ is None:  # the latest round: a post sent as new again stays that post
                round_ = max(0, self._rounds(draft_id, account_id, text, images) - 1)
            status = self._send(draft_id, text, account_id, policy_version, acknowledged, on_update, round_,
                                images=images)
        except Exception as exc:  # never lose a target's status to an unexpected error
            if self._closed:  # a publish let go of at quit, ending after the database was closed
                log.info("publishing draft %s to %s ended after Chorus closed (%s): the next start shows it as "
                         "interrupted", draft_id, account_id, type(exc).__name__)
                return TargetStatus(draft_id, account_id, "", "", INTERRUPTED, reason=_CLOSED_WHILE_SENDING)
            log.exception("publishing draft %s to %s failed unexpectedly", draft_id, account_id)
            status = self._status(draft_id, account_id, FAILED, reason=f"Unexpected error: {type(exc).__name__}",
                                  retryable=True)
        if not self._closed:  # after quit, nobody is listening
            on_update(status)
        return status

    def _send(self, draft_id: str, text: str, account_id: str, policy_version: str, acknowledged: list[Any],
              on_update: Callable[[TargetStatus], None], round_: int = 0, *,
              images: tuple[Attachment, ...] = (), key: str | None = None, reply_to: ReplyTo | None = None,
              use_draft_images: bool = True,
              on_published: Callable[[Published], None] | None = None,
              part: tuple[int, int] | None = None) -> TargetStatus:
        """Send one post to one account, exactly once. A thread's part (publishing.thread) gives its
        own *key*, the post it replies to, no draft images after the first part, *on_published*
        to learn the new post's id and CID, and *part* (index, number of parts) for its audit record."""
        record = self.accounts.store.get_account(account_id)
        if record is None:
            return self._status(draft_id, account_id, FAILED, reason="This account is no longer linked.")
        account = record.account
        client = self.clients.get(account.network)
        if client is None:
            return self._status(draft_id, account_id, FAILED, account=account,
                                reason=f"Chorus cannot publish to {account.network} yet.")
        if use_draft_images:
            images = self._images(draft_id, images)
        key = key or idempotency_key(draft_id, account_id, text, round_, images)
        publication = self.store.begin_publication(
            draft_id, account, key, policy_version=policy_version, acknowledged=acknowledged,
            rkey=new_tid() if _client_names_records(account.network) else "")
        if publication.status == "sent":  # sent before: never again
            return self._status(draft_id, account_id, SENT, account=account, post_url=publication.post_url)
        on_update(self._status(draft_id, account_id, SENDING, account=account))
        try:
            secret = self.accounts.secret(account_id)
        except SecretStoreError as exc:
            reason = f"{exc} {exc.advice}".strip()
            self.store.mark_failed(key, reason)
            return self._status(draft_id, account_id, FAILED, account=account, reason=reason, retryable=True)
        except Exception as exc:  # noqa: BLE001 - MissingSecret (the keyring entry is gone; defined in accounts,
            # which publishing does not import); anything else still ends as a failed target, not a lost one
            self.store.mark_failed(key, str(exc))
            return self._status(draft_id, account_id, FAILED, account=account, needs_relink=True,
                                reason=f"{exc} Link the account again.")
        post = Post(text, key, record_key=publication.rkey or None, first_attempt_at=publication.created_at,
                    images=images, reply_to=reply_to)

        def keep_secret(new_secret: str) -> None:
            self.accounts.replace_secret(account_id, new_secret)

        waited = False
        while True:
            try:
                found = None
                if publication.attempts > 1:  # an earlier attempt may have reached the network
                    found = client.find_published(account, secret, post, on_secret=keep_secret)
                published = found or client.publish(account, secret, post, on_secret=keep_secret)
            except RateLimited as exc:
                if not waited and exc.retry_after_s <= self.max_wait_s:
                    waited = True
                    self.sleep(exc.retry_after_s)
                    continue
                reason = f"{account.network.capitalize()} asks to wait: try again in {_duration(exc.retry_after_s)}."
                self.store.mark_failed(key, reason)
                return self._status(draft_id, account_id, FAILED, account=account, reason=reason, retryable=True)
            except AuthError as exc:
                self.accounts.record_auth_failure(account_id, exc.reason)
                self.store.mark_failed(key, exc.reason)
                return self._status(draft_id, account_id, FAILED, account=account, needs_relink=True,
                                    reason=f"{exc.reason} Link the account again.")
            except PublishUnconfirmed as exc:
                self.store.mark_failed(key, exc.reason)
                return self._status(draft_id, account_id, UNCONFIRMED, account=account, reason=exc.reason,
                                    check_url=exc.check_url)
            except Offline as exc:
                self.store.mark_failed(key, exc.reason)
                return self._status(draft_id, account_id, QUEUED, account=account, retryable=True,
                                    reason="No connection: the post waits in the outbox and is sent when "
                                           "the network is back.")
            except PublishError as exc:
                self.store.mark_failed(key, exc.reason)
                return self._status(draft_id, account_id, FAILED, account=account, reason=exc.reason,
                                    retryable=exc.retryable)
            self.store.mark_sent(key, published.url, published.remote_id, sent=self._sent(text, images, part))
            self.accounts.record_success(account_id)
            if on_published is not None:
                on_published(published)
            return self._status(draft_id, account_id, SENT, account=account, post_url=published.url)

    def confirm_posted(self, draft_id: str, account_id: str, text: str, post_url: str = "") -> TargetStatus:
        """The person checked: the post *is* on the network (after an ``unconfirmed`` status)."""
        images = self._images(draft_id, ())
        key = self._current_key(draft_id, account_id, text, images)
        self.store.mark_sent(key, post_url, "", sent=self._sent(text, images))
        return self._status(draft_id, account_id, SENT, post_url=post_url)

    def send_as_new(self, draft_id: str, text: str, account_id: str,
                    on_update: Callable[[TargetStatus], None] = lambda status: None) -> TargetStatus:
        """The person checked: the post is *not* there. Send it under a new key (a new attempt that
        the earlier, unconfirmed one can no longer be mistaken for)."""
        policy = self.policy()
        version = f"{policy.info.id}@{policy.info.version}" if policy else ""
        refusal = self.refusal(text, [account_id], draft_id=draft_id)
        if refusal is not None:
            return self._status(draft_id, account_id, REFUSED, reason=refusal.reason)
        images = self._images(draft_id, ())
        round_ = self._rounds(draft_id, account_id, text, images)
        return self._publish_one(draft_id, text, account_id, version, [], on_update, round_=round_, images=images)

    def _sent(self, text: str, images: Sequence[Attachment], part: tuple[int, int] | None = None) -> SentPost:
        """What the audit record of a publish keeps beyond its history row (desktop.core.audit)."""
        return SentPost(text, bool(self.audit_text and self.audit_text()),
                        tuple((image.identity()[1], image.alt) for image in images), part)

    def _images(self, draft_id: str, images: Sequence[Attachment]) -> tuple[Attachment, ...]:
        """*images*, or when none were handed over, the draft's own (``draft_images``)."""
        if not images and self.draft_images is not None:
            return tuple(self.draft_images(draft_id))
        return tuple(images)

    def _rounds(self, draft_id: str, account_id: str, text: str, images: Sequence[Attachment] = ()) -> int:
        base = idempotency_key(draft_id, account_id, text, images=images)
        return sum(1 for p in self.store.history(draft_id)
                   if p.account_id == account_id and p.idempotency_key.startswith(base))

    def _current_key(self, draft_id: str, account_id: str, text: str, images: Sequence[Attachment] = ()) -> str:
        rounds = self._rounds(draft_id, account_id, text, images)
        return idempotency_key(draft_id, account_id, text, max(0, rounds - 1), images)

    # -- publishes interrupted by a crash ------------------------------------------------------------
    def interrupted(self) -> list[Interrupted]:
        """The publishes left ``pending`` (Chorus stopped while sending), oldest first, each with the
        text that was being sent when the draft still has it. Reads the database: call from a worker."""
        found: list[Interrupted] = []
        for publication in self.store.pending_publications():
            draft = self.store.database.get(publication.draft_id)
            text = ""
            if draft is not None and publication.idempotency_key.startswith(
                    idempotency_key(publication.draft_id, publication.account_id, draft.body,
                                    images=self._images(publication.draft_id, ()))):
                text = draft.body
            reason = ("it may or may not have arrived." if text else
                      "it may or may not have arrived, and the draft has changed since: look on the account.")
            if publication.idempotency_key.startswith(THREAD_KEY_PREFIX):  # publishing.thread: its own keys
                text = ""
                reason = ("a part of a thread; it may or may not have arrived. Publish the thread again: Chorus "
                          "looks for that part first and sends only the parts not posted yet.")
            status = TargetStatus(publication.draft_id, publication.account_id, publication.network,
                                  publication.handle, INTERRUPTED, reason=reason, retryable=bool(text))
            found.append(Interrupted(status, text, tuple(publication.acknowledged)))
        return found

    def check_interrupted(self, draft_id: str, account_id: str, text: str) -> TargetStatus:
        """Look, without sending, whether an interrupted publish of *text* arrived: posted (recorded
        with its link) or failed with Retry (it is not there). Blocks: call from a worker."""
        images = self._images(draft_id, ())
        key = self._current_key(draft_id, account_id, text, images)
        publication = self.store.publication(key)
        record = self.accounts.store.get_account(account_id)
        if publication is None or record is None:
            return self._status(draft_id, account_id, FAILED, reason="This account is no longer linked."
                                if record is None else "Chorus has no record of this publish.")
        if publication.status == "sent":
            return self._status(draft_id, account_id, SENT, post_url=publication.post_url)
        account = record.account
        client = self.clients.get(account.network)
        if client is None:
            return self._status(draft_id, account_id, FAILED, account=account,
                                reason=f"Chorus cannot publish to {account.network} yet.")
        post = Post(text, key, record_key=publication.rkey or None, first_attempt_at=publication.created_at,
                    images=images)
        try:
            secret = self.accounts.secret(account_id)
            found = client.find_published(account, secret, post,
                                          on_secret=lambda new: self.accounts.replace_secret(account_id, new))
        except SecretStoreError as exc:
            return self._status(draft_id, account_id, INTERRUPTED, account=account, retryable=True,
                                reason=f"Chorus could not look ({exc} {exc.advice})".strip())
        except AuthError as exc:
            self.accounts.record_auth_failure(account_id, exc.reason)
            return self._status(draft_id, account_id, FAILED, account=account, needs_relink=True,
                                reason=f"{exc.reason} Link the account again.")
        except PublishUnconfirmed as exc:
            self.store.mark_failed(key, exc.reason)
            return self._status(draft_id, account_id, UNCONFIRMED, account=account, reason=exc.reason,
                                check_url=exc.check_url)
        except PublishError as exc:  # offline, rate limited, the server failed: still unknown
            return self._status(draft_id, account_id, INTERRUPTED, account=account, retryable=True,
                                reason=f"Chorus could not look ({exc.reason})")
        except Exception as exc:  # noqa: BLE001 - MissingSecret (the keyring entry is gone; defined in accounts,
            # which publishing does not import); anything else still ends as a failed target, not a lost one
            return self._status(draft_id, account_id, FAILED, account=account, needs_relink=True,
                                reason=f"{exc} Link the account again.")
        if found is not None:
            self.store.mark_sent(key, found.url, found.remote_id, sent=self._sent(text, images))
            self.accounts.record_success(account_id)
            return self._status(draft_id, account_id, SENT, account=account, post_url=found.url)
        reason = "It did not arrive before Chorus was closed: Retry sends it."
        self.store.mark_failed(key, reason)
        return self._status(draft_id, account_id, FAILED, account=account, reason=reason, retryable=True)

    def send_outbox(self, texts_now: Callable[[str], str | None] | None = None,
                    on_update: Callable[[TargetStatus], None] = lambda status: None) -> list[TargetStatus]:
        """Send what waits in the outbox (call when the network is back), each entry re-checked
        against the policy in force now. *texts_now* may give the draft's current text (None: the
        queued snapshot is sent)."""
        store = self.store
        statuses: list[TargetStatus] = []
        for entry in store.outbox(due_at=self.clock()):
            now = self.clock()
            claimed_until = now + self.outbox_claim_s
            if not store.claim_outbox_entry(entry.id, now=now, until=claimed_until):
                log.info("the outbox entry of draft %s is being sent by another sender: skipped", entry.draft_id)
                continue
            text = (texts_now(entry.draft_id) if texts_now else None) or entry.text
            refusal = self.refusal(text, entry.account_ids, draft_id=entry.draft_id)
            if refusal is not None:
                store.record_outbox_attempt(entry.id, refusal.reason, self.clock() + 3600)
                statuses += [self._status(entry.draft_id, a, REFUSED, reason=refusal.reason) for a in entry.account_ids]
                for status in statuses[-len(entry.account_ids):]:
                    on_update(status)
                continue
            statuses += self.publish(entry.draft_id, text, entry.account_ids, on_update=on_update)
            # Done with it, unless publishing queued it again (still offline) or the author re-queued it meanwhile.
            store.release_outbox_entry(entry.id, claimed_until)
        return statuses

    def close(self, grace_s: float | None = None) -> None:
        """Stop publishing (at quit). Publishes under way get *grace_s* seconds (``close_grace_s``) to
        finish; the ones still sending then are let go of: their records stay ``pending`` and the next
        start shows them as interrupted, with Check and Retry. Returns without waiting on any server."""
        grace = self.close_grace_s if grace_s is None else grace_s
        with self._lock:
            self._closed = True
            waiting = dict(self._inflight)
        if not waiting:
            return
        _done, still_sending = concurrent.futures.wait(list(waiting), timeout=max(0.0, grace))
        for future in still_sending:
            draft_id, account_id = waiting[future]
            log.warning("still sending draft %s to account %s after %.1f s when Chorus closed: the next start "
                        "shows it as interrupted (Check, Retry)", draft_id, account_id, grace)
            self._settle(future, TargetStatus(draft_id, account_id, "", "", INTERRUPTED,
                                              reason=_CLOSED_WHILE_SENDING, retryable=True))

    # -- helpers -------------------------------------------------------------------------------------
    def _submit(self, draft_id: str, account_id: str, fn: Callable[..., TargetStatus],
                *args: Any) -> Future[TargetStatus]:
        """Run *fn* on a daemon thread of its own, at most ``max_parallel`` at once (see the module
        docstring for why not an executor). The future settles with its status, or at :meth:`close`."""
        future: Future[TargetStatus] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("Chorus is closing: nothing more is published")
            self._inflight[future] = (draft_id, account_id)

        def work() -> None:
            with self._slots:
                if self._closed:  # closed while waiting for a slot: nothing was sent
                    self._settle(future, TargetStatus(draft_id, account_id, "", "", FAILED, retryable=True,
                                                      reason="Chorus was closed before this was sent."))
                    return
                try:
                    status = fn(*args)
                except BaseException as exc:  # noqa: BLE001 - handed to the waiting publish()
                    self._settle(future, exc)
                else:
                    self._settle(future, status)

        threading.Thread(target=work, name=f"publish-{account_id[:8]}", daemon=True).start()
        return future

    def _settle(self, future: Future[TargetStatus], outcome: TargetStatus | BaseException) -> None:
        """Give *future* its outcome (a status, or the worker's exception) once: the worker's, or the
        interrupted one close() gives first."""
        with self._lock:
            self._inflight.pop(future, None)
            if future.done():
                return
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    def _status(self, draft_id: str, account_id: str, state: str, *, account: Account | None = None,
                **details: Any) -> TargetStatus:
        if account is None:
            record = self.accounts.store.get_account(account_id)
            account = record.account if record else None
        return TargetStatus(draft_id, account_id, account.network if account else "", account.handle if account else "",
                            state, **details)


def _client_names_records(network_id: str) -> bool:
    """Whether the client chooses the record's key before sending (Bluesky's TIDs), so it is kept
    with the publication and a resend can look for it first."""
    network = networks.find(network_id)
    return network is not None and network.capabilities.client_record_key


_CLOSED_WHILE_SENDING = "Chorus was closed while sending: it may or may not have arrived."


def _duration(seconds: float) -> str:
    seconds = max(1, round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
