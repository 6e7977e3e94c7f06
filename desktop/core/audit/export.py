"""The audit trail as CSV or JSON, with stable field names (documented in the README, "Audit trail").

JSON: one object ``{"format": "chorus-audit-trail", "version": 1, "exported_at", "since", "genesis",
"verification", "records": [...]}``; each record is :meth:`AuditRecord.as_json` (``seq``, ``time``,
``at_ms``, ``kind``, ``record``, ``prev_hash``, ``hash``), everything needed to recompute its hash:
SHA-256 of the canonical JSON of ``{"seq", "at_ms", "kind", "record", "prev_hash"}``
(:func:`desktop.core.audit.chain.canonical`).

CSV: one row per record under :data:`CSV_FIELDS`, the record's fields flattened (lists as JSON, booleans
``true``/``false``, a field a kind does not have left empty); fields a later Chorus adds go to ``other``
(as JSON), so the columns never change under a reader's feet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

from desktop.core.audit.chain import GENESIS, AuditRecord, Verification, iso_time

FORMAT_NAME, FORMAT_VERSION = "chorus-audit-trail", 1
CSV_FIELDS = (
    "seq", "time", "kind", "migrated",
    "account_id", "handle", "network", "post_url", "remote_id", "draft_id",
    "text_sha256", "text", "images", "part", "parts",
    "policy_id", "policy_version", "policy_name",
    "rule_id", "severity", "reason", "occurrence", "acknowledged",
    "category", "right", "total", "passed", "training_record_id", "wording_sha256",
    "other", "prev_hash", "hash",
)
_OWN = {"seq", "time", "kind", "other", "prev_hash", "hash"}


def parse_since(text: str) -> float:
    """``--since``: a date (``2026-12-01``: from midnight, local time) or a date and time
    (``2026-12-01T09:30``, local; or with an offset, ``2026-12-01T09:30+01:00``); seconds since the epoch."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date: write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # naive: this computer's local time
    return moment.timestamp()


def to_json(records: Sequence[AuditRecord], verification: Verification, since: float | None = None,
            now: float | None = None) -> str:
    payload = {
        "format": FORMAT_NAME, "version": FORMAT_VERSION,
        "exported_at": iso_time(now if now is not None else dt.datetime.now(dt.UTC).timestamp()),
        "since": iso_time(since) if since is not None else None,
        "genesis": GENESIS,
        "verification": verification.as_json(),
        "records": [record.as_json() for record in records],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def csv_row(record: AuditRecord) -> dict[str, str]:
    fields = record.record
    row = {name: _cell(fields.get(name)) for name in CSV_FIELDS if name not in _OWN}
    other = {key: value for key, value in fields.items() if key not in CSV_FIELDS}
    row.update(seq=str(record.seq), time=record.time, kind=record.kind, prev_hash=record.prev_hash, hash=record.hash,
               other=json.dumps(other, ensure_ascii=False, sort_keys=True) if other else "")
    return row


def to_csv(records: Sequence[AuditRecord]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow(csv_row(record))
    return out.getvalue()


# A cell a spreadsheet would read as a formula (=, +, -, @, or a tab or carriage return before one):
# the trail holds text written by others (handles, reasons, posts), and a compliance officer opens the CSV
# in Excel or LibreOffice. Such a cell gets a leading apostrophe, shown as text and documented in the README.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def file_bytes(fmt: str, text: str) -> bytes:
    """An export as written to a file: UTF-8, and for CSV with a byte-order mark first, without which
    Excel reads the file in the computer's legacy code page (names and posts in other scripts garbled)."""
    data = text.encode("utf-8", "surrogatepass")
    return b"\xef\xbb\xbf" + data if fmt == "csv" else data
