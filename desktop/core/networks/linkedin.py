"""LinkedIn.

Length: 3,000 characters per post. LinkedIn does not document the unit. The Posts API rejects a
long post with ``ShareCommentary text length (8694 characters) exceeded the maximum allowed (3000
characters)`` (``FIELD_ARRAY_SIZE_TOO_HIGH``, ``maxLength: 3000``), a Rest.li check in LinkedIn's
Java back end, and the composer is JavaScript: in both a string's length is its number of UTF-16
code units. So we count UTF-16 code units (``😀`` is 2, ``👨‍👩‍👧‍👦`` is 11). It is also the safe
side: there are never fewer UTF-16 units than code points or graphemes, so a post we accept is not
too long under any of those readings. (The API's "little text" escaping of reserved characters is
the publisher's business and is not counted here.)

Linking: OAuth in the browser with the company's registered LinkedIn app (IT sets it up); no
idempotency key, so a resend looks for the post first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from desktop.core.networks.media import MediaLimits
from desktop.core.networks.spec import Brand, Capabilities, LinkFlow, LinkSpec, Network, PreviewSpec
from desktop.core.setting_spec import Kind, SettingSpec

if TYPE_CHECKING:
    from desktop.core.measures import Count
    from desktop.core.richtext import Entity

ID = "linkedin"
MAX_UTF16_UNITS = 3000


def _count(text: str, limits: Mapping[str, int], spoiler_text: str) -> Count:
    # measures load regex and twitter-text: imported on the first count, not when the registry is read
    from desktop.core.measures import Count, utf16_length

    return Count(ID, utf16_length(text), limits["max_utf16_units"], "UTF-16 code units")



# the feed folds a post after about 210 characters or its third line, whichever comes first
FOLD_CHARACTERS = 210
FOLD_LINES = 3


def _entities(text: str) -> list[Entity]:
    """Links and hashtags as written (a typed @name stays text: real mentions need a member id)."""
    from desktop.core.richtext import LINKEDIN_HASHTAG_RE, LINKEDIN_URL_RE, Entity

    links = [Entity(m.start(), m.end(), "link", m.group(), m.group()) for m in LINKEDIN_URL_RE.finditer(text)]
    found = list(links)
    if "#" in text:
        for m in LINKEDIN_HASHTAG_RE.finditer(text):
            if not any(e.start <= m.start() < e.end for e in links):
                found.append(Entity(m.start(), m.end(), "hashtag", m.group(1), m.group()))
        found.sort(key=lambda e: e.start)
    return found


def _fold(text: str, entities: Sequence[Entity]) -> int | None:
    """Where the feed puts "…see more": after 210 characters or the third line, never inside a link or
    hashtag (it moves before it); None when the whole post shows."""
    from bisect import bisect_left

    fold = min(len(text), FOLD_CHARACTERS)
    line_end = -1
    for _ in range(FOLD_LINES):
        line_end = text.find("\n", line_end + 1)
        if line_end < 0:
            break
    if line_end >= 0:
        fold = min(fold, line_end)
    if not text[fold:].strip():
        return None
    starts = [e.start for e in entities]
    i = bisect_left(starts, fold + 1) - 1
    if i >= 0 and entities[i].start < fold < entities[i].end:
        fold = entities[i].start
    return fold


NETWORK = Network(
    id=ID,
    display_name="LinkedIn",
    unit="UTF-16 code units",
    counter=_count,
    default_limits={"max_utf16_units": MAX_UTF16_UNITS},
    limit_key="max_utf16_units",
    brand=Brand(light="#0A66C2", dark="#70B5F9", mark="in"),
    capabilities=Capabilities(
        images=True, alt_text=True,
        # Images API: JPG, PNG or GIF under 36,152,320 pixels; multiImage posts take up to 20 but
        # Chorus attaches 4 at most. LinkedIn documents no byte limit for the Images API; 5 MB is
        # the figure publishing tools quote for LinkedIn images, kept as a safe ceiling.
        media=MediaLimits(max_images=4, max_bytes=5 * 1024 * 1024, max_pixels=36_152_320 - 1,
                          accepted=("image/jpeg", "image/png"), alt_max_chars=4086),
    ),
    preview=PreviewSpec(entities=_entities, link_card=True, fold=_fold, plain_links=True),
    link=LinkSpec(
        LinkFlow.BROWSER,
        browser_note="Chorus opens LinkedIn in your browser. Sign in there and allow Chorus to post for you. "
                     "LinkedIn's permission lasts 60 days; Chorus reminds you to link the account again before it "
                     "ends.",
        needs_setup=True,
    ),
    adapter="desktop.adapters.networks.linkedin",
    settings=(
        # The organisation's LinkedIn app, normally set by IT in the managed layer. Its client secret
        # lives with a token-exchange service, in the OS keyring under "app:linkedin:<client id>"
        # (desktop.adapters.networks.linkedin.client_secret_key), or in IT's mandatory managed
        # settings (linkedin.client_secret: a secret setting, never taken from the user's file, shown
        # or copied into Chorus's own files).
        SettingSpec(
            "linkedin.client_id",
            Kind.TEXT,
            "",
            "LinkedIn app client ID",
            "The Client ID of your organisation's LinkedIn app (LinkedIn Developer Portal → your app → Auth), "
            "with the products “Share on LinkedIn” and “Sign In with LinkedIn using OpenID Connect”. "
            "Empty: LinkedIn accounts cannot be linked.",
            "LinkedIn",
        ),
        SettingSpec(
            "linkedin.token_exchange_url",
            Kind.TEXT,
            "",
            "LinkedIn token-exchange service",
            "The https address of your organisation's service that holds the LinkedIn app's client secret and "
            "swaps sign-in codes for tokens. Empty: Chorus uses the client secret IT stored in this computer's "
            "keyring instead.",
            "LinkedIn",
        ),
        SettingSpec(
            "linkedin.client_secret",
            Kind.TEXT,
            "",
            "LinkedIn app client secret",
            "The Client Secret of your organisation's LinkedIn app, for organisations without a token-exchange "
            "service. Taken only from mandatory managed settings (registry, configuration profile or a "
            "root-owned file); never shown, logged or copied by Chorus. Prefer linkedin.token_exchange_url, "
            "which keeps the secret off the computers.",
            "LinkedIn",
            secret=True,
        ),
        SettingSpec(
            "linkedin.api_version",
            Kind.TEXT,
            "202609",
            "LinkedIn API version",
            "The LinkedIn-Version sent with every post (YYYYMM). LinkedIn retires each version about a year "
            "after its release; then posting fails until this is set to a current one.",
            "LinkedIn",
        ),
        SettingSpec(
            "linkedin.redirect_port",
            Kind.INT,
            47319,
            "LinkedIn sign-in port",
            "The port of the address the browser returns to after signing in to LinkedIn, "
            "http://127.0.0.1:<port>/callback. That exact address must be registered on the LinkedIn app. "
            "0 picks a free port each time, which works only if LinkedIn accepts any port for your app.",
            "LinkedIn",
            minimum=0,
            maximum=65535,
        ),
        SettingSpec(
            "linkedin.read_own_posts",
            Kind.BOOL,
            False,
            "LinkedIn app may read members' posts",
            "Turn on only if LinkedIn approved your app for r_member_social (partners only). Chorus then asks "
            "for it and, after a network failure, checks whether a post arrived before sending it again; "
            "without it, people are asked to check LinkedIn themselves.",
            "LinkedIn",
        ),
    ),
)
