"""The browser step of Mastodon's OAuth flow, played by a test (with requests, on 127.0.0.1).

An :class:`AuthorizeBrowser` is what a test passes as ``open_browser``: given the authorization
URL it loads the server's page, fills in the sign-in form, presses Authorize (or Deny) and
follows the redirect like a browser: to Chorus's loopback listener, or to the page that shows
the code for ``urn:ietf:wg:oauth:2.0:oob``. It only ever talks to the URLs it is given.
"""

from __future__ import annotations

import requests

from tests.servers._http import TIMEOUT, Browser, parse_page


def read_oob_code(response: requests.Response) -> str:
    """The code on the server's "copy this code" page (``/oauth/authorize/native``)."""
    code = parse_page(response.text).oob_code
    assert code, f"no authorization code on the page {response.url} (HTTP {response.status_code})"
    return code


class AuthorizeBrowser(Browser):
    """``open_browser`` for tests: sign in as *username* and press Authorize (or Deny)."""

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
        self.pages.append(self._submit(page, form, data))
        return True
