"""Publishing a thread: a post over a network's limit, sent as parts that reply to each other.

    results = service.publish_thread(draft_id, text, account_ids, numbered=True, on_update=callback)

For each account the text is split for that account's network and server limits
(:func:`desktop.core.threads.split`, deterministic), then, on one worker per account, the parts go
out in order: the first as a post, each next one as a reply to the one before (Bluesky ``reply``
with the first part as ``root`` and the previous one as ``parent``, both strong refs; Mastodon
``in_reply_to_id``).

Rules:
- every part is checked by the policy before anything is sent, for every target; one block
  finding in any part refuses the whole thread with the reason (as :meth:`PublishService.publish`);
- exactly once, per part: each part has its own idempotency key (:func:`part_key`: draft, account,
  the whole thread's parts and the part's place) and its own publish-history row, recorded before
  it is sent, through the same :meth:`PublishService._send` as a single post (ambiguous failures
  look first; Bluesky record keys chosen before the first attempt);
- a failure mid-thread stops that account's thread there; publishing the same text again resumes
  at the first part not yet posted: the parts posted are found ``sent`` in the history and never
  sent again (the next part replies to them: their ids come from the history, a Bluesky CID is read
  from the record);
- a network without threads (LinkedIn) gets the post as one post when it fits there, with that said
  in its status; when it does not fit, the thread is refused with the reason (leave LinkedIn out,
  or shorten it);
- a thread never waits in the outbox: the outbox sends single posts. Offline, the thread stops
  where it is and Retry (publishing again) sends the rest.

Images (at most 4) go with the first part only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.core import networks
from desktop.core.ports import PostRef, Published, ReplyTo
from desktop.core.publishing.status import FAILED, QUEUED, REFUSED, SENDING, SENT, THREAD_KEY_PREFIX, TargetStatus
from desktop.core.threads import ThreadError, can_thread, split

if TYPE_CHECKING:
    from desktop.core.media import Attachment
    from desktop.core.publishing.service import PublishService

log = logging.getLogger(__name__)

KEY_PREFIX = THREAD_KEY_PREFIX


def part_key(draft_id: str, account_id: str, parts: Sequence[str], index: int,
             images: Sequence[Attachment] = ()) -> str:
    """The idempotency key of part *index* (0-based) of the thread *parts*: the same thread of the
    same draft to the same account always gives the same keys, so a resumed thread finds its posted
    parts; any change to the text, or to the images the first part carries (their content and alt
    text, in order), makes a new thread. Without images the key is what it was before images."""
    fields = [draft_id, account_id, f"{index}/{len(parts)}", *parts]
    for image in images:
        fields += image.identity()
    digest = hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()
    return f"{KEY_PREFIX}{digest[:40]}"


def is_part_key(key: str) -> bool:
    """Whether a publish-history row is a part of a thread."""
    return key.startswith(KEY_PREFIX)


@dataclass(frozen=True)
class Plan:
    """What one account gets: the parts of its thread, or the post whole (a network without threads
    where it fits), or a refusal."""

    account_id: str
    network: str
    parts: tuple[str, ...] = ()
    single: bool = False  # posted as one post, not as a thread
    refusal: str = ""


def plan(service: PublishService, text: str, account_id: str, *, numbered: bool = True) -> Plan:
    """How *text* goes to *account_id*: split for its network and its server's limits."""
    record = service.accounts.store.get_account(account_id)
    if record is None:
        return Plan(account_id, "", refusal="This account is no longer linked.")
    account = record.account
    network = networks.find(account.network)
    name = network.display_name if network else account.network
    limits = dict(account.limits or {})
    if not can_thread(account.network):
        if network is not None and network.count(text, limits).over:
            return Plan(account_id, account.network,
                        refusal=f"{name} has no threads, and this post is over its limit there. Shorten it, or "
                                f"leave {name} out of this thread.")
        return Plan(account_id, account.network, parts=(text.strip(),), single=True)
    try:
        parts = split(text, account.network, limits, numbered=numbered)
    except ThreadError as exc:
        return Plan(account_id, account.network, refusal=f"{exc} {exc.advice}".strip())
    return Plan(account_id, account.network, parts=parts)


def publish_thread(service: PublishService, draft_id: str, text: str, account_ids: Sequence[str], *,
                   numbered: bool = True, acknowledged: Iterable[Any] = (),
                   on_update: Callable[[TargetStatus], None] = lambda status: None,
                   images: Sequence[Attachment] = ()) -> list[TargetStatus]:
    """See the module docstring. Returns each account's final status, in the order of *account_ids*:
    ``sent`` (the link is the first part's), or where its thread stopped and why."""
    plans = [plan(service, text, account_id, numbered=numbered) for account_id in account_ids]
    reason = _refusal(service, draft_id, text, account_ids, plans, tuple(images))
    if reason:
        statuses = [service._status(draft_id, account_id, REFUSED, reason=reason) for account_id in account_ids]
        for status in statuses:
            on_update(status)
        return statuses
    policy = service.policy()
    version = f"{policy.info.id}@{policy.info.version}" if policy else ""
    acks = list(acknowledged)
    futures = []
    for each in plans:
        if each.single:
            name = networks.get(each.network).display_name
            note = f"{name} has no threads: posted as one post."
            futures.append(service._submit(draft_id, each.account_id, _single, service, draft_id, each.parts[0],
                                           each.account_id, version, acks, on_update, tuple(images), note))
        else:
            futures.append(service._submit(draft_id, each.account_id, _send_thread, service, draft_id, each,
                                           version, acks, on_update, tuple(images)))
    return [future.result() for future in futures]


