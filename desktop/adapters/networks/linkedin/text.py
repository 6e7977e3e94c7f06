"""LinkedIn's "little" text format (``commentary``): reserved characters escaped so LinkedIn never
cuts the post, hashtags as its hashtag template, and the way back to the text people see."""

from __future__ import annotations

import re
import unicodedata

from desktop.core.richtext import LINKEDIN_HASHTAG_RE, LINKEDIN_URL_RE

#: Characters the little text format reserves; each must be escaped with a backslash to be text
#: (learn.microsoft.com …/little-text-format, "Text": ``| { } @ [ ] ( ) < > # \\ * _ ~``).
RESERVED = frozenset("\\|{}@[]()<>#*_~")
# links and hashtags: shared with the preview (desktop.core.richtext), so it styles what LinkedIn gets
_URL_RE = LINKEDIN_URL_RE
_HASHTAG_RE = LINKEDIN_HASHTAG_RE
_LITTLE_TOKEN_RE = re.compile(
    r"\\(?P<escaped>.)"
    r"|\{hashtag\|\\#\|(?P<tag>[^{}|\\]*)\}"
    r"|@\[(?P<name>(?:\\.|[^\]\\])*)\]\((?P<urn>urn:li:[^()\s]+)\)",
    re.DOTALL,
)


def _escape_plain(text: str) -> str:
    return "".join("\\" + ch if ch in RESERVED else ch for ch in text)


def escape_little_text(text: str, *, hashtags: bool = True) -> str:
    """*text* as LinkedIn ``commentary``: every reserved character escaped, so nothing is cut.

    With *hashtags*, ``#word`` outside links becomes ``{hashtag|\\#|word}`` (LinkedIn's hashtag
    template) and stays a clickable hashtag; the text people see is the same either way. Links are
    escaped like any text (an unescaped ``_`` or ``(`` in a URL would cut the post too)."""
    out: list[str] = []
    position = 0
    for url in _URL_RE.finditer(text):
        out.append(_escape_words(text[position:url.start()], hashtags))
        out.append(_escape_plain(url.group()))
        position = url.end()
    out.append(_escape_words(text[position:], hashtags))
    return "".join(out)


def _escape_words(text: str, hashtags: bool) -> str:
    if not hashtags:
        return _escape_plain(text)
    out: list[str] = []
    position = 0
    for tag in _HASHTAG_RE.finditer(text):
        out.append(_escape_plain(text[position:tag.start()]))
        out.append("{hashtag|\\#|" + tag.group(1) + "}")
        position = tag.end()
    out.append(_escape_plain(text[position:]))
    return "".join(out)


def unescape_little_text(little: str) -> str:
    """The text people see for a ``commentary`` value: escapes undone, hashtag templates as
    ``#tag``, mentions ``@[Name](urn:li:…)`` as ``Name``. Lenient: anything else stays as it is."""

    def replace(match: re.Match[str]) -> str:
        if match.group("escaped") is not None:
            return match.group("escaped")
        if match.group("tag") is not None:
            return "#" + match.group("tag")
        return re.sub(r"\\(.)", r"\1", match.group("name"))

    return _LITTLE_TOKEN_RE.sub(replace, little)


def _comparable(text: str) -> str:
    """What must survive LinkedIn's storage: NFC, line endings and white-space runs aside."""
    return " ".join(unicodedata.normalize("NFC", text).split())

