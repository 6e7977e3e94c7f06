"""Bluesky (AT Protocol) with an app password: link, publish exactly once, keep the session alive.

    client = BlueskyClient()
    account, secret = client.link("alice.bsky.social", "abcd-efgh-ijkl-mnop")   # secret → keyring
    published = client.publish(account, secret, Post(text, idempotency_key=tid.new_tid()),
                               on_secret=lambda s: store.set(account.id, s))

Linking resolves the handle to its DID (``com.atproto.identity.resolveHandle``, then
``https://<handle>/.well-known/atproto-did``), the DID to its document (the PLC directory for
``did:plc``, ``/.well-known/did.json`` for ``did:web``) and the document to the account's PDS
(the ``#atproto_pds`` service), then calls ``com.atproto.server.createSession`` there. A custom
PDS URL skips the resolution. The account's main password is refused: only app passwords are
stored.

The secret is a small JSON object (well under 2,000 bytes): the DID, the access and refresh
JWTs and the app password, so an expired refresh token (90 days) can be replaced silently. When
the PDS answers ``ExpiredToken`` (HTTP 400) the adapter refreshes the session
(``refreshSession``), hands the new secret to the caller's ``on_secret`` at once, and repeats the
call; when the refresh token was revoked too it logs in again with the app password; when that is
refused, the app password was revoked: :class:`AuthError`.

Exactly once: the record key is a TID chosen before the first attempt (the post's idempotency key
when that is a TID, else ``Post.record_key``). ``publish`` first reads the record with that key
(``com.atproto.repo.getRecord``) and returns it if it is there; after an ambiguous failure of
``createRecord`` (timeout, dropped connection, 5xx) it reads again before reporting anything, so a
retry never makes a second post.

Credentials only go over https to the PDS they belong to: every call goes through
:func:`desktop.adapters.http.fetch`, which refuses redirects on calls carrying the app password or
a token, refuses ``http://`` except to this computer (a custom PDS address and the PDS named by a
DID document alike), caps answers and bounds each exchange by a total deadline.

Links, mentions and hashtags become ``app.bsky.richtext.facet`` entries whose ranges are UTF-8
byte offsets (the detection follows ``@atproto/api``'s rich-text detector); mentions are resolved
to DIDs and left as plain text when they cannot be.
"""

from __future__ import annotations

import dataclasses

import base64
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit

import regex
import requests

from desktop.adapters.http import (
    DEFAULT_DEADLINE_S,
    MAX_JSON_BYTES,
    MAYBE_PUBLISHED,
    decode_json,
    fetch,
    make_session,
    require_https,
)
from desktop.core.logs import register_secret
from desktop.core.publishing import (
    Account,
    AuthError,
    Post,
    Published,
    PublishError,
    RateLimited,
    SecretSink,
)
from desktop.core.publishing import tid as tids

log = logging.getLogger(__name__)

NETWORK = "bluesky"
DEFAULT_SERVICE = "https://bsky.social"  # resolves handles; takes e-mail logins and finds the PDS
DEFAULT_PLC_DIRECTORY = "https://plc.directory"
WEB_APP = "https://bsky.app"
POST_COLLECTION = "app.bsky.feed.post"
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
SECRET_VERSION = 1
APP_PASSWORD_SCOPES = {"com.atproto.appPass", "com.atproto.appPassPrivileged"}


# --------------------------------------------------------------------------------------------
# Rich text: links, mentions and hashtags → facets with UTF-8 byte offsets


@dataclass(frozen=True)
class Span:
    """One detected feature, in code points of the text (``text[start:end]`` is what is shown)."""

    start: int
    end: int
    kind: str  # link | mention | tag
    value: str  # the URI, the handle (without @), or the tag (without #)


# Bare domains ("example.com/page") only become links with a known top-level domain, as in the
# reference detector; a short list of generic ones plus every two-letter country code.
_GENERIC_TLDS = frozenset(
    """com net org edu gov mil int info biz name pro aero coop museum mobi asia jobs tel travel xxx
    app dev io ai page blog cloud tech online site store shop xyz top club live news media social
    world one group company agency digital email network systems solutions services design art
    link website space today global team studio life zone tools software codes works wiki
    academy education health science security finance bank insurance legal law consulting""".split()
)
# Reference: packages/api/src/rich-text/detection.ts and util.ts in bluesky-social/atproto.
_MENTION_RE = regex.compile(r"(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)")
_URL_RE = regex.compile(
    r"(^|\s|\()((https?://[\S]+)|((?P<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)[\S]*))", regex.IGNORECASE
)
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG_RE = regex.compile(
    rf"(^|\s)[#＃]((?!\ufe0f)[^\s{_INVISIBLE}]*[^0-9\s\p{{P}}{_INVISIBLE}]+[^\s{_INVISIBLE}]*)?"
)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
_MAX_TAG = 64
# Never looked up on the web (RFC 2606/6761): only a PDS can know them.
_RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost", "local", "internal", "alt"})


