"""Publishing on LinkedIn with the Posts API, exactly once: LinkedIn has no idempotency key, so the
client remembers how its own attempts ended and, after an ambiguous one, looks for the post before
sending it again (see the package's "Exactly once")."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import requests

from desktop.adapters.common import server_message
from desktop.adapters.http import fetch, json_or_none
from desktop.adapters.networks.linkedin.api import MAX_COMMENTARY
from desktop.adapters.networks.linkedin.oauth import LinkedInOAuth
from desktop.adapters.networks.linkedin.text import _comparable, escape_little_text, unescape_little_text
from desktop.core.measures import utf16_length
from desktop.core.media import MediaError, prepare
from desktop.core.networks.linkedin import NETWORK
from desktop.core.ports import Account, Post, Published, PublishError, PublishUnconfirmed, SecretSink

log = logging.getLogger(__name__)

POST_URL = "https://www.linkedin.com/feed/update/{urn}/"
ACTIVITY_URL = "https://www.linkedin.com/in/me/recent-activity/all/"  # the member's own posts, for people
FIRST_ATTEMPT_GRACE_S = 30.0  # an unknown key whose first attempt is older than this may have been sent
CLOCK_SLACK_S = 300.0  # our clock against LinkedIn's, when comparing createdAt with first_attempt_at
FIND_WINDOW_S = 24 * 3600.0  # find_published without first_attempt_at
FIND_PAGE_SIZE = 10
FIND_MAX_PAGES = 5

_IMAGE_URN_RE = re.compile(r"^urn:li:image:[A-Za-z0-9_-]+$")
_POST_URN_RE = re.compile(r"^urn:li:(?:share|ugcPost):\d+$")
_DUPLICATE_RE = re.compile(r"duplicate of (urn:li:(?:share|ugcPost):\d+)")


def post_url(urn: str) -> str:
    return POST_URL.format(urn=urn)


@dataclass
class _History:
    """What this client knows about the attempts with one idempotency key."""

    complete: bool  # it saw the first attempt: nothing earlier can have reached LinkedIn
    uncertain: bool = False  # an attempt may have reached LinkedIn and nobody has looked since
    maybe_sent: bool = False  # some attempt may ever have reached LinkedIn
    published: Published | None = None

    @property
    def surely_unsent(self) -> bool:
        return self.complete and not self.maybe_sent and self.published is None


class LinkedInClient(LinkedInOAuth):
    """NetworkClient for LinkedIn, plus account linking (:class:`LinkedInOAuth`). Blocking: call it
    from a worker thread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._history: dict[str, _History] = {}  # idempotency key → what this client saw of it
        self._history_lock = threading.Lock()

    # -- publishing ----------------------------------------------------------------------------
    def publish(self, account: Account, secret: str, post: Post, *, on_secret: SecretSink | None = None) -> Published:
        """Post *post* to the member's feed. Safe to call again with the same post after any failure:
        after an ambiguous one it looks for the post first (see the module's "Exactly once")."""
        author = self._author(account)
        if not post.text.strip() and not post.images:
            raise PublishError("The post is empty.", retryable=False)
        if not post.idempotency_key:
            raise ValueError("a post needs an idempotency key")
        if post.reply_to is not None:
            raise PublishError("LinkedIn has no threads: a post cannot be published as a reply to another one.",
                               retryable=False)
        length = utf16_length(post.text)
        if length > MAX_COMMENTARY:
            raise PublishError(f"The post is {length:,} characters long; LinkedIn allows {MAX_COMMENTARY:,}.",
                               retryable=False)
        history = self._history_of(post)
        if history.published is not None:  # sent by this client already
            return history.published
        looked = False
        if history.uncertain or not history.complete:
            found = self.find_published(account, secret, post)  # PublishUnconfirmed when it cannot look
            if found is not None:
                log.info("Found the LinkedIn post sent earlier: not sending it again")
                return found
            looked = True
        body = {
            "author": author,
            "commentary": escape_little_text(post.text),
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                             "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if post.images:
            # uploaded after the look for an earlier attempt: an image uploaded by an attempt that
            # never became a post stays unused on LinkedIn, which is harmless
            media = [{"id": urn, "altText": alt} for urn, alt in self._upload_images(author, secret, post)]
            body["content"] = {"media": media[0]} if len(media) == 1 else {"multiImage": {"images": media}}
        try:
            response = self._call("POST", "/rest/posts", token=secret, versioned=True, json=body, what="publishing",
                                  write=True, raise_for_status=False)
            if response.status_code == 422:
                duplicate = _duplicate_of(response)
                if duplicate is not None:
                    published = Published(url=post_url(duplicate), remote_id=duplicate)
                    with self._history_lock:
                        ours = looked or history.maybe_sent or not history.complete
                        if ours:
                            history.published = published
                    if ours:  # an earlier attempt did arrive: LinkedIn says the same text is there
                        log.info("LinkedIn reports the post as a duplicate of the earlier attempt: not sent again")
                        return published
                    raise PublishError("LinkedIn refused this post: the same text is already on your profile "
                                       f"({published.url}).", retryable=False, status=422)
            if not response.ok:
                self._raise_for(response, "publishing", write=True)
            published = self._published_from(response)
        except PublishError as exc:
            if exc.ambiguous:
                with self._history_lock:
                    history.uncertain = history.maybe_sent = True
            raise
        with self._history_lock:
            history.published = published
        return published

    def _upload_images(self, author: str, token: str, post: Post) -> list[tuple[str, str]]:
        """Each image prepared for LinkedIn and uploaded with the Images API: ``initializeUpload``,
        then the bytes PUT to the upload URL. Returns (image URN, alt text) pairs."""
        limits = NETWORK.capabilities.media
        assert limits is not None
        if len(post.images) > limits.max_images:
            raise PublishError(f"Chorus sends at most {limits.max_images} images to LinkedIn.", retryable=False)
        uploaded = []
        for attachment in post.images:
            try:
                prepared = prepare(attachment, limits)
            except MediaError as exc:
                raise PublishError(f"{exc} {exc.advice}".strip(), retryable=False) from None
            if limits.alt_max_chars and len(prepared.alt) > limits.alt_max_chars:
                raise PublishError(f"The alt text of {attachment.label} is {len(prepared.alt):,} characters; "
                                   f"LinkedIn keeps {limits.alt_max_chars:,} at most. Shorten it.", retryable=False)
            response = self._call("POST", "/rest/images?action=initializeUpload", token=token, versioned=True,
                                  json={"initializeUploadRequest": {"owner": author}}, what="preparing an image upload")
            value = self._json(response, "preparing an image upload").get("value")
            upload_url = value.get("uploadUrl") if isinstance(value, dict) else None
            urn = value.get("image") if isinstance(value, dict) else None
            if not isinstance(upload_url, str) or not isinstance(urn, str) or not _IMAGE_URN_RE.match(urn):
                raise PublishError("LinkedIn answered the image upload request without an upload address.")
            put = fetch(self.http, "PUT", self._endpoint(upload_url), data=prepared.data,
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"},
                        timeout=self.timeout, where="LinkedIn", what="uploading an image",
                        deadline=max(self.deadline, 120.0), max_bytes=self.max_bytes, allow_http=self.allow_http)
            if not put.ok:
                self._raise_for(put, "uploading an image", write=False)
            uploaded.append((urn, prepared.alt))
        return uploaded

    def find_published(self, account: Account, secret: str, post: Post, *,
                       on_secret: SecretSink | None = None) -> Published | None:
        """The member's post with this text created since the first attempt, if LinkedIn has one.

        Uses the Posts API finder ``q=author`` (newest first). Raises :class:`PublishUnconfirmed`
        when LinkedIn does not let this app list the member's posts (no ``r_member_social``)."""
        author = self._author(account)
        history = self._history_of(post)
        if history.published is not None:
            return history.published
        if history.surely_unsent:  # every attempt this client made was refused for certain
            return None
        found = self._look_for(author, secret, post)
        with self._history_lock:
            history.uncertain = False  # looked: an attempt that arrived would have been listed
            history.complete = True
            if found is not None:
                history.published = found
        return found

    def _look_for(self, author: str, secret: str, post: Post) -> Published | None:
        since = (post.first_attempt_at - CLOCK_SLACK_S) if post.first_attempt_at is not None \
            else self.clock() - FIND_WINDOW_S
        escaped, wanted = escape_little_text(post.text), _comparable(post.text)
        for page in range(FIND_MAX_PAGES):
            query = f"author={quote(author, safe='')}&q=author&count={FIND_PAGE_SIZE}&start={page * FIND_PAGE_SIZE}" \
                    "&sortBy=LAST_MODIFIED"
            response = self._call("GET", f"/rest/posts?{query}", token=secret, versioned=True,
                                  headers={"X-RestLi-Method": "FINDER"}, what="looking for the post",
                                  raise_for_status=False)
            if response.status_code in (400, 403):
                message = server_message(response)
                raise PublishUnconfirmed(
                    "An earlier attempt may have published this post, and LinkedIn does not let Chorus look at your "
                    f"posts to find out{f' ({message})' if message else ''}. Chorus did not send it again. Check your "
                    "LinkedIn activity: if the post is there, mark it as posted; if not, send it as a new post.",
                    check_url=ACTIVITY_URL, status=response.status_code)
            if not response.ok:
                self._raise_for(response, "looking for the post", write=False)
            data = self._json(response, "looking for the post")
            elements = data.get("elements")
            if not isinstance(elements, list):
                raise PublishError("LinkedIn sent an unexpected answer while Chorus looked for the post.")
            older = 0
            for element in elements:
                if not isinstance(element, dict):
                    continue
                created = _epoch_ms(element.get("createdAt"))
                modified = _epoch_ms(element.get("lastModifiedAt")) or created
                if modified is not None and modified < since:
                    older += 1
                if element.get("author") != author or created is None or created < since:
                    continue
                commentary = element.get("commentary")
                if not isinstance(commentary, str):
                    continue
                if commentary != escaped and _comparable(unescape_little_text(commentary)) != wanted:
                    continue
                urn = str(element.get("id") or "")
                if _POST_URN_RE.match(urn):
                    return Published(url=post_url(urn), remote_id=urn)
            if len(elements) < FIND_PAGE_SIZE or older == len(elements):
                return None
        return None

    # -- helpers -------------------------------------------------------------------------------
    def _history_of(self, post: Post) -> _History:
        """This client's record of *post*'s attempts. New when this is the first attempt it sees:
        then it has the whole history unless ``first_attempt_at`` says an attempt started earlier
        (before a restart, say)."""
        with self._history_lock:
            history = self._history.get(post.idempotency_key)
            if history is None:
                complete = post.first_attempt_at is None or self.clock() - post.first_attempt_at <= FIRST_ATTEMPT_GRACE_S
                history = self._history[post.idempotency_key] = _History(complete=complete, maybe_sent=not complete)
            return history

    def _published_from(self, response: requests.Response) -> Published:
        urn = unquote((response.headers.get("x-restli-id") or "").strip())
        if not _POST_URN_RE.match(urn):
            # 201 Created: it is on LinkedIn, only its id is missing.
            log.warning("LinkedIn created the post but sent no usable x-restli-id")
            return Published(url=ACTIVITY_URL, remote_id="")
        return Published(url=post_url(urn), remote_id=urn)


def _duplicate_of(response: requests.Response) -> str | None:
    """The existing post LinkedIn names in a ``422 DUPLICATE_POST`` answer (observed shape:
    ``{"message": "…Content is a duplicate of urn:li:share:…", "errorDetails": {"inputErrors":
    [{"code": "DUPLICATE_POST", …}]}, "status": 422}``)."""
    data = json_or_none(response)
    if not isinstance(data, dict):
        return None
    match = _DUPLICATE_RE.search(str(data.get("message") or ""))
    return match.group(1) if match else None


def _epoch_ms(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value) / 1000.0
    return None
