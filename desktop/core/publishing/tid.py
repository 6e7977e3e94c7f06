"""Timestamp identifiers (TIDs), the AT Protocol's record keys, made on the client.

A TID is a 64-bit integer written as 13 characters of "base32-sortable" (``234567a-z``): the top
bit 0, then 53 bits of microseconds since the UNIX epoch, then a 10-bit clock identifier. They sort
by time as strings. Bluesky posts (``app.bsky.feed.post``) are keyed by one; choosing it on the
client before the first attempt is what makes a retry safe (the same key cannot create a second
record; after an ambiguous failure the client reads the record by that key).

A TID also makes a good idempotency key for every network (Mastodon takes any string), so the
publishing service can create one TID per draft + account with :func:`new_tid` and the Bluesky
adapter uses it as the record key directly.
"""

from __future__ import annotations

import random
import re
import threading
import time

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# The spec's syntax check: 13 characters, the first one keeps the top bit 0.
TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")

_lock = threading.Lock()
_last_us = 0
_clock_id = random.SystemRandom().randrange(1024)


def encode(value: int) -> str:
    if not 0 <= value < 1 << 63:
        raise ValueError("a TID is a 63-bit unsigned value")
    out = []
    for _ in range(13):
        out.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def decode(tid: str) -> int:
    if not is_tid(tid):
        raise ValueError(f"not a TID: {tid!r}")
    value = 0
    for c in tid:
        value = (value << 5) | _VALUE[c]
    return value


def make_tid(timestamp_us: int, clock_id: int) -> str:
    if not 0 <= timestamp_us < 1 << 53:
        raise ValueError("timestamp out of range")
    if not 0 <= clock_id < 1024:
        raise ValueError("clock id is 10 bits")
    return encode((timestamp_us << 10) | clock_id)


def new_tid(now_us: int | None = None) -> str:
    """A fresh TID for now; strictly increasing within this process, even within one microsecond."""
    global _last_us
    with _lock:
        us = time.time_ns() // 1000 if now_us is None else now_us
        if us <= _last_us:
            us = _last_us + 1
        _last_us = us
        return make_tid(us, _clock_id)


def is_tid(value: object) -> bool:
    return isinstance(value, str) and TID_RE.fullmatch(value) is not None


def timestamp_us(tid: str) -> int:
    """Microseconds since the epoch that *tid* was made at."""
    return decode(tid) >> 10


def clock_id(tid: str) -> int:
    return decode(tid) & 1023
