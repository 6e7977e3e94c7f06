"""One log: a rotating file in the platform log folder, with every line passed through redaction.

Redaction works on the *formatted* line (message, arguments and traceback together), so a token
cannot slip through as a ``%s`` argument or inside an exception's text. It removes:
- the values of ``Authorization``/``Proxy-Authorization`` headers and ``Bearer``/``DPoP`` tokens,
- ``Cookie`` and ``Set-Cookie`` headers (sessions travel there),
- JSON, form and query fields whose name says secret (``access_token``, ``refreshJwt``,
  ``password``, ``client_secret``, ``code_verifier``, ...) — a quoted value whole, spaces and
  escaped quotes included, also inside JSON that was itself put in a string,
- the fields of the secrets the adapters keep (Bluesky's ``access``, ``refresh`` and ``pw``) and the
  ``identifier`` that goes with a password in a sign-in, where they appear as JSON keys, Python
  keyword arguments or form fields (not as ordinary words: "access to your account" stays),
- anything that looks like a JWT,
- and every exact secret value registered with :func:`register_secret` (tokens the app holds; for
  a secret that is a JSON object, each of its secret fields as well).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import re
import sys
import threading
from pathlib import Path

REDACTED = "[REDACTED]"

_SECRET_FIELD = (
    r"(?:access|refresh|id|bearer|session|auth|api|app)?[_-]?(?:token|jwt|secret|password|passwd|pwd)"
    r"|accessJwt|refreshJwt|client_secret|code_verifier|code|apikey|api_key"
)
# Short names that are ordinary words in prose: secret only as a JSON/dict key or a key=value field.
_SECRET_KEY_ONLY = r"access|refresh|pw|identifier"
# A field's value: a JSON/Python string whole (escapes included), the same inside an escaped JSON
# string (\"…\"), or a bare value up to a separator.
_VALUE = (r"(?:\\\"(?:[^\"\\\r\n]|\\(?!\"))*\\\""
          r"|\"(?:[^\"\\\r\n]|\\.)*\""
          r"|'(?:[^'\\\r\n]|\\.)*'"
          r"|[^\"'&\s,;}\]\\]+)")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: Bearer abc / 'Authorization': 'Bearer abc'
    (re.compile(r"(?i)((?:proxy-)?authorization['\"]?\s*[:=]\s*['\"]?)([^'\"\r\n,}]+)"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b(bearer|dpop|basic)\s+[A-Za-z0-9\-._~+/]+=*"), r"\1 " + REDACTED),
    # Cookie: a=b; c=d  /  'Set-Cookie': 'sid=abc; Path=/'  (the whole header value)
    (re.compile(r"(?i)\b((?:set-)?cookie\\?['\"]?\s*[:=]\s*\\?['\"]?)([^'\"\\\r\n]+)"), r"\1" + REDACTED),
    # "access_token": "abc"  /  access_token=abc  /  'password': 'a b c'  /  \"refreshJwt\":\"x\"
    (
        re.compile(r"(?i)((?:\\?[\"'])?\b(?:" + _SECRET_FIELD + r")\b(?:\\?[\"'])?\s*[:=]\s*)" + _VALUE),
        r"\1" + REDACTED,
    ),
    # {"access": "…", "refresh": "…", "pw": "…"} / access='…' / ?identifier=…
    (
        re.compile(r"((?:\\?[\"'])\b(?:" + _SECRET_KEY_ONLY + r")\b(?:\\?[\"'])\s*:\s*"
                   r"|(?<![\w.-])(?:" + _SECRET_KEY_ONLY + r")\s*=\s*)" + _VALUE),
        r"\1" + REDACTED,
    ),
    # JWTs anywhere (header.payload.signature, base64url)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
)

_known_secrets: set[str] = set()
_known_lock = threading.Lock()


_FIELD_NAME = re.compile(r"(?i)^(?:" + _SECRET_FIELD + "|" + _SECRET_KEY_ONLY + r")$")


def register_secret(value: str | None) -> None:
    """Make sure *value* never appears in any log line (call it for every token the app holds).

    A secret kept as a JSON object (Bluesky's session: access and refresh tokens, app password)
    also registers each secret field's value, so one printed alone is caught too."""
    if not value or len(value) < 6:
        return
    values = {value}
    if value.lstrip().startswith("{"):
        try:
            data = json.loads(value)
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            values |= {v for k, v in data.items() if isinstance(v, str) and len(v) >= 6 and _FIELD_NAME.match(str(k))}
    with _known_lock:
        _known_secrets.update(values)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    with _known_lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(log_file: Path | None, level: str = "info", to_stderr: bool = False) -> None:
    """Set up the root logger: a rotating file (1 MiB × 5, user-only permissions) and optionally stderr."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_chorus", False):
            root.removeHandler(handler)
            handler.close()
    formatter = RedactingFormatter(LOG_FORMAT)
    if log_file is not None:
        log_file = Path(log_file)
        log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not log_file.exists():
            log_file.touch(mode=0o600)
        file_handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=1_048_576, backupCount=5, encoding="utf-8", delay=False
        )
        file_handler.setFormatter(formatter)
        file_handler._chorus = True  # type: ignore[attr-defined]
        root.addHandler(file_handler)
        if os.name == "posix":
            os.chmod(log_file, 0o600)
    if to_stderr:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(formatter)
        stream._chorus = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    root.setLevel({"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}.get(level, logging.INFO))
