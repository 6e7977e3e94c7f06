"""Feed documents for the Ideas tests: valid RSS 2.0, Atom 1.0 and JSON Feed 1.1, and hostile XML."""

from __future__ import annotations

import json

NS = "https://chorus.example/ns/ideas/1"

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:chorus="{NS}">
  <channel>
    <title>Acme Engineering Blog</title>
    <link>https://blog.acme.example/</link>
    <description>News</description>
    <item>
      <title>Chorus 1.4 ships offline drafts</title>
      <link>https://blog.acme.example/1-4</link>
      <guid>acme-blog-14</guid>
      <pubDate>Mon, 30 Nov 2026 09:00:00 GMT</pubDate>
      <description>&lt;p&gt;Drafts now &lt;b&gt;work offline&lt;/b&gt;.&lt;/p&gt;
        &lt;script&gt;alert(1)&lt;/script&gt;</description>
      <chorus:suggested>Excited to announce Chorus 1.4! #innovation</chorus:suggested>
    </item>
    <item>
      <title>We are hiring in Lyon</title>
      <link>https://blog.acme.example/jobs-lyon</link>
      <guid>acme-blog-jobs</guid>
      <pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate>
      <description>Three openings in the platform team.</description>
    </item>
  </channel>
</rss>
""".encode()

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:c="{NS}">
  <title>Acme Talks</title>
  <id>urn:acme:talks</id>
  <updated>2026-12-02T08:00:00Z</updated>
  <entry>
    <title>Talk: Policy checks at typing speed</title>
    <id>urn:acme:talks:1</id>
    <link href="https://talks.acme.example/policy"/>
    <updated>2026-12-02T08:00:00Z</updated>
    <summary type="html">&lt;p&gt;Slides and video.&lt;/p&gt;</summary>
    <c:suggested>Watch our talk on policy checks!</c:suggested>
  </entry>
  <entry>
    <title>Bad link</title>
    <id>urn:acme:talks:2</id>
    <link href="javascript:alert(1)"/>
    <updated>2026-11-01T08:00:00Z</updated>
    <summary>No link here.</summary>
  </entry>
</feed>
""".encode()

JSON_FEED = json.dumps({
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Acme Releases",
    "items": [
        {"id": "rel-2.0", "url": "https://acme.example/releases/2.0", "title": "Release 2.0",
         "content_html": "<p>Faster <em>sync</em>.</p>", "date_published": "2026-12-03T07:30:00+01:00",
         "_chorus": {"suggested_copy": "Release 2.0 is here, upgrade today!"}},
        {"id": 17, "content_text": "A note without title or date."},
    ],
}).encode()

MALFORMED = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Broken<item></channel></rss>"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><guid>x</guid></item></channel></rss>
"""


def external_entity(target: str) -> bytes:
    """An RSS feed whose item title is an external entity pointing at *target* (a file or http address)."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY secret SYSTEM "{target}"> ]>
<rss version="2.0"><channel><title>Leak</title>
<item><title>&secret;</title><guid>leak</guid><description>&secret;</description></item>
</channel></rss>
""".encode()