def _refusal(service: PublishService, draft_id: str, text: str, account_ids: Sequence[str], plans: Sequence[Plan],
             images: tuple[Attachment, ...]) -> str:
    """Why the thread may not go out at all: no text, no accounts, no policy, a target that cannot
    take it, or a block finding in any part for any target."""
    if not text.strip():
        return "The post is empty."
    if not account_ids:
        return "Choose at least one account to publish to."
    for each in plans:
        if each.refusal:
            return each.refusal
    for each in plans:
        for index, part in enumerate(each.parts):
            refusal = service.refusal(part, [each.account_id], images=images if index == 0 else (),
                                      draft_id=draft_id)
            if refusal is not None:
                where = "" if len(each.parts) == 1 else f"Part {index + 1} of {len(each.parts)}: "
                return where + refusal.reason
    return ""


def _single(service: PublishService, draft_id: str, text: str, account_id: str, version: str, acks: list[Any],
            on_update: Callable[[TargetStatus], None], images: tuple[Attachment, ...], note: str) -> TargetStatus:
    """A network without threads: the post whole, under the thread's own key (one part of one)."""
    def relay(status: TargetStatus) -> None:
        on_update(_noted(status, note))

    try:
        status = service._send(draft_id, text, account_id, version, acks, relay,
                               key=part_key(draft_id, account_id, (text,), 0, service._images(draft_id, images)),
                               images=images)
    except Exception as exc:  # never lose a target's status to an unexpected error
        log.exception("publishing draft %s to %s failed unexpectedly", draft_id, account_id)
        status = service._status(draft_id, account_id, FAILED, reason=f"Unexpected error: {type(exc).__name__}",
                                 retryable=True)
    status = _noted(status, note)
    on_update(status)
    return status


def _noted(status: TargetStatus, note: str) -> TargetStatus:
    if status.state in (SENT, SENDING):
        return dataclasses.replace(status, reason=note)
    return dataclasses.replace(status, reason=f"{status.reason} ({note.split(':')[0]}.)")


def _send_thread(service: PublishService, draft_id: str, each: Plan, version: str, acks: list[Any],
                 on_update: Callable[[TargetStatus], None], images: tuple[Attachment, ...]) -> TargetStatus:
    try:
        status = _send_parts(service, draft_id, each, version, acks, on_update, images)
    except Exception as exc:  # never lose a target's status to an unexpected error
        log.exception("publishing the thread of draft %s to %s failed unexpectedly", draft_id, each.account_id)
        status = service._status(draft_id, each.account_id, FAILED, retryable=True,
                                 reason=f"Unexpected error: {type(exc).__name__}. Retry sends the parts not posted yet.")
    on_update(status)
    return status


def _send_parts(service: PublishService, draft_id: str, each: Plan, version: str, acks: list[Any],
                on_update: Callable[[TargetStatus], None], images: tuple[Attachment, ...]) -> TargetStatus:
    total = len(each.parts)
    root: PostRef | None = None
    parent: PostRef | None = None
    first_url = ""
    status: TargetStatus | None = None
    carried = service._images(draft_id, images)  # what the first part carries: part of every part's key
    for index, part in enumerate(each.parts):
        key = part_key(draft_id, each.account_id, each.parts, index, carried)
        published: list[Published] = []
        where = f"part {index + 1} of {total}"

        def relay(update: TargetStatus, where: str = where) -> None:
            on_update(dataclasses.replace(update, reason=f"Sending {where}…") if update.state == SENDING else update)

        status = service._send(draft_id, part, each.account_id, version, acks, relay, key=key,
                               images=images if index == 0 else (), use_draft_images=index == 0,
                               reply_to=ReplyTo(root, parent) if root is not None and parent is not None else None,
                               on_published=published.append, part=(index, total))
        if status.state != SENT:
            return _stopped(status, index, total, first_url)
        if published:
            ref = PostRef(published[0].remote_id, published[0].cid)
        else:  # posted before (a resumed thread): its id is in the publish history
            publication = service.store.publication(key)
            ref = PostRef(publication.remote_id if publication else "")
        if not ref.remote_id:
            return _stopped(dataclasses.replace(status, state=FAILED, retryable=False,
                                                reason="Chorus has no id for it, so the next part cannot reply "
                                                       "to it."), index + 1, total, first_url or status.post_url)
        if root is None:
            root, first_url = ref, status.post_url
        parent = ref
    assert status is not None
    return dataclasses.replace(status, post_url=first_url,
                               reason=f"Posted as a thread of {total}." if total > 1 else "")


def _stopped(status: TargetStatus, index: int, total: int, first_url: str) -> TargetStatus:
    """The account's thread stopped at part *index* (0-based): say which, and what is already out."""
    posted = (" Part 1 is posted; Retry sends the rest, not it again." if index == 1 else
              f" Parts 1–{index} are posted; Retry sends the rest, not them again." if index else "")
    state, retryable = status.state, status.retryable
    reason = status.reason
    if state == QUEUED:  # threads do not wait in the outbox: Retry when the network is back
        state, retryable = FAILED, True
        reason = "No connection."
    return dataclasses.replace(status, state=state, retryable=retryable, post_url=first_url or status.post_url,
                               reason=f"Part {index + 1} of {total} was not posted: {reason}{posted}")
