"""The fields of each kind of audit record. Plain values only (no floats, never a secret).

``publish`` (a post that reached a network; one record per account, and per part of a thread)
    account_id, handle, network, post_url, remote_id, draft_id, text_sha256 (SHA-256 of the text as
    sent, UTF-8), text (only when the setting ``audit.include_text`` is on), images (each
    ``{"sha256", "alt"}``, in order), policy_id, policy_version, acknowledged (each acknowledged
    finding ``{"rule_id", "kind", "reason"}``), part and parts (a thread's part, 1-based, and its
    number of parts; absent for a single post)
``warning_acknowledged`` (a warn finding acknowledged with a reason, before publishing)
    rule_id, severity (``warn``), reason, policy_id, policy_version, draft_id, occurrence
``policy_acknowledged`` (the company policy's summary acknowledged)
    policy_id, policy_version, policy_name, training_record_id, wording_sha256
``quiz_result`` (a check of understanding taken)
    policy_id, policy_version, policy_name, category ("" for the whole policy), right, total, passed,
    training_record_id, wording_sha256

Records made by migration 9 from the history kept before the audit trail existed carry
``"migrated": true`` (and, for publishes whose text can no longer be known, ``text_sha256`` "").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.core.audit.chain import POLICY_ACKNOWLEDGED, PUBLISH, QUIZ_RESULT, WARNING_ACKNOWLEDGED


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def split_policy(version: str) -> tuple[str, str]:
    """``"acme-example@2025.06.1"`` → (``"acme-example"``, ``"2025.06.1"``); a bare version has no id."""
    policy_id, at, number = version.rpartition("@")
    return (policy_id, number) if at else ("", version)


def publish(*, account_id: str, handle: str, network: str, post_url: str, remote_id: str, draft_id: str,
            policy_version: str, text: str | None, include_text: bool = False,
            images: Sequence[tuple[str, str]] = (), acknowledged: Iterable[Any] = (),
            part: tuple[int, int] | None = None) -> tuple[str, dict[str, Any]]:
    """A ``publish`` record. *text* None: not known (then ``text_sha256`` is ""); *images* (sha256, alt);
    *part* (index 0-based, total) for a thread's part."""
    policy_id, version = split_policy(policy_version)
    record: dict[str, Any] = {
        "account_id": account_id, "handle": handle, "network": network, "post_url": post_url,
        "remote_id": remote_id, "draft_id": draft_id,
        "text_sha256": sha256_text(text) if text is not None else "",
        "images": [{"sha256": sha, "alt": alt} for sha, alt in images],
        "policy_id": policy_id, "policy_version": version,
        "acknowledged": [_acknowledged(item) for item in acknowledged],
    }
    if include_text and text is not None:
        record["text"] = text
    if part is not None and part[1] > 1:
        record["part"], record["parts"] = part[0] + 1, part[1]
    return PUBLISH, record


def _acknowledged(item: Any) -> dict[str, str]:
    """An acknowledged finding as the publish path holds it (an Acknowledgement, or its JSON form)."""
    def get(name: str) -> str:
        value = item.get(name, "") if isinstance(item, Mapping) else getattr(item, name, "")
        return str(value or "")

    return {"rule_id": get("rule_id"), "kind": get("kind"), "reason": get("reason")}


def warning_acknowledged(*, rule_id: str, reason: str, policy_version: str, draft_id: str,
                         occurrence: int = 0) -> tuple[str, dict[str, Any]]:
    policy_id, version = split_policy(policy_version)
    return WARNING_ACKNOWLEDGED, {"rule_id": rule_id, "severity": "warn", "reason": reason, "policy_id": policy_id,
                                  "policy_version": version, "draft_id": draft_id, "occurrence": int(occurrence)}


def policy_acknowledged(*, policy_id: str, policy_version: str, policy_name: str, training_record_id: int,
                        wording: str) -> tuple[str, dict[str, Any]]:
    return POLICY_ACKNOWLEDGED, {"policy_id": policy_id, "policy_version": policy_version, "policy_name": policy_name,
                                 "training_record_id": int(training_record_id), "wording_sha256": sha256_text(wording)}


def quiz_result(*, policy_id: str, policy_version: str, policy_name: str, category: str, right: int, total: int,
                passed: bool, training_record_id: int, wording: str) -> tuple[str, dict[str, Any]]:
    return QUIZ_RESULT, {"policy_id": policy_id, "policy_version": policy_version, "policy_name": policy_name,
                         "category": category, "right": int(right), "total": int(total), "passed": bool(passed),
                         "training_record_id": int(training_record_id), "wording_sha256": sha256_text(wording)}


@dataclass(frozen=True)
class SentPost:
    """What the publish path knows about a post beyond its publish_history row, for its ``publish`` record
    (:meth:`desktop.core.publishing.store.PublishStore.mark_sent`)."""

    text: str | None  # as sent (a thread's part: that part); None: not known
    include_text: bool = False  # the setting audit.include_text
    images: tuple[tuple[str, str], ...] = ()  # (sha256, alt) of each image, in order
    part: tuple[int, int] | None = None  # a thread's part: (index from 0, number of parts)
