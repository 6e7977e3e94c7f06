"""Credentials in a post: provider token shapes and ``keyword = value`` assignments (R1)."""

from __future__ import annotations

import re

from desktop.core.policy.detectors.spans import Detection, merge_overlapping

# -- secrets (R1) ----------------------------------------------------------------------------------
# Built-in patterns use the standard library's re (possessive quantifiers, Python 3.11+): they are
# ours, linear-time by construction, and re runs them faster than the regex module does.
_SECRET_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aws_key", re.compile(r"(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("github_token", re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])")),
    ("slack_token", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}+")),
    ("private_key", re.compile(
        r"-----BEGIN (?:(?!PRIVATE )[A-Z0-9]++ )*+PRIVATE KEY-----"
        r"(?:[\s\S]*?-----END (?:(?!PRIVATE )[A-Z0-9]++ )*+PRIVATE KEY-----)?")),
    ("jwt", re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}+\.eyJ[A-Za-z0-9_-]{5,}+\.[A-Za-z0-9_-]*+")),
)
# One scan finds which shapes are worth searching for: each needs one of these literals.
_SHAPE_HINT = re.compile(r"A3T|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox|-----BEGIN|eyJ")
_HINT_KINDS = {"A": "aws_key", "g": "github_token", "x": "slack_token", "-": "private_key", "e": "jwt"}
# The keyword may end a longer identifier (GITHUB_TOKEN, SLACK_BOT_TOKEN): nothing is required before it.
_KEYWORD_LOWER = re.compile(r"password|passwd|pwd|api[_-]?key|secret|token")
_KEYWORD_ANY_CASE = re.compile(_KEYWORD_LOWER.pattern, re.IGNORECASE)
_ASSIGNMENT = re.compile(r"\s*+[:=]\s*+(?P<value>\S++)")
_PLACEHOLDER = re.compile(r"^(?:\$\{.*\}|<.*>|\*+|\{\{.*\}\}|%\(.*\)s|x+|\.\.\.)[,;.]?$", re.IGNORECASE)


def find_secrets(text: str) -> list[Detection]:
    found: list[Detection] = []
    kinds = {_HINT_KINDS[match.group()[0]] for match in _SHAPE_HINT.finditer(text)}
    for kind, pattern in _SECRET_SHAPES:
        if kind in kinds:
            found.extend(Detection(kind, m.start(), m.end()) for m in pattern.finditer(text))
    if "=" in text or ":" in text:
        lowered = text.lower()
        # on the lower-cased copy when it keeps every index (a plain scan is several times faster)
        keywords = (_KEYWORD_LOWER.finditer(lowered) if len(lowered) == len(text) else _KEYWORD_ANY_CASE.finditer(text))
        for keyword in keywords:
            match = _ASSIGNMENT.match(text, keyword.end())
            if match is None:
                continue
            value = match.group("value")
            if len(value) < 6 or _PLACEHOLDER.match(value):
                continue
            found.append(Detection("keyword_assignment", match.start("value"), match.end("value")))
    return merge_overlapping(found)