def _valid_domain(name: str) -> bool:
    tld = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return bool(tld) and tld.isascii() and tld.isalpha() and (len(tld) == 2 or tld in _GENERIC_TLDS)


def find_spans(text: str) -> list[Span]:
    """Links, @mentions and #hashtags in *text*, in order, never overlapping."""
    found: list[Span] = []
    for m in _MENTION_RE.finditer(text):
        handle = m.group(3)
        if not (_valid_domain(handle) or handle.lower().endswith(".test")):
            continue  # probably not a handle
        start = m.start(2)
        found.append(Span(start, m.end(3), "mention", handle.lower()))
    for m in _URL_RE.finditer(text):
        uri = m.group(2)
        start, end = m.start(2), m.end(2)
        if not uri.lower().startswith("http"):
            domain = m.group("domain")
            if not domain or not _valid_domain(domain):
                continue
            uri = "https://" + uri
        if uri[-1] in ".,;:!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        found.append(Span(start, end, "link", uri))
    for m in _TAG_RE.finditer(text):
        body = m.group(2)
        if not body:
            continue
        tag = _TRAILING_PUNCTUATION.sub("", body)
        if not tag or len(tag) > _MAX_TAG:
            continue
        start = m.start(2) - 1  # the '#'
        found.append(Span(start, start + 1 + len(tag), "tag", tag))
    found.sort(key=lambda s: (s.start, -s.end))
    spans: list[Span] = []
    for span in found:
        if spans and span.start < spans[-1].end:
            continue  # overlaps an earlier feature (e.g. a "#" inside a URL)
        spans.append(span)
    return spans


def utf8_offsets(text: str) -> list[int]:
    """``offsets[i]`` is the UTF-8 byte offset of code point *i* (one extra entry for the end)."""
    offsets = [0]
    total = 0
    for ch in text:
        total += len(ch.encode("utf-8", "surrogatepass"))
        offsets.append(total)
    return offsets


def build_facets(text: str, resolve_handle: Callable[[str], str | None] | None = None) -> list[dict]:
    """The ``facets`` array of an ``app.bsky.feed.post`` record for *text*.

    *resolve_handle* maps a handle to its DID (None when unknown); mentions it cannot resolve
    stay plain text, as in the official app. Without it, mentions are left out."""
    offsets = utf8_offsets(text)
    facets = []
    for span in find_spans(text):
        if span.kind == "link":
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
        elif span.kind == "tag":
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": span.value}
        else:
            did = resolve_handle(span.value) if resolve_handle else None
            if not did:
                continue
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
        facets.append({
            "$type": "app.bsky.richtext.facet",
            "index": {"byteStart": offsets[span.start], "byteEnd": offsets[span.end]},
            "features": [feature],
        })
    return facets


def grapheme_count(text: str) -> int:
    return len(regex.findall(r"\X", text))


