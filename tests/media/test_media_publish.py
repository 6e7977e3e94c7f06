"""Images published exactly once on each network's server: Bluesky on the reference PDS (which
validates the blobs and the embed itself), Mastodon and LinkedIn on their test servers (which
validate the media requests as the real APIs do). A retry after a crash between the upload and the
post creates one post; what the servers refuse comes back as a sentence."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import requests

from desktop.adapters.networks.bluesky import BlueskyClient
from desktop.adapters.networks.linkedin import LinkedInClient, LinkedInConfig
from desktop.adapters.networks.mastodon import MastodonClient
from desktop.core.media import Attachment
from desktop.core.ports import Account, Post, PublishError
from desktop.core.publishing import tid
from tests.media.images import GPS_IFD, noise_photo, opened, phone_photo, screenshot_png
from tests.servers.bluesky_pds import BlueskyPDS, bluesky_pds  # noqa: F401 - the session fixture
from tests.servers.linkedin_server import LinkedInTestServer, MemberBrowser
from tests.servers.mastodon_browser import AuthorizeBrowser
from tests.servers.mastodon_server import MastodonTestServer

TEXT = "The new dashboard, before and after #release"


def images() -> tuple[Attachment, ...]:
    return (Attachment.from_bytes(phone_photo(64, 48), name="before.jpg", alt="The old dashboard: four tables"),
            Attachment.from_bytes(screenshot_png(80, 60), name="after.png", alt="The new dashboard: one chart"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- Bluesky: the reference PDS ------------------------------------------------------------------
@pytest.fixture
def bluesky(bluesky_pds: BlueskyPDS) -> Iterator[tuple[BlueskyClient, Account, str, str]]:  # noqa: F811
    user = bluesky_pds.create_account("media")
    password = bluesky_pds.create_app_password(user, "Chorus")
    client = BlueskyClient(service_url=bluesky_pds.url, plc_url=bluesky_pds.plc_url)
    account, secret = client.link(user.handle, password)
    yield client, account, secret, user.did
    client.http.close()


def test_bluesky_posts_images_with_alt_and_aspect_ratio_once(bluesky, bluesky_pds):  # noqa: F811
    client, account, secret, did = bluesky
    post = Post(TEXT, tid.new_tid(), images=images())
    # the first attempt uploaded the images, then Chorus crashed before creating the record
    for image in images():
        client._upload_blob(account.server, image.read(), image.mime, _access(secret))
    published = client.publish(account, secret, post)
    again = client.publish(account, secret, post)  # a retry after a crash once the record was made
    assert again == published
    [record] = bluesky_pds.list_posts(did)
    embed = record["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [(i["alt"], i["aspectRatio"]) for i in embed["images"]] == [
        ("The old dashboard: four tables", {"width": 48, "height": 64}),  # the phone's orientation applied
        ("The new dashboard: one chart", {"width": 80, "height": 60})]
    assert [i["image"]["mimeType"] for i in embed["images"]] == ["image/jpeg", "image/png"]
    # the blob the PDS keeps has no location in it
    cid = embed["images"][0]["image"]["ref"]["$link"]
    blob = requests.get(f"{bluesky_pds.url}/xrpc/com.atproto.sync.getBlob", params={"did": did, "cid": cid},
                        timeout=10)
    assert blob.status_code == 200 and not opened(blob.content).getexif().get_ifd(GPS_IFD)


def _access(secret: str) -> str:
    from desktop.adapters.networks.bluesky.session import _Credentials

    return _Credentials.parse(secret).access


def test_bluesky_refuses_an_image_over_its_blob_limit_with_a_sentence(bluesky):
    client, account, secret, _ = bluesky
    # bypassing Chorus's preparation: the PDS itself validates the record's blob against the lexicon
    big = noise_photo(1400, 1000)
    assert len(big) > 1_000_000
    blob = client._upload_blob(account.server, big, "image/jpeg", _access(secret))["blob"]
    body = {"repo": account.remote_id, "collection": "app.bsky.feed.post", "rkey": tid.new_tid(), "validate": True,
            "record": {"$type": "app.bsky.feed.post", "text": "too big", "createdAt": "2026-12-05T05:00:00.000Z",
                       "embed": {"$type": "app.bsky.embed.images", "images": [{"image": blob, "alt": ""}]}}}
    with pytest.raises(PublishError) as refused:
        client._xrpc_post(account.server, "com.atproto.repo.createRecord", body, token=_access(secret), write=True)
    assert refused.value.reason == ("Bluesky: InvalidRequest: Invalid app.bsky.feed.post record: blob too big "
                                    f"(maximum 1000000, got {len(big)}) at $.record.embed.images[0].image")
    # through Chorus the same photo is fitted first and goes through
    published = client.publish(account, secret, Post("fits", tid.new_tid(), images=(Attachment.from_bytes(big),)))
    assert published.remote_id.startswith("at://")


# -- Mastodon ------------------------------------------------------------------------------------
@pytest.fixture
def mastodon() -> Iterator[tuple[MastodonClient, MastodonTestServer, Account, str]]:
    with MastodonTestServer(users={"alice": "alice-password"}) as server:
        client = MastodonClient(timeout=(2.0, 2.0), sleep=lambda s: None)
        registration, client_secret = client.register_app(server.url)
        browser = AuthorizeBrowser("alice", "alice-password")
        try:
            account, token = client.link_with_browser(registration, client_secret, browser, timeout=10)
        finally:
            browser.close()
        yield client, server, account, token
        client.http.close()


def test_mastodon_uploads_with_descriptions_waits_for_processing_and_posts_once(mastodon):
    client, server, account, token = mastodon
    server.media_processing_polls = 2  # 202, then 206 twice, then 200
    post = Post(TEXT, "draft-1:acct-1:v1", first_attempt_at=time.time(), images=images())
    # the first attempt uploaded the images, then Chorus crashed before the status was sent
    client._upload_images(account.server, token, post)
    published = client.publish(account, token, post)
    [status] = server.statuses_of("alice")
    assert published.remote_id == status.id and len(status.media_ids) == 2
    attached = [server.media[m] for m in status.media_ids]
    assert [m.description for m in attached] == ["The old dashboard: four tables", "The new dashboard: one chart"]
    assert [(m.width, m.height, m.mime) for m in attached] == [(48, 64, "image/jpeg"), (80, 60, "image/png")]
    assert not opened(attached[0].data).getexif().get_ifd(GPS_IFD)
    polls = server.requests_to(f"/api/v1/media/{status.media_ids[0]}", "GET")
    assert len(polls) == 3  # 206, 206, 200
    # the status went out, its answer was lost: the retry keeps the Idempotency-Key, one status
    server.drop_next(path="/api/v1/statuses", method="POST")
    second = Post("A second post with one image", "draft-2:acct-1:v1", first_attempt_at=time.time(),
                  images=images()[:1])
    with pytest.raises(PublishError) as lost:
        client.publish(account, token, second)
    assert lost.value.ambiguous
    again = client.publish(account, token, second)
    assert [s.text for s in server.statuses_of("alice")] == [TEXT, "A second post with one image"]
    assert again.remote_id == server.statuses_of("alice")[1].id
    # what the crashed attempts uploaded stays unattached on the server (it removes such media itself)
    assert sum(1 for m in server.media_of("alice") if m.status_id is None) == 3


def test_mastodon_refuses_bad_media_with_its_own_sentences(mastodon):
    client, server, account, token = mastodon
    base = account.server

    def upload(data: bytes, description: str | None = None) -> requests.Response:
        return requests.post(f"{base}/api/v2/media", headers={"Authorization": f"Bearer {token}"},
                             files={"file": ("x.jpg", data, "image/jpeg")},
                             data={"description": description} if description is not None else {}, timeout=5)

    assert upload(b"GIF89a-but-not-really"[:3] + b"not an image").json() == {
        "error": "Validation failed: File content type is invalid"}
    assert upload(screenshot_png(10, 10), "x" * 1501).json() == {
        "error": "Validation failed: Description is too long (maximum is 1500 characters)"}
    no_description = upload(screenshot_png(10, 10))
    assert no_description.status_code == 200 and no_description.json()["description"] is None  # allowed
    status = requests.post(f"{base}/api/v1/statuses", headers={"Authorization": f"Bearer {token}"},
                           data={"status": "x", "media_ids[]": ["999999"]}, timeout=5)
    assert (status.status_code, status.json()) == (422, {"error": "Media 999999 not found or already attached "
                                                                  "to another post"})
    server.media_processing_polls = 1
    pending = upload(screenshot_png(10, 10)).json()["id"]
    status = requests.post(f"{base}/api/v1/statuses", headers={"Authorization": f"Bearer {token}"},
                           data={"status": "x", "media_ids[]": [pending]}, timeout=5)
    assert status.json() == {"error": "Cannot attach files that have not finished processing. Try again in a "
                                      "moment!"}
    # through the adapter, a server that takes smaller files than the photo still gets one that fits
    server.image_size_limit = 60_000
    client.publish(account, token, Post("fits", "draft-9:acct-1:v1", images=(
        Attachment.from_bytes(noise_photo(400, 300), alt="noise"),)))
    assert len(server.media[server.statuses_of("alice")[-1].media_ids[0]].data) <= 60_000


# -- LinkedIn ------------------------------------------------------------------------------------
@pytest.fixture
def linkedin() -> Iterator[tuple[LinkedInClient, LinkedInTestServer, Account, str]]:
    port = free_port()
    with LinkedInTestServer(members={"alice": "alice-password"}, redirect_uris=[f"http://127.0.0.1:{port}/callback"],
                            partner_scopes={"r_member_social"}) as server:
        config = LinkedInConfig(client_id=server.client_id, redirect_port=port,
                                authorization_url=f"{server.url}/oauth/v2/authorization",
                                token_url=f"{server.url}/oauth/v2/accessToken", api_base=server.url,
                                read_own_posts=True)
        client = LinkedInClient(config, timeout=(2.0, 2.0), allow_http=True)
        browser = MemberBrowser("alice", "alice-password")
        try:
            account, token = client.link_with_browser(browser, client_secret=server.client_secret, timeout=10)
        finally:
            browser.close()
        yield client, server, account, token
        client.http.close()


def test_linkedin_uploads_images_and_posts_them_with_alt_text_once(linkedin):
    client, server, account, token = linkedin
    post = Post(TEXT, "draft-1:acct-li:v1", first_attempt_at=time.time(), images=images())
    # the first attempt uploaded the images and sent the post; the answer was lost (a crash)
    server.drop_next()
    with pytest.raises(PublishError) as lost:
        client.publish(account, token, post)
    assert lost.value.ambiguous
    again = client.publish(account, token, post)  # looks first: found, not sent again
    [stored] = server.posts_of("alice")
    assert again.remote_id == stored.urn
    content = stored.body["content"]["multiImage"]["images"]
    assert [i["altText"] for i in content] == ["The old dashboard: four tables", "The new dashboard: one chart"]
    assert all(server.images[i["id"]].available for i in content)
    assert not opened(server.images[content[0]["id"]].data or b"").getexif().get_ifd(GPS_IFD)
    assert server.violations == []
    # one image: content.media
    one = client.publish(account, token, Post("One chart", "draft-2:acct-li:v1", images=images()[1:]))
    media = next(p for p in server.posts_of("alice") if p.urn == one.remote_id).body["content"]["media"]
    assert media["altText"] == "The new dashboard: one chart"


def test_linkedin_refuses_a_post_naming_an_image_never_uploaded(linkedin):
    client, server, account, token = linkedin
    urn = requests.post(f"{server.url}/rest/images?action=initializeUpload",
                        headers={"Authorization": f"Bearer {token}", "LinkedIn-Version": client.config.api_version,
                                 "X-Restli-Protocol-Version": "2.0.0"},
                        json={"initializeUploadRequest": {"owner": account.remote_id}}, timeout=5).json()["value"]["image"]
    body = {"author": account.remote_id, "commentary": "x", "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                             "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED", "content": {"media": {"id": urn, "altText": "a"}}}
    answer = requests.post(f"{server.url}/rest/posts", json=body, timeout=5, headers={
        "Authorization": f"Bearer {token}", "LinkedIn-Version": client.config.api_version,
        "X-Restli-Protocol-Version": "2.0.0"})
    assert answer.status_code == 422
    assert answer.json()["message"] == f"{urn} has not been uploaded (its status is WAITING_UPLOAD)"
    body["content"] = {"media": {"id": "urn:li:image:NOPE", "altText": "a"}}
    answer = requests.post(f"{server.url}/rest/posts", json=body, timeout=5, headers={
        "Authorization": f"Bearer {token}", "LinkedIn-Version": client.config.api_version,
        "X-Restli-Protocol-Version": "2.0.0"})
    assert answer.json()["message"] == "urn:li:image:NOPE does not exist or does not belong to the author"
    server.violations.clear()  # these were deliberate
