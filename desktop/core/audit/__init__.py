"""The audit trail: an append-only, hash-chained record of what was published under which policy.

Every publish, every warning acknowledged with its reason, every acknowledgement of the company policy
and every check of understanding is appended, in the same transaction as the row it records, to
``audit_log`` in the profile's drafts database (migration 9). :func:`verify` names the first place
where the chain breaks (a record removed, edited or reordered); :mod:`desktop.core.audit.export` writes
CSV and JSON for the person to hand over on request. Nothing is ever sent anywhere automatically.

- :mod:`desktop.core.audit.chain`: hashing, appending, reading, verifying;
- :mod:`desktop.core.audit.events`: the fields of each kind of record;
- :mod:`desktop.core.audit.history`: migration 9's chaining of the history kept before;
- :mod:`desktop.core.audit.export`: CSV and JSON, with stable field names (README, "Audit trail").
"""

from desktop.core.audit.chain import (
    GENESIS,
    KINDS,
    AuditRecord,
    Break,
    Verification,
    append,
    records,
    verify,
)
from desktop.core.audit.trail import AuditTrail

__all__ = ["GENESIS", "KINDS", "AuditRecord", "AuditTrail", "Break", "Verification", "append", "records", "verify"]
