"""The audit trail's hash chain: append a record, read records back, verify the chain.

Table ``audit_log`` (drafts database, migration 9), one row per event, never updated:

``seq``        1, 2, 3 … in the order the events were recorded
``at``         when, in seconds since the epoch (UTC), rounded to the millisecond
``kind``       ``publish``, ``warning_acknowledged``, ``policy_acknowledged`` or ``quiz_result``
``record``     the event's fields as canonical JSON (:mod:`desktop.core.audit.events`)
``prev_hash``  the previous record's ``hash`` (:data:`GENESIS` for the first record)
``hash``       SHA-256 (hex) of :func:`canonical` ``({"seq", "at_ms", "kind", "record", "prev_hash"})``

``audit_head`` keeps the last record's seq and hash, written in the same transaction as the record:
without it, deleting the newest records would leave a chain that still verifies.

Why a chain: each record carries its predecessor's hash, so removing, editing or reordering a
record breaks the chain at that place, and :func:`verify` names it. It is tamper-*evident*, not
tamper-proof: someone who can write the file can recompute every hash after a change. Keeping a copy
of an export (its last ``hash``) elsewhere anchors the chain up to that point.

Why canonical JSON over ASCII with integer milliseconds (no floats inside records): anyone can
recompute a hash from an export with any language's JSON and SHA-256, and get the same bytes.

Appending happens inside the caller's transaction (``with store.transaction() as db: …
append(db, …)``), so the event's own row and its audit record are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64  # the prev_hash of the first record
PUBLISH = "publish"
WARNING_ACKNOWLEDGED = "warning_acknowledged"
POLICY_ACKNOWLEDGED = "policy_acknowledged"
QUIZ_RESULT = "quiz_result"
KINDS = (PUBLISH, WARNING_ACKNOWLEDGED, POLICY_ACKNOWLEDGED, QUIZ_RESULT)
REMOVED, EDITED, REORDERED = "removed", "edited", "reordered"
SCHEMA = 9  # the drafts database's version that added the trail (migration 9)

# A record never holds a credential: a field with one of these words in its name is refused outright,
# so a careless caller fails in the tests instead of writing a secret into a file meant to be handed over.
_SECRET_WORDS = ("token", "secret", "password", "credential", "cookie", "authorization")

# The tables (audit_log, audit_head) are created by the drafts database's migration 9
# (desktop.core.drafts.migrations), where a schema is frozen once it has shipped.


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: float
    kind: str
    record: dict[str, Any]
    prev_hash: str
    hash: str

    @property
    def time(self) -> str:
        """ISO 8601 in UTC, to the second: how exports write ``at``."""
        return iso_time(self.at)

    def as_json(self) -> dict[str, Any]:
        """The record as exported in JSON: everything needed to recompute its hash."""
        return {"seq": self.seq, "time": self.time, "at_ms": at_ms(self.at), "kind": self.kind,
                "record": self.record, "prev_hash": self.prev_hash, "hash": self.hash}


@dataclass(frozen=True)
class Break:
    """Where the chain breaks first: *kind* (removed, edited, reordered), the *seq* and time there."""

    kind: str
    seq: int
    at: float | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "seq": self.seq, "time": iso_time(self.at) if self.at is not None else None,
                "message": self.message}


@dataclass(frozen=True)
class Verification:
    records: int
    last_hash: str
    broken: Break | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def summary(self) -> str:
        if self.broken is not None:
            return f"The audit trail is broken: {self.broken.message}"
        if not self.records:
            return "The audit trail is empty (nothing recorded yet) and intact."
        plural = "s" if self.records != 1 else ""
        return f"The audit trail is intact: {self.records} record{plural}, each chained to the one before."

    def as_json(self) -> dict[str, Any]:
        return {"intact": self.intact, "records": self.records, "last_hash": self.last_hash,
                "break": self.broken.as_json() if self.broken else None}


# -- hashing ---------------------------------------------------------------------------------------
def canonical(value: Any) -> str:
    """*value* as canonical JSON: keys sorted, no spaces, ASCII only (``\\u`` escapes). Floats are
    refused (their text differs between languages): times are integer milliseconds or ISO strings."""
    _check(value, "")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _check(value: Any, where: str) -> None:
    if isinstance(value, float):
        raise ValueError(f"audit records hold no floats ({where or 'value'} = {value!r}): use integers or strings")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"audit record keys are strings ({where}{key!r})")
            if any(word in key.lower() for word in _SECRET_WORDS):
                raise ValueError(f"an audit record never holds secrets: field {where}{key} refused")
            _check(item, f"{where}{key}.")
    elif isinstance(value, list | tuple):
        for item in value:
            _check(item, where)
    elif not (value is None or isinstance(value, str | int | bool)):
        raise ValueError(f"audit records hold JSON values only ({where or 'value'} is a {type(value).__name__})")


def at_ms(at: float) -> int:
    return int(round(at * 1000))


def record_hash(seq: int, at: float, kind: str, record: Mapping[str, Any], prev_hash: str) -> str:
    payload = canonical({"seq": seq, "at_ms": at_ms(at), "kind": kind, "record": dict(record), "prev_hash": prev_hash})
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def iso_time(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# -- writing ---------------------------------------------------------------------------------------
def append(db: sqlite3.Connection, kind: str, record: Mapping[str, Any], at: float) -> AuditRecord:
    """Append one record; call inside the transaction that writes the event's own row (BEGIN IMMEDIATE
    serialises appends, also between processes sharing the file)."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit record kind {kind!r}")
    if not db.in_transaction:
        raise RuntimeError("audit records are appended inside the transaction of the event they record")
    fields = dict(record)
    text = canonical(fields)
    at = round(float(at), 3)
    seq, prev = _next(db)
    digest = record_hash(seq, at, kind, fields, prev)
    db.execute("INSERT INTO audit_log (seq, at, kind, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)",
               (seq, at, kind, text, prev, digest))
    _set_head(db, seq, digest)
    return AuditRecord(seq, at, kind, fields, prev, digest)


