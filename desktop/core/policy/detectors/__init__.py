"""Built-in detectors that read the original text: secrets, URLs and hosts, e-mail, phone numbers.

One module per kind of thing found; :mod:`.spans` holds what they share. They also define the
*excluded zones* of G3: URLs (with or without a scheme), e-mail addresses and secrets are left out
of lexicon and proximity matching. Every pattern here is linear-time on any input (possessive
quantifiers, no nested free repetition), because they run on every keystroke.
"""

from collections.abc import Callable

from desktop.core.policy.detectors.email import find_emails
from desktop.core.policy.detectors.phone import find_phones, last_digits
from desktop.core.policy.detectors.secrets import find_secrets
from desktop.core.policy.detectors.spans import Detection, Intervals, Span, merge_overlapping, overlaps
from desktop.core.policy.detectors.urls import find_urls, host_matches, is_private_ip, url_host

# Detectors a rule names with ``detector = "<name>"`` beyond the four built into DetectorRule (secrets,
# internal_url, email, phone): each takes the post's text and returns its detections, labelled.
EXTRA: dict[str, Callable[[str], list[Detection]]] = {}

__all__ = ["EXTRA", "Detection", "Intervals", "Span", "find_emails", "find_phones", "find_secrets", "find_urls",
           "host_matches", "is_private_ip", "last_digits", "merge_overlapping", "overlaps", "url_host"]
