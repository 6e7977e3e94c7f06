"""Publishing on Mastodon exactly once: ``POST /api/v1/statuses`` with an Idempotency-Key, and, once
the server may have forgotten the key, a look through the account's recent statuses first."""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from html.parser import HTMLParser
from typing import Any

from desktop.adapters.common import is_json, parse_time
from desktop.adapters.http import decode_json, host_of
from desktop.adapters.networks.mastodon.oauth import MastodonOAuth
from desktop.core.media import MediaError, prepare
from desktop.core.networks.mastodon import NETWORK
from desktop.core.networks.media import MediaLimits
from desktop.core.ports import Account, Post, Published, PublishError, SecretSink

log = logging.getLogger(__name__)

IDEMPOTENCY_WINDOW_S = 3600.0  # Mastodon keeps an Idempotency-Key this long (per account)
TRUST_IDEMPOTENCY_FOR_S = 50 * 60.0  # after this, look for the post before sending it again
FIND_WINDOW_S = 24 * 3600.0  # find_published without first_attempt_at: statuses of the last day
CLOCK_SLACK_S = 300.0  # our clock vs the server's, when comparing created_at with first_attempt_at
FIND_MAX_PAGES = 5  # 5 × 40 recent statuses at most
MEDIA_POLL_WAITS_S = (0.2, 0.5, 1.0, 1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 10.0, 10.0, 20.0)  # about a minute
MEDIA_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