def _next(db: sqlite3.Connection) -> tuple[int, str]:
    """The seq and previous hash of the next record: after the head or after the log's last record,
    whichever is further. Normally they agree; when they do not (records cut off the end, a database
    merged by recovery), the next record never takes a number already used (an append that failed
    would roll back the very publish or acknowledgement it records) and verify still shows the break."""
    head = db.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    tail = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    candidates = [(int(row[0]), str(row[1])) for row in (head, tail) if row is not None]
    if not candidates:
        return 1, GENESIS
    seq, digest = max(candidates)
    return seq + 1, digest


def reset_head(db: sqlite3.Connection) -> None:
    """Point the head at the log's last record (after recovery merged another copy's records into this
    one: the head copied with them would name either copy's end). Verify then checks the merged chain as
    it is: records of one lineage chain on; records the two copies wrote apart show where they differ."""
    tail = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    if tail is not None:
        _set_head(db, int(tail[0]), str(tail[1]))


def _set_head(db: sqlite3.Connection, seq: int, digest: str) -> None:
    db.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) "
               "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash", (seq, digest))


# -- reading ---------------------------------------------------------------------------------------
def has_trail(db: sqlite3.Connection) -> bool:
    """Whether this database has the audit tables (schema 9 or later)."""
    return _has_table(db, "audit_log")


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def records(db: sqlite3.Connection, since: float | None = None, limit: int | None = None) -> list[AuditRecord]:
    """Records in chain order (by seq); only those at or after *since* (seconds) when given."""
    if not has_trail(db):
        return []
    sql = "SELECT seq, at, kind, record, prev_hash, hash FROM audit_log"
    params: list[Any] = []
    if since is not None:
        sql += " WHERE at >= ?"
        params.append(since)
    sql += " ORDER BY seq"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_row(row) for row in db.execute(sql, params).fetchall()]


def _row(row: tuple[Any, ...]) -> AuditRecord:
    try:
        fields = json.loads(row[3])
    except (TypeError, ValueError):
        fields = {"unreadable": str(row[3])}
    if not isinstance(fields, dict):
        fields = {"unreadable": str(row[3])}
    return AuditRecord(int(row[0]), float(row[1]), str(row[2]), fields, str(row[4]), str(row[5]))


def _sent_posts(db: sqlite3.Connection) -> int:
    if not _has_table(db, "publish_history"):
        return 0
    return int(db.execute("SELECT COUNT(*) FROM publish_history WHERE status = 'sent'").fetchone()[0])