def build_record(text: str, *, facets: list[dict], language: str | None = None,
                 created_at: datetime | None = None) -> dict:
    when = (created_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    record: dict[str, Any] = {
        "$type": POST_COLLECTION,
        "text": text,
        "createdAt": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
    }
    if facets:
        record["facets"] = facets
    if language:
        record["langs"] = [language]
    return record


# --------------------------------------------------------------------------------------------
# Credentials


@dataclass(frozen=True)
class _Credentials:
    did: str
    access: str
    refresh: str
    app_password: str

    @classmethod
    def parse(cls, secret: str) -> _Credentials:
        try:
            data = json.loads(secret)
            return cls(data["did"], data["access"], data["refresh"], data.get("pw", ""))
        except (ValueError, TypeError, KeyError):
            raise AuthError("The stored Bluesky sign-in is unreadable: link the account again.") from None

    def dump(self) -> str:
        return json.dumps({"v": SECRET_VERSION, "did": self.did, "access": self.access, "refresh": self.refresh,
                           "pw": self.app_password}, separators=(",", ":"))

    def __post_init__(self) -> None:
        for value in (self.access, self.refresh, self.app_password):
            register_secret(value)  # never in a log line, even alone

    def __repr__(self) -> str:  # never print tokens
        return f"_Credentials(did={self.did!r}, …)"


def jwt_claims(token: str) -> dict:
    """The payload of a JWT, unverified (only to read its scope and expiry)."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


class _SessionExpired(Exception):
    """The PDS said ExpiredToken/InvalidToken: refresh, then repeat."""


class _Ambiguous(Exception):
    """A write may have reached the server: look before sending again."""


# --------------------------------------------------------------------------------------------
# The client


class BlueskyClient:
    """NetworkClient for Bluesky. Blocking: call it from a worker thread."""

    network = NETWORK

    def __init__(self, session: requests.Session | None = None, *, service_url: str = DEFAULT_SERVICE,
                 plc_url: str = DEFAULT_PLC_DIRECTORY, web_app_url: str = WEB_APP,
                 deadline: float = DEFAULT_DEADLINE_S, max_bytes: int = MAX_JSON_BYTES) -> None:
        self.http = session or make_session()
        self.deadline = deadline  # seconds for one whole exchange with a server
        self.max_bytes = max_bytes  # the largest answer read from a server
        self.service_url = service_url.rstrip("/")  # handle resolution and e-mail logins
        self.plc_url = plc_url.rstrip("/")
        self.web_app_url = web_app_url.rstrip("/")

    # ---- linking

    def link(self, identifier: str, app_password: str, service_url: str | None = None) -> tuple[Account, str]:
        """Sign in with an app password; returns the account and the secret to keep in the keyring."""
        ident = identifier.strip().removeprefix("@")
        password = app_password.strip()
        if not ident or not password:
            raise AuthError("Enter your Bluesky handle and an app password.")
        if service_url:
            pds = _normalise_url(service_url)
        elif ident.startswith("did:"):
            pds = self.pds_for_did(ident)
        elif "@" in ident:  # an e-mail address: the entryway finds the account's PDS
            pds = self.service_url
        else:
            ident = ident.lower()
            pds = self.pds_for_did(self.resolve_handle(ident))
        session = self._create_session(pds, ident, password)
        if not all(isinstance(session.get(k), str) for k in ("did", "accessJwt", "refreshJwt")):
            raise PublishError("The Bluesky server sent an unexpected answer to the sign-in.", retryable=False)
        scope = jwt_claims(session["accessJwt"]).get("scope", "")
        if scope not in APP_PASSWORD_SCOPES:
            self._delete_session(pds, session.get("refreshJwt", ""))
            raise AuthError("That is the account's main password. Create an app password in Bluesky "
                            "(Settings → Privacy and security → App passwords) and use it here.")
        if not service_url:
            pds = _pds_from_doc(session.get("didDoc")) or pds
        did = session["did"]
        handle = session.get("handle") or did
        creds = _Credentials(did, session["accessJwt"], session["refreshJwt"], password)
        display_name, avatar = self._profile(pds, did)
        account = Account(
            id="",  # the accounts service chooses it
            network=NETWORK,
            handle=f"@{handle}",
            server=pds,
            remote_id=did,
            display_name=display_name,
            avatar_url=avatar,
            limits={"max_graphemes": MAX_GRAPHEMES, "max_bytes": MAX_BYTES},
        )
        return account, creds.dump()

    def resolve_handle(self, handle: str) -> str:
        """handle → DID, through the resolver service, then the handle's own web server."""
        try:
            data = self._xrpc_get(self.service_url, "com.atproto.identity.resolveHandle", {"handle": handle})
            if isinstance(data.get("did"), str) and data["did"].startswith("did:"):
                return data["did"]
        except PublishError as exc:
            if isinstance(exc, RateLimited):
                raise
            log.info("resolveHandle failed for a handle: %s", exc.reason)
        if handle.rsplit(".", 1)[-1] in _RESERVED_TLDS:
            raise PublishError(f"No Bluesky account was found for @{handle}: check the handle, or give your "
                               "server's address (custom PDS).", retryable=False)
        try:
            response = fetch(self.http, "GET", f"https://{handle}/.well-known/atproto-did", public=True,
                             what="looking up the handle", deadline=self.deadline, max_bytes=4096)
            text = response.text.strip()
            if response.ok and text.startswith("did:"):
                return text.split()[0]
        except PublishError:
            pass
        raise PublishError(f"No Bluesky account was found for @{handle}: check the handle, or give your "
                           "server's address (custom PDS).", retryable=False)

    def did_document(self, did: str) -> dict:
        if did.startswith("did:plc:"):
            url = f"{self.plc_url}/{quote(did, safe=':')}"
        elif did.startswith("did:web:"):
            host = did.removeprefix("did:web:").replace("%3A", ":").replace("%3a", ":")
            scheme = "http" if host.split(":")[0] in ("localhost", "127.0.0.1") else "https"
            url = f"{scheme}://{host}/.well-known/did.json"
        else:
            raise PublishError(f"Unsupported identity type: {did.split(':')[1] if ':' in did else did}",
                               retryable=False)
        response = fetch(self.http, "GET", url, public=True, where=f"the identity directory ({_host(url)})",
                         what=f"looking up {did}", deadline=self.deadline, max_bytes=self.max_bytes)
        if response.status_code != 200:
            raise PublishError(f"The identity directory has no document for {did} (HTTP {response.status_code}).",
                               retryable=response.status_code >= 500, status=response.status_code)
        try:
            return decode_json(response)
        except ValueError:
            raise PublishError("The identity directory sent an unreadable document.") from None

    def pds_for_did(self, did: str) -> str:
        pds = _pds_from_doc(self.did_document(did))
        if not pds:
            raise PublishError(f"{did} names no Bluesky server (PDS).", retryable=False)
        return pds

    # ---- publishing

    def publish(self, account: Account, secret: str, post: Post, *, on_secret: SecretSink | None = None) -> Published:
        creds = _Credentials.parse(secret)
        rkey = self.record_key(post)
        text = post.text
        if not text.strip():
            raise PublishError("The post is empty.", retryable=False)
        if grapheme_count(text) > MAX_GRAPHEMES or len(text.encode("utf-8")) > MAX_BYTES:
            raise PublishError(f"Bluesky posts are limited to {MAX_GRAPHEMES} characters "
                               f"({grapheme_count(text)} now).", retryable=False)
        existing = self._find(account, creds.did, rkey)
        if existing:
            return existing
        dids: dict[str, str | None] = {}

        def resolve(handle: str) -> str | None:
            if handle not in dids:
                dids[handle] = self._resolve_mention(account, handle)
            return dids[handle]

        record = build_record(text, facets=build_facets(text, resolve), language=post.language)
        body = {"repo": creds.did, "collection": POST_COLLECTION, "rkey": rkey, "validate": True,
                "record": record}
        try:
            result = self._authed(account, creds, on_secret,
                                  lambda token: self._xrpc_post(account.server, "com.atproto.repo.createRecord",
                                                                body, token=token, write=True))
        except _Ambiguous as exc:
            # The record may be there: read it by its key before anyone sends again.
            try:
                found = self._find(account, creds.did, rkey)
            except PublishError:
                raise PublishError(f"{exc} The post may have been published; Chorus checks before sending "
                                   "it again.", ambiguous=True) from None
            if found:
                log.info("createRecord failed ambiguously but the record exists: treated as published")
                return found
            raise PublishError(f"{exc} The post was not published.", retryable=True) from None
        return Published(url=self.post_url(account, rkey),
                         remote_id=str(result.get("uri") or f"at://{creds.did}/{POST_COLLECTION}/{rkey}"))

    def find_published(self, account: Account, secret: str, post: Post, *,
                       on_secret: SecretSink | None = None) -> Published | None:
        creds = _Credentials.parse(secret)
        return self._find(account, creds.did, self.record_key(post))

    def check(self, account: Account, secret: str, *, on_secret: SecretSink | None = None) -> None:
        """Account health: returns when the sign-in works (renewing it if needed, via *on_secret*);
        raises AuthError when the account must be linked again, PublishError when unreachable."""
        self._session(account, secret, on_secret)

    def refresh_account(self, account: Account, secret: str, *, on_secret: SecretSink | None = None) -> Account:
        """The account's current handle, display name and avatar; checks the sign-in on the way
        (renewing it through *on_secret*), AuthError when it must be linked again."""
        session, did = self._session(account, secret, on_secret)
        display_name, avatar = self._profile(account.server, did)
        handle = session.get("handle") or did
        return dataclasses.replace(account, handle=f"@{handle}", display_name=display_name, avatar_url=avatar)

    def _session(self, account: Account, secret: str, on_secret: SecretSink | None) -> tuple[dict, str]:
        """``getSession`` for the stored sign-in (renewed if needed) and the account's DID."""
        creds = _Credentials.parse(secret)
        session = self._authed(account, creds, on_secret,
                               lambda token: self._xrpc_get(account.server, "com.atproto.server.getSession", {},
                                                            token=token))
        if session.get("did") != creds.did:
            raise AuthError("This sign-in belongs to another Bluesky account: link the account again.")
        return session, creds.did

    def record_key(self, post: Post) -> str:
        """The post's record key: its idempotency key when that is a TID, else ``post.record_key``."""
        if tids.is_tid(post.idempotency_key):
            return post.idempotency_key
        if post.record_key and tids.is_tid(post.record_key):
            return post.record_key
        raise PublishError("Internal error: a Bluesky post needs a TID record key chosen before sending "
                           "(make the idempotency key with tid.new_tid(), or set Post.record_key).",
                           retryable=False)

    def post_url(self, account: Account, rkey: str) -> str:
        who = account.handle.removeprefix("@") or account.remote_id
        return f"{self.web_app_url}/profile/{who}/post/{rkey}"

    # ---- internals: sessions

    def _authed(self, account: Account, creds: _Credentials, on_secret: SecretSink | None,
                call: Callable[[str], Any]) -> Any:
        try:
            return call(creds.access)
        except _SessionExpired:
            pass
        fresh = self._renew(account, creds)
        if on_secret is not None:
            on_secret(fresh.dump())
        try:
            return call(fresh.access)
        except _SessionExpired:
            raise AuthError("Bluesky refused the renewed session: link the account again.") from None

    def _renew(self, account: Account, creds: _Credentials) -> _Credentials:
        """A new session: refreshSession, or a new login with the stored app password."""
        try:
            data = self._xrpc_post(account.server, "com.atproto.server.refreshSession", None, token=creds.refresh)
            log.info("Bluesky session refreshed")
            return _Credentials(data.get("did", creds.did), data["accessJwt"], data["refreshJwt"], creds.app_password)
        except (_SessionExpired, AuthError):
            pass  # refresh token expired or revoked
        if not creds.app_password:
            raise AuthError("Your Bluesky sign-in has expired: link the account again.")
        try:
            data = self._create_session(account.server, creds.did, creds.app_password)
        except AuthError:
            raise AuthError("Bluesky no longer accepts this app password (it was revoked or changed): "
                            "link the account again with a new app password.") from None
        log.info("Bluesky session renewed by signing in again")
        return _Credentials(data["did"], data["accessJwt"], data["refreshJwt"], creds.app_password)

    def _create_session(self, pds: str, identifier: str, password: str) -> dict:
        try:
            return self._xrpc_post(pds, "com.atproto.server.createSession",
                                   {"identifier": identifier, "password": password})
        except _SessionExpired:  # pragma: no cover - createSession takes no token
            raise AuthError("Bluesky refused the sign-in.") from None
        except PublishError as exc:
            if isinstance(exc, (AuthError, RateLimited)):
                if isinstance(exc, AuthError):
                    raise AuthError("Bluesky did not accept this handle and app password.",
                                    status=exc.status) from None
                raise
            if exc.status == 400 and "AuthFactorTokenRequired" in exc.reason:
                raise AuthError("This account asks for an e-mail code: use an app password instead.",
                                status=400) from None
            raise

    def _delete_session(self, pds: str, refresh: str) -> None:
        try:
            self._xrpc_post(pds, "com.atproto.server.deleteSession", None, token=refresh)
        except (PublishError, _SessionExpired):
            pass

    def _profile(self, pds: str, did: str) -> tuple[str, str]:
        """Display name and avatar from the profile record (cheap; no AppView needed)."""
        try:
            data = self._xrpc_get(pds, "com.atproto.repo.getRecord",
                                  {"repo": did, "collection": "app.bsky.actor.profile", "rkey": "self"})
        except PublishError:
            return "", ""
        value = data.get("value") or {}
        avatar = ""
        ref = ((value.get("avatar") or {}).get("ref") or {}).get("$link")
        if ref:
            avatar = f"{pds}/xrpc/com.atproto.sync.getBlob?did={quote(did)}&cid={quote(ref)}"
        return str(value.get("displayName") or ""), avatar

    def _resolve_mention(self, account: Account, handle: str) -> str | None:
        for base in dict.fromkeys((account.server, self.service_url)):
            try:
                did = self._xrpc_get(base, "com.atproto.identity.resolveHandle", {"handle": handle}).get("did")
            except PublishError:
                continue
            if isinstance(did, str) and did.startswith("did:"):
                return did
        return None

    # ---- internals: records

    def _find(self, account: Account, did: str, rkey: str) -> Published | None:
        try:
            data = self._xrpc_get(account.server, "com.atproto.repo.getRecord",
                                  {"repo": did, "collection": POST_COLLECTION, "rkey": rkey})
        except PublishError as exc:
            if exc.status == 400 and "RecordNotFound" in exc.reason:
                return None
            if exc.status == 404:
                return None
            raise
        return Published(url=self.post_url(account, rkey), remote_id=data.get("uri")
                         or f"at://{did}/{POST_COLLECTION}/{rkey}")

    # ---- internals: XRPC

    def _xrpc_get(self, base: str, method: str, params: dict, *, token: str | None = None) -> dict:
        """A query. Without a token it is a public lookup; with one, redirects are refused."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = fetch(self.http, "GET", f"{base}/xrpc/{method}", params=params, headers=headers,
                         what=_doing(method), public=token is None, deadline=self.deadline,
                         max_bytes=self.max_bytes)
        return self._parse(response, method)

    def _xrpc_post(self, base: str, method: str, body: dict | None, *, token: str | None = None,
                   write: bool = False) -> dict:
        """A procedure (createSession carries the app password, the others a token): never redirected."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = fetch(self.http, "POST", f"{base}/xrpc/{method}", json=body, headers=headers,
                             what=_doing(method), write=write, deadline=self.deadline, max_bytes=self.max_bytes)
        except PublishError as exc:
            if write and exc.ambiguous:
                raise _Ambiguous(exc.reason.removesuffix(MAYBE_PUBLISHED)) from None
            raise
        if write and (response.status_code == 500 or response.status_code >= 502):
            raise _Ambiguous(f"{_host(base)} answered HTTP {response.status_code}.")
        return self._parse(response, method, write=write)

    def _parse(self, response: requests.Response, method: str, *, write: bool = False) -> dict:
        status = response.status_code
        try:
            data = decode_json(response) if response.content.strip() else {}
        except ValueError:
            if 200 <= status < 300:
                raise PublishError(f"{_host(response.url)} sent an answer Chorus cannot read while "
                                   f"{_doing(method)}: it is not valid JSON, or nested too deeply. Is it a "
                                   "Bluesky server?", ambiguous=write) from None
            data = {}
        if not isinstance(data, dict):
            data = {}
        if 200 <= status < 300:
            return data
        error = str(data.get("error") or "")
        message = str(data.get("message") or error or f"HTTP {status}")
        if status == 429:
            raise RateLimited(f"Bluesky rate limit reached ({message}).", _retry_after(response), status=429)
        if error in ("ExpiredToken", "InvalidToken"):
            raise _SessionExpired(error)
        if status == 401 or error in ("AuthenticationRequired", "AccountTakedown", "AccountDeactivated"):
            raise AuthError(f"Bluesky refused the sign-in: {message}", status=status)
        reason = f"{error}: {message}" if error and error != message else message
        raise PublishError(f"Bluesky: {reason}", retryable=status >= 500, status=status)


