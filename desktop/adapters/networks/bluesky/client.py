"""Linking a Bluesky account with an app password, and publishing exactly once: the record key is a
TID chosen before the first attempt, so a resend reads the record first instead of posting twice."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from desktop.adapters.networks.bluesky.facets import POST_COLLECTION, build_facets, build_record
from desktop.adapters.networks.bluesky.identity import _normalise_url, _pds_from_doc
from desktop.adapters.networks.bluesky.session import APP_PASSWORD_SCOPES, BlueskySessions, _Credentials, jwt_claims
from desktop.adapters.networks.bluesky.xrpc import _Ambiguous
from desktop.core.measures import grapheme_count, utf8_length
from desktop.core.media import MediaError, PreparedImage, prepare
from desktop.core.networks.bluesky import ID, MAX_BYTES, MAX_GRAPHEMES, NETWORK
from desktop.core.ports import Account, AuthError, Post, PostRef, Published, PublishError, SecretSink
from desktop.core.publishing import tid as tids

log = logging.getLogger(__name__)


def length_problem(text: str) -> str | None:
    """Why *text* is too long for a Bluesky post, or None. Counted exactly as the composer's counter
    counts it (:func:`desktop.core.measures.grapheme_count`, flags included, and UTF-8 bytes), so a
    post the counter shows as fitting is never refused here."""
    graphemes = grapheme_count(text)
    if graphemes > MAX_GRAPHEMES or utf8_length(text) > MAX_BYTES:
        return f"Bluesky posts are limited to {MAX_GRAPHEMES} characters ({graphemes} now)."
    return None


class BlueskyClient(BlueskySessions):
    """NetworkClient for Bluesky, and its PasswordLinker. Blocking: call it from a worker thread."""

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
            network=ID,
            handle=f"@{handle}",
            server=pds,
            remote_id=did,
            display_name=display_name,
            avatar_url=avatar,
            limits={"max_graphemes": MAX_GRAPHEMES, "max_bytes": MAX_BYTES},
        )
        return account, creds.dump()

    # ---- publishing

    def publish(self, account: Account, secret: str, post: Post, *, on_secret: SecretSink | None = None) -> Published:
        creds = _Credentials.parse(secret)
        rkey = self.record_key(post)
        text = post.text
        if not text.strip() and not post.images:
            raise PublishError("The post is empty.", retryable=False)
        problem = length_problem(text)
        if problem:
            raise PublishError(problem, retryable=False)
        existing = self._find(account, creds.did, rkey)
        if existing:
            return existing
        dids: dict[str, str | None] = {}

        def resolve(handle: str) -> str | None:
            if handle not in dids:
                dids[handle] = self._resolve_mention(account, handle)
            return dids[handle]

        record = build_record(text, facets=build_facets(text, resolve), language=post.language)
        if post.reply_to is not None:  # a part of a thread: strong refs to its first and previous parts
            record["reply"] = {"root": self._strong_ref(account, post.reply_to.root),
                               "parent": self._strong_ref(account, post.reply_to.parent)}
        if post.images:
            # uploaded only now, after the record was looked for: a retry after a crash uploads
            # again (the PDS stores a blob once per content, and drops blobs no record uses)
            record["embed"] = self._images_embed(account, creds, on_secret, post)
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
                         remote_id=str(result.get("uri") or f"at://{creds.did}/{POST_COLLECTION}/{rkey}"),
                         cid=str(result.get("cid") or ""))

    def _strong_ref(self, account: Account, ref: PostRef) -> dict[str, str]:
        """``com.atproto.repo.strongRef`` (uri + cid) of a post; the CID read from the record when
        the caller does not have it (a thread resumed after Chorus restarted)."""
        cid = ref.cid
        if not cid:
            parts = ref.remote_id.removeprefix("at://").split("/")
            if len(parts) != 3:
                raise PublishError(f"Internal error: {ref.remote_id!r} is not the AT URI of a post.", retryable=False)
            data = self._xrpc_get(account.server, "com.atproto.repo.getRecord",
                                  {"repo": parts[0], "collection": parts[1], "rkey": parts[2]})
            cid = str(data.get("cid") or "")
            if not cid:
                raise PublishError("The Bluesky server did not say which version of the earlier post to reply to.",
                                   retryable=True)
        return {"uri": ref.remote_id, "cid": cid}

    def _images_embed(self, account: Account, creds: _Credentials, on_secret: SecretSink | None,
                      post: Post) -> dict[str, Any]:
        """``app.bsky.embed.images``: each image prepared for Bluesky (metadata removed, at most
        1,000,000 bytes), uploaded with ``com.atproto.repo.uploadBlob``, with its alt text and aspect ratio."""
        limits = NETWORK.capabilities.media
        assert limits is not None
        if len(post.images) > limits.max_images:
            raise PublishError(f"Bluesky posts carry at most {limits.max_images} images.", retryable=False)
        images = []
        for attachment in post.images:
            try:
                prepared = prepare(attachment, limits)
            except MediaError as exc:
                raise PublishError(f"{exc} {exc.advice}".strip(), retryable=False) from None

            def upload(token: str, image: PreparedImage = prepared) -> dict[str, Any]:
                return self._upload_blob(account.server, image.data, image.mime, token)

            result = self._authed(account, creds, on_secret, upload)
            blob = result.get("blob")
            if not isinstance(blob, dict) or blob.get("$type") != "blob":
                raise PublishError("The Bluesky server answered the image upload without a blob.", retryable=True)
            images.append({"image": blob, "alt": prepared.alt,
                           "aspectRatio": {"width": prepared.width, "height": prepared.height}})
        return {"$type": "app.bsky.embed.images", "images": images}

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
                         or f"at://{did}/{POST_COLLECTION}/{rkey}", cid=str(data.get("cid") or ""))