class MastodonClient(MastodonOAuth):
    """NetworkClient for Mastodon, plus account linking (:class:`MastodonOAuth`). Blocking: call it
    from a worker thread."""

    # -- publishing ----------------------------------------------------------------------------
    def publish(self, account: Account, secret: str, post: Post, *, on_secret: SecretSink | None = None) -> Published:
        """Post *post* as a status. Safe to call again after any failure with the same post."""
        server = self._account_server(account)
        if not post.text.strip() and not post.images:
            raise PublishError("The post is empty.", retryable=False)
        if not post.idempotency_key:
            raise ValueError("a post needs an idempotency key")
        if post.first_attempt_at is not None and self.clock() - post.first_attempt_at > TRUST_IDEMPOTENCY_FOR_S:
            # The server may have forgotten the key: look before sending again.
            found = self.find_published(account, secret, post)
            if found is not None:
                log.info("Found the post sent earlier on %s: not sending it again", host_of(server))
                return found
        body: dict[str, Any] = {"status": post.text}
        if post.language:
            body["language"] = post.language
        if post.reply_to is not None:  # a part of a thread: under the previous part
            body["in_reply_to_id"] = post.reply_to.parent.remote_id
        if post.images:
            # Uploaded just before the status: after a crash the retry uploads again and the status
            # keeps its Idempotency-Key, so the server answers with the first status if it has one.
            # Media never attached to a status are removed by the server after a day.
            body["media_ids"] = self._upload_images(server, secret, post)
        response = self._call("POST", server, "/api/v1/statuses", token=secret, json=body,
                              headers={"Idempotency-Key": post.idempotency_key}, what="publishing", write=True)
        data = self._json(response, server, "publishing", ambiguous=True)
        status_id = str(data.get("id") or "")
        if not status_id:
            raise PublishError(f"{host_of(server)} answered without the new post's id.", ambiguous=True)
        return Published(url=str(data.get("url") or data.get("uri") or f"{server}/web/statuses/{status_id}"),
                         remote_id=status_id)

    def _upload_images(self, server: str, token: str, post: Post) -> list[str]:
        """Each image prepared for this server's limits and uploaded (``POST /api/v2/media`` with its
        ``description``); waits until the server has processed each (``GET /api/v1/media/:id``)."""
        limits = self._media_limits(server)
        if len(post.images) > limits.max_images:
            raise PublishError(f"{host_of(server)} takes at most {limits.max_images} images per post.",
                               retryable=False)
        ids = []
        for attachment in post.images:
            try:
                prepared = prepare(attachment, limits)
            except MediaError as exc:
                raise PublishError(f"{exc} {exc.advice}".strip(), retryable=False) from None
            alt = prepared.alt
            if limits.alt_max_chars and len(alt) > limits.alt_max_chars:
                raise PublishError(f"The alt text of {attachment.label} is {len(alt):,} characters; "
                                   f"{host_of(server)} keeps {limits.alt_max_chars:,} at most. Shorten it.",
                                   retryable=False)
            extension = MEDIA_EXTENSIONS.get(prepared.mime, "bin")
            response = self._call("POST", server, "/api/v2/media", token=token, what="uploading an image",
                                  files={"file": (f"image.{extension}", prepared.data, prepared.mime)},
                                  data={"description": alt} if alt else {}, deadline=max(self.deadline, 120.0))
            media = self._json(response, server, "uploading an image")
            media_id = str(media.get("id") or "")
            if not media_id:
                raise PublishError(f"{host_of(server)} answered the image upload without the media's id.")
            if response.status_code == 202 or not media.get("url"):
                self._wait_processed(server, token, media_id)
            ids.append(media_id)
        return ids

    def _wait_processed(self, server: str, token: str, media_id: str) -> None:
        """Poll ``GET /api/v1/media/:id`` (206 while processing) until the server has the image ready."""
        for wait in MEDIA_POLL_WAITS_S:
            self.sleep(wait)
            response = self._call("GET", server, f"/api/v1/media/{media_id}", token=token,
                                  what="waiting for the server to process an image")
            if response.status_code == 200 and self._json(response, server, "reading an image").get("url"):
                return
        raise PublishError(f"{host_of(server)} is still processing an image after "
                           f"{sum(MEDIA_POLL_WAITS_S):.0f} seconds. Try again in a minute.", retryable=True)

    def _media_limits(self, server: str) -> MediaLimits:
        """The images this server takes: ``configuration.media_attachments`` and
        ``statuses.max_media_attachments`` of ``/api/v2/instance``, else Mastodon's defaults."""
        limits = NETWORK.capabilities.media
        assert limits is not None
        response = self._call("GET", server, "/api/v2/instance", what="reading the server's limits",
                              raise_for_status=False)
        if not response.ok:
            return limits
        configuration = self._json(response, server, "reading the server's limits").get("configuration") or {}
        figures = {**(configuration.get("media_attachments") or {}),
                   **{k: v for k, v in (configuration.get("statuses") or {}).items() if k == "max_media_attachments"}}
        return limits.for_server(figures)

    def find_published(self, account: Account, secret: str, post: Post, *,
                       on_secret: SecretSink | None = None) -> Published | None:
        """The status Chorus published for *post*, if the server has it.

        Mastodon cannot look a status up by its Idempotency-Key, so this reads the account's
        recent statuses (newest first, back to the first attempt) and takes the one with the
        same text that Chorus posted, confirming the text with ``/source`` where available."""
        server = self._account_server(account)
        remote_id = account.remote_id or self.account_for_token(server, secret).remote_id
        since = (post.first_attempt_at - CLOCK_SLACK_S) if post.first_attempt_at is not None \
            else self.clock() - FIND_WINDOW_S
        wanted = _comparable(post.text)
        params: dict[str, Any] = {"limit": 40, "exclude_reblogs": "true"}
        for _ in range(FIND_MAX_PAGES):
            response = self._call("GET", server, f"/api/v1/accounts/{remote_id}/statuses", token=secret,
                                  params=params, what="looking for the post")
            try:
                page = decode_json(response) if is_json(response) else None
            except ValueError:
                page = None
            if not isinstance(page, list):
                raise PublishError(f"{host_of(server)} sent an unexpected answer while Chorus looked for the post.")
            too_old = False
            for status in page:
                if not isinstance(status, dict) or status.get("reblog"):
                    continue
                created = parse_time(status.get("created_at"))
                if created is not None and created < since:
                    too_old = True
                    continue
                application = status.get("application")
                if isinstance(application, dict) and application.get("name") not in (None, self.client_name):
                    continue
                if _comparable(_html_to_text(str(status.get("content") or ""))) != wanted:
                    continue
                if self._source_matches(server, secret, str(status.get("id")), post.text):
                    return Published(url=str(status.get("url") or status.get("uri") or ""),
                                     remote_id=str(status.get("id")))
            if too_old or len(page) < params["limit"] or not page:
                return None
            params["max_id"] = page[-1].get("id")
        return None

    def _source_matches(self, server: str, token: str, status_id: str, text: str) -> bool:
        response = self._call("GET", server, f"/api/v1/statuses/{status_id}/source", token=token,
                              what="looking for the post", raise_for_status=False)
        if response.status_code in (401, 403, 404, 410):  # older servers, or no read:statuses: trust the HTML
            return True
        if not response.ok:
            self._raise_for(response, server, "looking for the post", write=False)
        try:
            source = decode_json(response) if is_json(response) else {}
        except ValueError:
            source = {}
        return isinstance(source, dict) and str(source.get("text") or "").strip() == text.strip()


# -- statuses as text ----------------------------------------------------------------------------
class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_to_text(markup: str) -> str:
    """A status's HTML ``content`` back to text: paragraphs, line breaks, the full URLs (Mastodon
    keeps their hidden parts in ``<span class="invisible">``)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return html.unescape("".join(parser.parts))


_MENTION_DOMAIN = re.compile(r"(?<![\w@])(@\w+(?:[.-]+\w+)*)@[\w.-]+\w", re.UNICODE)


def _comparable(text: str) -> str:
    """What survives Mastodon's rendering: no mention domains, white space collapsed, NFC."""
    text = unicodedata.normalize("NFC", text)
    text = _MENTION_DOMAIN.sub(r"\1", text)
    return " ".join(text.split())

