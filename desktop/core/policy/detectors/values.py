"""Is a value a real credential, or a placeholder, a reference or an ordinary word?

Shared by the credential catalogue and the ``keyword = value`` detector. The rules describe what
placeholders and references look like (one character repeated, an alphabet run, ``<your-token>``,
``${TOKEN}``, ``process.env.API_KEY``) rather than listing samples, so they generalise to posts no one
has seen. Every function here is linear in the value's length, and values are capped by the callers.
"""

from __future__ import annotations

import math
import re
from collections import Counter

# Words that only a template or a tutorial writes inside a credential ("your", "here", "replace"...).
_PLACEHOLDER_WORD = re.compile(r"your|here|replace|placeholder|changeme|change_me|redacted|dummy|sample|insert|goes|todo|"
                               r"xxxx|\*\*\*|###|\.\.\.|…", re.IGNORECASE)
# Values a setting holds when it has no secret yet.
_NON_SECRET_VALUES = frozenset({
    "null", "none", "nil", "true", "false", "undefined", "string", "str", "required", "optional", "empty",
    "password", "passwd", "pass", "pwd", "secret", "token", "apikey", "api_key", "key", "test", "example",
    "default", "value", "hidden", "unset", "notset", "not-set", "tbd", "na", "n/a", "foo", "bar", "foobar",
})
# Longest words first and no backtracking (++): linear on any value.
_NAMES_ONLY = re.compile(r"(?:passwords|password|passwd|passphrase|pass|pwd|secrets|secret|tokens|token|keys|key|"
                         r"credentials|credential|apikey|api|auth|access|private|client|service|account|database|db|"
                         r"user|admin|root|bot|app|my|your|our|the|dev|prod|test|default|new|old|real|actual)++")
# ${VAR} $VAR $(cmd) %VAR% {{ var }} <%= ... %> <name> [name] &lt;name&gt;
_TEMPLATE = re.compile(r"^(?:\$[{(A-Za-z_]|%[A-Za-z_]\w*%|\{\{|\{%|<|\[|&lt;|\{[A-Za-z_])")
# process.env.X, os.environ["X"], config.secrets.db, settings.PASSWORD, ENV["X"], getenv("X"), get_secret()
_CODE_REFERENCE = re.compile(r"^(?:[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:[(\[].*)?|[A-Za-z_$][\w$.]*[(\[].*)$")
_SEPARATORS = re.compile(r"[\W_]+")
_HEX = re.compile(r"[0-9a-fA-F-]+")
_HEX_RUN = re.compile(r"(?<![0-9a-zA-Z])(?=[a-fA-F]{0,11}+[0-9])(?=[0-9]{0,11}+[a-fA-F])[0-9a-fA-F]{12,}+(?![0-9a-zA-Z])")
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9+/=_.~:-]+")
_CSS_SELECTOR = re.compile(r"[#.][a-z][a-z0-9_-]*")


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def _runs(core: str) -> tuple[int, int]:
    """The longest stretch of characters that each follow the one before (abcd, 1234) or repeat it, and
    how many characters follow or repeat the one before in all."""
    best = run = 1
    steps = 0
    # compared case-insensitively, one character at a time: str.lower() can make two ("İ" → "i̇")
    folded = [char.lower()[0] for char in core]
    for a, b in zip(folded, folded[1:], strict=False):
        step = ord(b) - ord(a)
        run = run + 1 if step in (0, 1) else 1
        steps += step in (0, 1)
        best = max(best, run)
    return best, steps


def is_placeholder(value: str) -> bool:
    """A value made to be replaced: repeated or sequential characters, template words, empty settings."""
    if _PLACEHOLDER_WORD.search(value) or value.strip().lower() in _NON_SECRET_VALUES:
        return True
    core = _SEPARATORS.sub("", value)
    if len(core) < 3:
        return True
    most = Counter(core.lower()).most_common(1)[0][1]
    longest, steps = _runs(core)
    # keyboard-mashed sequences: one long run, or runs making up most of the value ("1234567890abcdef1234")
    if most * 2 >= len(core) or longest * 2 >= len(core) or steps * 3 >= 2 * len(core):
        return True
    # a value spelt out of names ("my-bot-token", "YOUR_API_KEY", "db_password") names the secret, it is not one
    return bool(_NAMES_ONLY.fullmatch(core.lower()))


def is_reference(value: str, quoted: bool) -> bool:
    """A value that points at the secret instead of holding it: a variable, a template, code."""
    if _TEMPLATE.match(value):
        return True
    if "process.env" in value or "environ" in value or "getenv" in value.lower():
        return True
    return not quoted and bool(_CODE_REFERENCE.match(value))


def looks_random(value: str) -> bool:
    """A machine-made key or token: long, no spaces, several character classes or hex, high entropy.

    Used for values named only ``token`` or ``secret``, where a word or a version number must pass."""
    if len(value) < 16 or not _TOKEN_CHARS.fullmatch(value) or is_placeholder(value):
        return False
    lower = any(c.islower() for c in value)
    upper = any(c.isupper() for c in value)
    digit = any(c.isdigit() for c in value)
    if _HEX.fullmatch(value) and digit and sum(c != "-" for c in value) >= 16:
        return entropy(value) >= 3.0
    if lower and upper and (digit or len(value) >= 24):
        return entropy(value) >= 3.5
    if digit and (lower or upper) and len(value) >= 20:
        return entropy(value) >= 3.8
    # a short prefix then a long hex run ("tst_9f8e7d6c5b4a"): a test or demo token, still a token
    return bool(_HEX_RUN.search(value))


def is_password_value(value: str, quoted: bool) -> bool:
    """A value that could be someone's password: anything a person might choose, but no placeholder,
    reference, CSS selector or empty setting."""
    if not 4 <= len(value) <= 128 or any(c.isspace() for c in value):
        return False
    if is_reference(value, quoted) or _CSS_SELECTOR.fullmatch(value):
        return False
    if "://" in value or value.startswith(("arn:", "/", "./", "~/")):
        return False
    return not is_placeholder(value)