def verify(db: sqlite3.Connection) -> Verification:
    """Check every record's hash and link; the result names the first break (see :class:`Break`)."""
    if not has_trail(db) and int(db.execute("PRAGMA user_version").fetchone()[0]) >= SCHEMA:
        return Verification(0, GENESIS, Break(
            REMOVED, 1, None, "the audit trail's tables were removed from this profile's database."))
    rows = records(db)
    head = db.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone() if has_trail(db) else None
    expected_seq, prev = 1, GENESIS
    before: AuditRecord | None = None
    last_seq = max((row.seq for row in rows), default=0)
    for row in rows:
        try:
            own = record_hash(row.seq, row.at, row.kind, row.record, row.prev_hash) == row.hash
        except ValueError:  # a value a record never holds: written outside Chorus
            own = False
        if not own:
            written_as = _written_as(row, last_seq)
            if written_as is not None:
                return Verification(len(rows), prev, Break(
                    REORDERED, row.seq, row.at,
                    f"records were reordered: the record now at position {row.seq} ({_when(row.at)}) was "
                    f"written as record {written_as}."))
            return Verification(len(rows), prev, Break(
                EDITED, row.seq, row.at,
                f"record {row.seq} ({row.kind}, {_when(row.at)}) was edited: its content no longer matches its hash."))
        if row.seq != expected_seq:
            missing = (f"record {expected_seq} was" if row.seq == expected_seq + 1
                       else f"records {expected_seq} to {row.seq - 1} were")
            after = f" after record {before.seq} ({_when(before.at)})" if before else " at the start"
            return Verification(len(rows), prev, Break(
                REMOVED, expected_seq, before.at if before else row.at,
                f"{missing} removed{after}, before record {row.seq} ({_when(row.at)})."))
        if row.prev_hash != prev:
            moved = next((other.seq for other in rows if other.hash == row.prev_hash and other.seq != row.seq - 1), None)
            if moved is not None:
                return Verification(len(rows), prev, Break(
                    REORDERED, row.seq, row.at,
                    f"records were reordered: record {row.seq} ({_when(row.at)}) follows record {moved}, "
                    f"not record {row.seq - 1}."))
            return Verification(len(rows), prev, Break(
                REMOVED, row.seq, row.at,
                f"record {row.seq} ({_when(row.at)}) does not follow record {row.seq - 1}: a record before it was "
                f"removed (and the ones after renumbered), or record {row.seq - 1} was replaced."))
        prev, expected_seq, before = row.hash, row.seq + 1, row
    if head is None:
        if rows:
            return Verification(len(rows), prev, Break(
                EDITED, last_seq, before.at if before else None,
                "the chain's head (the last record's seq and hash) is missing: the trail was changed outside Chorus."))
        sent = _sent_posts(db)
        if sent:  # every post since migration 9 has a record, and migration 9 chained the ones before
            return Verification(0, GENESIS, Break(
                REMOVED, 1, None,
                f"the trail has no records, but {sent} post{'s were' if sent != 1 else ' was'} published from this "
                "profile: its records were removed."))
        return Verification(0, GENESIS)
    head_seq, head_hash = int(head[0]), str(head[1])
    if head_seq > last_seq:
        count = head_seq - last_seq
        after = f"after record {last_seq} ({_when(before.at)})" if before else "(every record)"
        return Verification(len(rows), prev, Break(
            REMOVED, last_seq + 1, before.at if before else None,
            f"the last {count} record{'s were' if count != 1 else ' was'} removed {after}."))
    if head_seq < last_seq or head_hash != prev:
        return Verification(len(rows), prev, Break(
            EDITED, last_seq, before.at if before else None,
            f"record {last_seq} does not match the chain's head (record {head_seq}): the newest records were "
            "replaced or added outside Chorus."))
    return Verification(len(rows), prev)


def _written_as(row: AuditRecord, last_seq: int) -> int | None:
    """The seq a record's hash was made with, when it is another position's (the record was moved)."""
    for seq in range(1, last_seq + 2):
        if seq != row.seq:
            try:
                if record_hash(seq, row.at, row.kind, row.record, row.prev_hash) == row.hash:
                    return seq
            except ValueError:
                return None
    return None


def _when(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
