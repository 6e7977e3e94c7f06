"""Plain text from a feed's HTML: tags dropped, entities decoded, scripts and styles left out.

Feeds carry summaries as HTML written by someone else. The panel shows plain text only (never a
rich-text widget rendering a feed's markup), so no link, image or script in it can do anything.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_SKIPPED = {"script", "style", "head", "title", "template", "noscript"}
_BREAKS = {"br", "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre"}
MAX_TEXT = 4000  # characters kept of a summary or a suggested copy


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


_HIDDEN = re.compile(r"<(script|style|template|noscript)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)


def html_to_text(markup: str, limit: int = MAX_TEXT) -> str:
    """*markup* as plain text: paragraphs kept as single blank-line breaks, runs of spaces folded."""
    if "<" not in markup and "&" not in markup:
        return tidy(markup, limit)
    parser = _TextOnly()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # a malformed declaration: fall back to removing the tags
        hidden = _HIDDEN.sub(" ", markup)  # what a page never shows (scripts, styles) is not text either
        return tidy(html.unescape(re.sub(r"<[^>]*>", " ", hidden)), limit)
    return tidy("".join(parser.parts), limit)


def tidy(text: str, limit: int = MAX_TEXT) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    paragraphs: list[str] = []
    for line in lines:
        if line:
            paragraphs.append(line)
        elif paragraphs and paragraphs[-1]:
            paragraphs.append("")
    result = "\n".join(paragraphs).strip()
    return result if len(result) <= limit else result[: limit - 1].rstrip() + "…"
