"""Migration 9's second half: the history kept before the audit trail existed, chained once.

Every ``publish_history`` row that is ``sent``, every acknowledged warning (``acknowledgements``, kind
``acknowledged``) and every ``training_records`` row becomes an audit record marked ``"migrated": true``,
in time order. Failed and pending publishes are not events of the trail (nothing went out).

A publish's text is not kept in ``publish_history``; when its draft still holds the text that was
sent (the idempotency key, a hash of draft, account, text and images, still matches), its SHA-256
and images are recorded; otherwise ``text_sha256`` is "" and ``images`` [] (not known). The key is
recomputed here rather than imported from publishing (drafts migrations import no publishing code).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

from desktop.core.audit import events
from desktop.core.audit.chain import append


def migrate_history(db: sqlite3.Connection) -> int:
    """Append the old history to an empty trail (inside migration 9's transaction); returns how many."""
    found: list[tuple[float, int, str, dict[str, Any]]] = []
    for order, row in enumerate(db.execute(
            "SELECT draft_id, account_id, network, handle, post_url, remote_id, policy_version, acknowledged, "
            "idempotency_key, COALESCE(sent_at, updated_at) FROM publish_history WHERE status = 'sent' "
            "ORDER BY COALESCE(sent_at, updated_at), id").fetchall()):
        draft_id, account_id, key = row[0], row[1], row[8]
        text, images = _sent_text(db, draft_id, account_id, key)
        kind, record = events.publish(account_id=account_id, handle=row[3], network=row[2], post_url=row[4],
                                      remote_id=row[5], draft_id=draft_id, policy_version=row[6], text=text,
                                      images=images, acknowledged=_list(row[7]))
        found.append((float(row[9]), order, kind, record))
    base = len(found)
    for order, row in enumerate(db.execute(
            "SELECT draft_id, rule_id, occurrence, policy_version, reason, created_at FROM acknowledgements "
            "WHERE kind = 'acknowledged' ORDER BY created_at").fetchall()):
        kind, record = events.warning_acknowledged(rule_id=row[1], reason=row[4], policy_version=row[3],
                                                   draft_id=row[0], occurrence=row[2])
        found.append((float(row[5]), base + order, kind, record))
    base = len(found)
    for order, row in enumerate(db.execute(
            "SELECT id, kind, policy_id, policy_version, policy_name, category, passed, wording, details, recorded_at "
            "FROM training_records ORDER BY recorded_at, id").fetchall()):
        if row[1] == "quiz":
            details = _dict(row[8])
            kind, record = events.quiz_result(policy_id=row[2], policy_version=row[3], policy_name=row[4],
                                              category=row[5], right=_int(details.get("right")),
                                              total=_int(details.get("total")), passed=bool(row[6]),
                                              training_record_id=row[0], wording=row[7])
        else:
            kind, record = events.policy_acknowledged(policy_id=row[2], policy_version=row[3], policy_name=row[4],
                                                      training_record_id=row[0], wording=row[7])
        found.append((float(row[9]), base + order, kind, record))
    found.sort(key=lambda item: (item[0], item[1]))
    for at, _order, kind, record in found:
        append(db, kind, {**record, "migrated": True}, at)
    return len(found)


def _sent_text(db: sqlite3.Connection, draft_id: str, account_id: str, key: str) -> tuple[str | None, list[tuple[str, str]]]:
    """The draft's text and images if they are still what was sent under *key* (see the module docstring)."""
    draft = db.execute("SELECT body FROM drafts WHERE id = ?", (draft_id,)).fetchone()
    if draft is None or not key.startswith("chorus-") or key.startswith("chorus-t-"):
        return None, []
    images = [(str(r[0]), str(r[1])) for r in db.execute(
        "SELECT sha256, alt FROM draft_media WHERE draft_id = ? ORDER BY position", (draft_id,)).fetchall()]
    fields = [draft_id, account_id, str(draft[0])]
    for sha, alt in images:
        fields += ["image", sha, alt]
    digest = hashlib.sha256("\x1f".join(fields).encode("utf-8", "surrogatepass")).hexdigest()
    base = f"chorus-{digest[:40]}"
    if key == base or key.startswith(base + "-r"):
        return str(draft[0]), images
    return None, []


def _list(text: str) -> list[Any]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return []
    return value if isinstance(value, list) else []


def _dict(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
