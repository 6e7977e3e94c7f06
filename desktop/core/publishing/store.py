"""Publish history and the outbox, in the drafts database file: what was sent where (exactly once),
and what waits for the network.

A view over a :class:`~desktop.core.drafts.store.DraftStore`, like the accounts' store: that store's
connection, lock and clock (``transaction()`` / ``reading()``), called from the UI's "db" lane or
the publishing service's workers. Tables: ``publish_history`` and ``outbox``
(:mod:`desktop.core.drafts.migrations`, version 4; version 8 adds scheduled posts to the outbox).
Nothing secret is stored here.

The outbox holds two kinds of entries, one per draft: publishes waiting for the network
(``scheduled_at`` NULL; :meth:`PublishStore.outbox`, sent by ``PublishService.send_outbox``) and
posts scheduled for a time (:meth:`PublishStore.scheduled`, sent by
:mod:`desktop.core.publishing.schedule`). One table because they are the same thing, a publish that
waits, with the same claim that makes it go out once; a scheduled post that finds the network gone
becomes a plain outbox entry.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.core.audit import chain as audit_chain
from desktop.core.audit import events as audit_events
from desktop.core.audit.events import SentPost
from desktop.core.drafts.store import DraftStore
from desktop.core.errors import StorageError
from desktop.core.ports import Account

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
STATUSES = (PENDING, SENT, FAILED)


@dataclass(frozen=True)
class Publication:
    """One draft published (or being published) to one account: a row of the publish history."""

    id: int
    idempotency_key: str
    draft_id: str
    account_id: str
    network: str
    handle: str
    status: str  # pending | sent | failed
    post_url: str
    remote_id: str
    rkey: str  # Bluesky's client-chosen record key (TID), fixed before the first attempt
    policy_version: str
    acknowledged: tuple[Any, ...]  # the acknowledged findings, as JSON values
    error: str
    attempts: int
    created_at: float
    updated_at: float
    sent_at: float | None


@dataclass(frozen=True)
class OutboxEntry:
    """A publish waiting for the network: re-checked against the policy of the day before it is sent."""

    id: int
    draft_id: str
    account_ids: tuple[str, ...]
    text: str
    queued_at: float
    attempts: int
    next_attempt_at: float
    last_error: str
    scheduled_at: float | None = None  # publish later: when, in UTC seconds (None: waits for the network)
    time_zone: str = ""  # the IANA zone the time was chosen in
    held: str = ""  # why the policy of the day refused it when it fell due ('' unless held)


_PUBLICATION_COLUMNS = ("id, idempotency_key, draft_id, account_id, network, handle, status, post_url, remote_id, "
                        "rkey, policy_version, acknowledged, error, attempts, created_at, updated_at, sent_at")
_OUTBOX_COLUMNS = ("id, draft_id, account_ids, text, queued_at, attempts, next_attempt_at, last_error, "
                   "scheduled_at, time_zone, held")



class PublishStore:
    """Publish history and outbox. See the module docstring."""

    def __init__(self, database: DraftStore) -> None:
        self.database = database

    @property
    def clock(self) -> Callable[[], float]:
        return self.database.clock

    # -- publish history -------------------------------------------------------------------------
    def begin_publication(
        self,
        draft_id: str,
        account: Account,
        idempotency_key: str,
        *,
        policy_version: str = "",
        acknowledged: Iterable[Any] = (),
        rkey: str = "",
    ) -> Publication:
        """Record an attempt *before* sending: a new pending row, or the existing row for this key.

        An existing row keeps its rkey (the same record key must be reused after an ambiguous
        failure) and its status: the caller decides what a ``sent`` or ``pending`` row means.
        The attempt counter goes up either way.
        """
        now = self.clock()
        acks = json.dumps([_jsonable(a) for a in acknowledged], sort_keys=True, ensure_ascii=False)
        with self.database.transaction() as db:
            db.execute(
                "INSERT INTO publish_history (idempotency_key, draft_id, account_id, network, handle, status, rkey, "
                "policy_version, acknowledged, attempts, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, 1, ?, ?) "
                "ON CONFLICT(idempotency_key) DO UPDATE SET attempts = attempts + 1, updated_at = excluded.updated_at, "
                "policy_version = excluded.policy_version, acknowledged = excluded.acknowledged, "
                "status = CASE WHEN status = 'failed' THEN 'pending' ELSE status END",
                (idempotency_key, draft_id, account.id, account.network, account.handle, rkey, policy_version, acks,
                 now, now),
            )
        publication = self.publication(idempotency_key)
        assert publication is not None
        return publication

    def mark_sent(self, idempotency_key: str, post_url: str, remote_id: str, *,
                  sent: SentPost | None = None) -> Publication:
        """The post is on the network. The first time a row becomes ``sent``, its ``publish`` record is
        appended to the audit trail in the same transaction (*sent*: the text and images, which the row
        does not keep), so neither exists without the other."""
        now = self.clock()
        with self.database.transaction() as db:
            before = db.execute("SELECT status, draft_id, account_id, network, handle, policy_version, acknowledged "
                                "FROM publish_history WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
            cursor = db.execute(
                "UPDATE publish_history SET status = 'sent', post_url = ?, remote_id = ?, error = '', "
                "sent_at = COALESCE(sent_at, ?), updated_at = ? WHERE idempotency_key = ?",
                (post_url, remote_id, now, now, idempotency_key),
            )
            if cursor.rowcount != 1 or before is None:
                raise StorageError(f"no publish record for key {idempotency_key}")
            if before[0] != SENT:
                sent = sent or SentPost(None)
                kind, record = audit_events.publish(
                    account_id=before[2], handle=before[4], network=before[3], post_url=post_url, remote_id=remote_id,
                    draft_id=before[1], policy_version=before[5], text=sent.text, include_text=sent.include_text,
                    images=sent.images, acknowledged=_json(before[6], []), part=sent.part)
                audit_chain.append(db, kind, record, now)
        return self.publication(idempotency_key)  # type: ignore[return-value]

    def mark_failed(self, idempotency_key: str, reason: str) -> Publication:
        """Failed with the server's *reason*. A row already ``sent`` stays sent."""
        with self.database.transaction() as db:
            cursor = db.execute(
                "UPDATE publish_history SET status = CASE WHEN status = 'sent' THEN 'sent' ELSE 'failed' END, "
                "error = CASE WHEN status = 'sent' THEN error ELSE ? END, updated_at = ? WHERE idempotency_key = ?",
                (reason, self.clock(), idempotency_key),
            )
            if cursor.rowcount != 1:
                raise StorageError(f"no publish record for key {idempotency_key}")
        return self.publication(idempotency_key)  # type: ignore[return-value]

    def publication(self, idempotency_key: str) -> Publication | None:
        with self.database.reading() as db:
            row = db.execute(f"SELECT {_PUBLICATION_COLUMNS} FROM publish_history WHERE idempotency_key = ?",
                             (idempotency_key,)).fetchone()
        return _publication(row) if row else None

    def history(self, draft_id: str) -> list[Publication]:
        """Everything published (or tried) from this draft, oldest first."""
        with self.database.reading() as db:
            rows = db.execute(f"SELECT {_PUBLICATION_COLUMNS} FROM publish_history WHERE draft_id = ? "
                              "ORDER BY created_at, id", (draft_id,)).fetchall()
        return [_publication(row) for row in rows]

    def pending_publications(self) -> list[Publication]:
        """Rows left ``pending`` (the app stopped mid-send): each must be looked up before sending again."""
        with self.database.reading() as db:
            rows = db.execute(f"SELECT {_PUBLICATION_COLUMNS} FROM publish_history WHERE status = 'pending' "
                              "ORDER BY created_at, id").fetchall()
        return [_publication(row) for row in rows]

    # -- outbox ----------------------------------------------------------------------------------
    def enqueue(self, draft_id: str, account_ids: Sequence[str], text: str,
                next_attempt_at: float | None = None) -> OutboxEntry:
        """Queue a publish for when the network is back. A draft is queued once: queuing it again
        replaces its accounts and text and starts its attempts afresh (and replaces a schedule: the
        post was published, or tried, before its time)."""
        if not account_ids:
            raise ValueError("a queued publish needs at least one account")
        now = self.clock()
        try:
            with self.database.transaction() as db:
                db.execute(
                    "INSERT INTO outbox (draft_id, account_ids, text, queued_at, attempts, next_attempt_at, last_error) "
                    "VALUES (?, ?, ?, ?, 0, ?, '') ON CONFLICT(draft_id) DO UPDATE SET "
                    "account_ids = excluded.account_ids, text = excluded.text, queued_at = excluded.queued_at, "
                    "attempts = 0, next_attempt_at = excluded.next_attempt_at, last_error = '', scheduled_at = NULL, "
                    "time_zone = '', held = ''",
                    (draft_id, json.dumps(list(account_ids)), text, now,
                     now if next_attempt_at is None else next_attempt_at),
                )
        except sqlite3.IntegrityError as exc:
            raise StorageError(f"draft {draft_id} does not exist") from exc
        entry = self.outbox_entry(draft_id)
        assert entry is not None
        return entry

    def outbox_entry(self, draft_id: str) -> OutboxEntry | None:
        with self.database.reading() as db:
            row = db.execute(f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE draft_id = ?", (draft_id,)).fetchone()
        return _outbox(row) if row else None

    def outbox(self, due_at: float | None = None) -> list[OutboxEntry]:
        """Publishes waiting for the network (not scheduled ones), oldest first; only those due by
        *due_at* when given."""
        with self.database.reading() as db:
            if due_at is None:
                rows = db.execute(f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE scheduled_at IS NULL "
                                  "ORDER BY queued_at, id").fetchall()
            else:
                rows = db.execute(f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE scheduled_at IS NULL AND "
                                  "next_attempt_at <= ? ORDER BY next_attempt_at, id", (due_at,)).fetchall()
        return [_outbox(row) for row in rows]

    # -- scheduled posts (publish later) ------------------------------------------------------------
    def schedule(self, draft_id: str, account_ids: Sequence[str], text: str, at: float, time_zone: str) -> OutboxEntry:
        """Schedule the draft for *at* (UTC seconds), chosen in *time_zone*. A draft has one schedule:
        scheduling it again replaces the time, accounts and text (and lifts a hold)."""
        if not account_ids:
            raise ValueError("a scheduled post needs at least one account")
        now = self.clock()
        try:
            with self.database.transaction() as db:
                db.execute(
                    "INSERT INTO outbox (draft_id, account_ids, text, queued_at, attempts, next_attempt_at, last_error, "
                    "scheduled_at, time_zone, held) VALUES (?, ?, ?, ?, 0, ?, '', ?, ?, '') "
                    "ON CONFLICT(draft_id) DO UPDATE SET account_ids = excluded.account_ids, text = excluded.text, "
                    "queued_at = excluded.queued_at, attempts = 0, next_attempt_at = excluded.next_attempt_at, "
                    "last_error = '', scheduled_at = excluded.scheduled_at, time_zone = excluded.time_zone, held = ''",
                    (draft_id, json.dumps(list(account_ids)), text, now, at, at, time_zone),
                )
        except sqlite3.IntegrityError as exc:
            raise StorageError(f"draft {draft_id} does not exist") from exc
        entry = self.outbox_entry(draft_id)
        assert entry is not None
        return entry

    def scheduled(self) -> list[OutboxEntry]:
        """Every scheduled post (held ones too), soonest first."""
        with self.database.reading() as db:
            rows = db.execute(f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE scheduled_at IS NOT NULL "
                              "ORDER BY scheduled_at, id").fetchall()
        return [_outbox(row) for row in rows]

    def hold(self, entry_id: int, reason: str) -> None:
        """Keep a scheduled post from going out (the policy of the day refused it) until the author acts."""
        with self.database.transaction() as db:
            db.execute("UPDATE outbox SET held = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?",
                       (reason, reason, entry_id))

    def cancel_schedule(self, draft_id: str) -> bool:
        """Take the draft's scheduled post out of the outbox (it stays a draft). False if none was scheduled."""
        with self.database.transaction() as db:
            cursor = db.execute("DELETE FROM outbox WHERE draft_id = ? AND scheduled_at IS NOT NULL", (draft_id,))
        return cursor.rowcount == 1

    def record_outbox_attempt(self, entry_id: int, error: str, next_attempt_at: float) -> None:
        with self.database.transaction() as db:
            db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                       (error, next_attempt_at, entry_id))

    def remove_from_outbox(self, entry_id: int) -> None:
        with self.database.transaction() as db:
            db.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))

    def claim_outbox_entry(self, entry_id: int, *, now: float, until: float) -> bool:
        """Take a due entry for sending: True for exactly one of any number of callers, in this process
        or another one on the same file (one ``UPDATE`` in a ``BEGIN IMMEDIATE`` transaction: whoever
        writes first moves the entry's next attempt to *until*, and it is no longer due for anyone
        else). A sender that dies with the claim leaves the entry due again at *until*; sending it
        again is safe, because the publish record of the first attempt makes the next one look first.

        Why the next attempt time and not claimed_by/claimed_at columns: a claim *is* "nobody else
        tries this before then", the column is already indexed, and no schema change is needed."""
        with self.database.transaction() as db:
            cursor = db.execute("UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND next_attempt_at <= ?",
                                (until, entry_id, now))
        return cursor.rowcount == 1

    def release_outbox_entry(self, entry_id: int, claimed_until: float) -> bool:
        """Remove an entry that was claimed until *claimed_until* and has been sent, unless it changed
        since (queued again because still offline, or re-queued by the author): then it stays."""
        with self.database.transaction() as db:
            cursor = db.execute("DELETE FROM outbox WHERE id = ? AND next_attempt_at = ?", (entry_id, claimed_until))
        return cursor.rowcount == 1


# -- rows ------------------------------------------------------------------------------------------
def _json(text: str, default: Any) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return default


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _publication(row: tuple[Any, ...]) -> Publication:
    acknowledged = _json(row[11], [])
    return Publication(
        id=row[0], idempotency_key=row[1], draft_id=row[2], account_id=row[3], network=row[4], handle=row[5],
        status=row[6], post_url=row[7], remote_id=row[8], rkey=row[9], policy_version=row[10],
        acknowledged=tuple(acknowledged) if isinstance(acknowledged, list) else (), error=row[12], attempts=row[13],
        created_at=row[14], updated_at=row[15], sent_at=row[16],
    )


def _outbox(row: tuple[Any, ...]) -> OutboxEntry:
    ids = _json(row[2], [])
    return OutboxEntry(id=row[0], draft_id=row[1], account_ids=tuple(str(i) for i in ids) if isinstance(ids, list)
                       else (), text=row[3], queued_at=row[4], attempts=row[5], next_attempt_at=row[6],
                       last_error=row[7], scheduled_at=row[8], time_zone=row[9], held=row[10])
