"""The browser step of Mastodon's OAuth flow, played by a test (with requests, on 127.0.0.1).

An :class:`AuthorizeBrowser` is what a test passes as ``open_browser``: given the authorization
URL it loads the server's page, fills in the sign-in form, presses Authorize (or Deny) and
follows the redirect like a browser: to Chorus's loopback listener, or to the page that shows
the code for ``urn:ietf:wg:oauth:2.0:oob``. It only ever talks to the URLs it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

TIMEOUT = 10.0


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.buttons: dict[str, list[str]] = {}
        self.oob_code: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self._in_form = True
            self.action = attributes.get("action", "")
        elif tag == "input" and "oauth-code" in attributes.get("class", "").split():
            self.oob_code = attributes.get("value", "")
        elif tag == "input" and self._in_form and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "button" and self._in_form and attributes.get("name"):
            self.buttons.setdefault(attributes["name"], []).append(attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def parse_page(markup: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(markup)
    parser.close()
    return parser


def read_oob_code(response: requests.Response) -> str:
    """The code on the server's "copy this code" page (``/oauth/authorize/native``)."""
    code = parse_page(response.text).oob_code
    assert code, f"no authorization code on the page {response.url} (HTTP {response.status_code})"
    return code


@dataclass
class AuthorizeBrowser:
    """``open_browser`` for tests: sign in as *username* and press Authorize (or Deny)."""

    username: str
    password: str
    approve: bool = True
    session: requests.Session = field(default_factory=requests.Session)
    opened: list[str] = field(default_factory=list)
    pages: list[requests.Response] = field(default_factory=list)

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        page = self.session.get(url, timeout=TIMEOUT)
        assert page.status_code == 200, f"authorization page: HTTP {page.status_code}: {page.text[:300]}"
        form = parse_page(page.text)
        assert form.action, "no form on the authorization page"
        data = dict(form.fields)
        if "username" in data:
            data["username"] = self.username
            data["password"] = self.password
        data["decision"] = "approve" if self.approve else "deny"
        assert data["decision"] in form.buttons.get("decision", []), "no such button on the page"
        final = self.session.post(urljoin(page.url, form.action), data=data, timeout=TIMEOUT)
        self.pages.append(final)
        return True

    @property
    def last(self) -> requests.Response:
        return self.pages[-1]

    def close(self) -> None:
        self.session.close()