def _pds_from_doc(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return None
    for service in doc.get("service") or []:
        if not isinstance(service, dict):
            continue
        sid = str(service.get("id", ""))
        if (sid == "#atproto_pds" or sid.endswith("#atproto_pds")) and isinstance(service.get("serviceEndpoint"), str):
            return _normalise_url(service["serviceEndpoint"])
    return None


def _normalise_url(url: str) -> str:
    """A PDS address as given by the person or a DID document: https assumed, and refused
    (InsecureAddress) unless it is https or plain http to this computer."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "https://" + url
    return require_https(url)


_DOING = {
    "com.atproto.server.createSession": "signing in",
    "com.atproto.server.refreshSession": "renewing the session",
    "com.atproto.server.getSession": "checking the sign-in",
    "com.atproto.server.deleteSession": "signing out",
    "com.atproto.repo.createRecord": "publishing",
    "com.atproto.repo.getRecord": "reading a record",
    "com.atproto.identity.resolveHandle": "looking up a handle",
}


def _doing(method: str) -> str:
    return _DOING.get(method, f"calling {method}")


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _retry_after(response: requests.Response) -> float:
    retry = response.headers.get("Retry-After")
    if retry:
        try:
            return max(1.0, float(retry))
        except ValueError:
            pass
    reset = response.headers.get("RateLimit-Reset")
    if reset:
        try:
            return max(1.0, float(reset) - time.time())
        except ValueError:
            pass
    return 60.0
