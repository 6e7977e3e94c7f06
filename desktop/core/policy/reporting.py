"""“This is wrong”: a false-positive report from an author to the policy's owner.

The policy's ``[policy]`` table may say where reports go (``report``): a ``mailto:`` address, or an
``https`` URL template (a form or an issue tracker) with placeholders filled in, URL-encoded:

    ``{policy}`` the policy id, ``{version}`` its version, ``{rule}`` the rule id,
    ``{words}`` the matched words (empty when the author left them out), ``{body}`` the whole report
    as the author edited it.

Without ``report``, reports go to the policy's ``contact`` when that is an e-mail address; with
neither, the app says that the policy names nowhere to send reports. Nothing is sent by Chorus
itself: the report is opened in the author's mail program or browser, where it can still be
changed or abandoned. Pure Python (the UI shows :func:`report_text` in a dialog first).
"""

from __future__ import annotations

import email.utils
import re
import urllib.parse
from dataclasses import dataclass, replace

from desktop.core.policy.fields import did_you_mean
from desktop.core.policy.model import Finding, PolicyInfo

PLACEHOLDERS = ("policy", "version", "rule", "words", "body")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+")
MAX_WORDS = 200  # characters of matched text put into a report (a length finding can cover a whole post)


def report_problem(value: str) -> str | None:
    """Why *value* cannot be a policy's ``report`` field (None: it can)."""
    lowered = value.lower()
    if lowered.startswith("mailto:"):
        address = urllib.parse.unquote(value[len("mailto:"):].split("?", 1)[0])
        if not all(_EMAIL.fullmatch(a.strip()) for a in address.split(",")) or not address:
            return f"must be mailto: followed by an e-mail address, like mailto:policy@example.com, not {value!r}"
        return None
    if not lowered.startswith("https://"):
        return ("must be a mailto: address (mailto:policy@example.com) or an https:// URL template "
                f"(https://forms.example.com/report?rule={{rule}}), not {value!r}")
    if not urllib.parse.urlsplit(_PLACEHOLDER.sub("x", value)).hostname:
        return f"must name a host after https://, not {value!r}"
    unknown = [name for name in _PLACEHOLDER.findall(value) if name not in PLACEHOLDERS]
    if unknown:
        return (f"has an unknown placeholder {{{unknown[0]}}}{did_you_mean(unknown[0], PLACEHOLDERS)}; "
                f"known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
    if "{" in _PLACEHOLDER.sub("", value) or "}" in _PLACEHOLDER.sub("", value):
        return f"has an unmatched {{ or }}: {value!r}"
    return None


def report_target(info: PolicyInfo) -> str | None:
    """Where reports for this policy go: its ``report`` field, else ``mailto:`` its contact when that
    is an e-mail address (``Comms <comms@example.com>`` works too), else None."""
    if info.report:
        return info.report
    _name, address = email.utils.parseaddr(info.contact or "")
    if address and _EMAIL.fullmatch(address):
        return f"mailto:{address}"
    return None


@dataclass(frozen=True)
class FalsePositiveReport:
    """What the author reports; *words* is empty when they chose not to include the matched text."""

    policy_id: str
    policy_version: str
    rule_id: str
    message: str
    words: str = ""
    note: str = ""  # the author's own words: why the finding is wrong
    # the message with the matched words taken out (a rule's message may quote them: "{match}")
    redacted_message: str = ""

    @classmethod
    def for_finding(cls, info: PolicyInfo, finding: Finding) -> FalsePositiveReport:
        words = " ".join(finding.text.split())
        quoted = finding.text.strip()[:80]  # what Rule.finding put in place of {match}
        redacted = finding.message.replace(quoted, "…") if quoted else finding.message
        return cls(info.id, info.version, finding.rule_id, finding.message, words[:MAX_WORDS],
                   redacted_message=redacted)

    def without_words(self) -> FalsePositiveReport:
        """The same report with the matched words left out, from the message as well."""
        return replace(self, words="", message=self.redacted_message or self.message)

    def text(self) -> str:
        """The report as the author first sees it (see :func:`report_text`)."""
        return report_text(self)

    def url(self, target: str, body: str) -> str:
        """The URL that opens this report at *target* (see :func:`report_url`)."""
        return report_url(target, self, body)

    @property
    def subject(self) -> str:
        return f"Chorus: false positive of rule {self.rule_id} ({self.policy_id} {self.policy_version})"


def report_text(report: FalsePositiveReport) -> str:
    """The report as the author first sees it in the dialog (they may edit all of it)."""
    lines = [
        "This finding looks wrong to me.",
        "",
        f"Policy: {report.policy_id} {report.policy_version}",
        f"Rule: {report.rule_id}",
        f"Message: {report.message}",
    ]
    if report.words:
        lines.append(f"Matched words: {report.words}")
    lines += ["", "Why it is wrong:", report.note]
    return "\n".join(lines).rstrip() + "\n"


def report_url(target: str, report: FalsePositiveReport, body: str) -> str:
    """The URL that opens the report: a mailto: with subject and *body*, or the template filled in."""
    if target.lower().startswith("mailto:"):
        separator = "&" if "?" in target else "?"  # RFC 6068: spaces as %20, never +
        return f"{target}{separator}subject={_quote(report.subject)}&body={_quote(body)}"
    values = {"policy": report.policy_id, "version": report.policy_version, "rule": report.rule_id,
              "words": report.words, "body": body}
    return _PLACEHOLDER.sub(lambda m: _quote(values.get(m.group(1), "")), target)


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")
