"""The length rule (``kind = "metric"``): a post's length per network, in that network's own measure.

The measures (code points, UTF-16 units, graphemes, UTF-8 bytes and each network's own count)
and :func:`fit`, which finds where a limit cuts a text, live here with the rule that uses them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import ClassVar

import regex

from desktop.core import networks
from desktop.core.networks import DISPLAY_NAMES
from desktop.core.policy.budget import on_time
from desktop.core.policy.model import Finding
from desktop.core.policy.rules import Document, Rule

_REGIONAL_INDICATOR = regex.compile("[\U0001F1E6-\U0001F1FF]")


MEASURES: dict[str, Callable[[str], int]] = {}


def _used_by(network: networks.Network) -> Callable[[str], int]:
    """The network's own count of a text, as a measure."""
    return lambda text: network.count(text).used


def _measures() -> dict[str, Callable[..., int]]:
    if not MEASURES:
        from desktop.core import counters

        MEASURES.update(
            code_points=len,
            utf16_units=lambda t: len(t.encode("utf-16-le", "surrogatepass")) // 2,
            graphemes=counters.grapheme_count,
            utf8_bytes=lambda t: len(t.encode("utf-8", "surrogatepass")),
        )
        for network in networks.REGISTRY:  # each network's own measure, under the name policy files use
            if network.measure:
                MEASURES[network.measure] = _used_by(network)
    return MEASURES


@dataclass(frozen=True)
class Limit:
    measure: str
    maximum: int


@dataclass
class MetricRule(Rule):
    """Per-network length: the finding covers the part of the post past the limit."""

    # first of all (Rule.priority): a measure of a whole long post is one step that cannot stop midway,
    # so it runs while the check has the most time left, and a paste's length is what matters most
    priority: ClassVar[int] = -1
    limits: dict[str, list[Limit]] = field(default_factory=dict)
    default_network: str | None = None

    def check(self, doc: Document) -> list[Finding]:
        network = doc.network or self.default_network
        if network is None or network not in self.limits:
            return []
        text = doc.text
        # where each limit cuts the text (the whole text when it fits): the measures grow with the
        # text, so a cut before the end means the post is over that limit
        cuts = []
        for limit in self.limits[network]:
            maximum, measure = limit.maximum, None
            instance = doc.instance_limits.get(network, {})
            measured = networks.by_measure(limit.measure)
            if instance and measured is not None and measured.capabilities.instance_limits:
                # the author's server decides (its own limit and what a link counts)
                own = {k: int(v) for k, v in instance.items() if isinstance(v, int) and v > 0}
                maximum = own.get(measured.limit_key, maximum)
                measure = _instance_measure(measured, own)
            cut = fit(limit.measure, text, maximum, measure)
            if cut < len(text):
                cuts.append(cut)
        if not cuts:
            return []
        finding = self.finding(doc, min(cuts), len(text), network=network)
        name = DISPLAY_NAMES.get(network, network)
        return [replace(finding, message=finding.message.replace("{network}", name))]


def _instance_measure(network: networks.Network, limits: dict[str, int]) -> Callable[[str], int]:
    return lambda t: network.count(t, limits).used


_CLUSTERS: dict[int, regex.Pattern[str]] = {}


def fit(measure_name: str, text: str, maximum: int, measure: Callable[[str], int] | None = None) -> int:
    """How many code points of *text* fit in *maximum* units of the measure: one pass where the
    measure allows it, otherwise a search that starts near the answer and probes short prefixes."""
    if measure_name == "code_points":
        return min(len(text), maximum)
    if measure_name == "utf16_units":
        return len(text.encode("utf-16-le", "surrogatepass")[: 2 * maximum].decode("utf-16-le", "ignore"))
    if measure_name == "utf8_bytes":
        return len(text.encode("utf-8", "surrogatepass")[:maximum].decode("utf-8", "ignore"))
    if measure_name == "graphemes" and not _REGIONAL_INDICATOR.search(text):
        if maximum not in _CLUSTERS:
            _CLUSTERS[maximum] = regex.compile(rf"\X{{0,{maximum}}}")
        match = _CLUSTERS[maximum].match(text)
        return match.end() if match else 0
    return _gallop(measure or _measures()[measure_name], text, maximum, guess=min(len(text), maximum))


def _at_least(text: str) -> int:
    """A lower bound of every galloped measure (X's weighted length, Mastodon's count): each run of
    non-space characters counts at least 1 (a word counts each character, a link 23 or its length,
    an emoji sequence 2, a Mastodon mention its user name), so a post with more runs than the limit
    cannot fit, whatever its links shrink to."""
    return len(text.split())


def _bounded(measure: Callable[[str], int]) -> Callable[[str], int]:
    """*measure*, each call starting only with time left in the check under way (budget.on_time)."""
    def bounded(prefix: str) -> int:
        on_time("measuring the length")
        return measure(prefix)
    return bounded


def _gallop(measure: Callable[[str], int], text: str, maximum: int, guess: int) -> int:
    """The longest prefix length whose measure is <= maximum (measures grow with the prefix).

    Not always: a Mastodon link still being typed counts in full and then shrinks to 23 once its TLD
    appears, so a prefix can be over the limit while the whole post is not. The whole text decides
    whether the post fits; the search only places the cut of a post that does not."""
    measure = _bounded(measure)
    n = len(text)
    # (when guess == n the first probe below is the whole text). Measuring a whole 100,000-character
    # post of links costs a link search; skipped when it surely does not fit (see _at_least)
    if guess < n and _at_least(text) <= maximum and measure(text) <= maximum:
        return n
    if measure(text[:guess]) <= maximum:
        fits, step = guess, 1
        while True:
            probe = min(n, fits + step)
            if probe == fits:
                return n
            if measure(text[:probe]) > maximum:
                too_long = probe
                break
            fits, step = probe, step * 2
    else:
        too_long, step = guess, 1
        while True:
            probe = max(0, too_long - step)
            if measure(text[:probe]) <= maximum:
                fits = probe
                break
            if probe == 0:
                return 0
            too_long, step = probe, step * 2
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if measure(text[:middle]) <= maximum:
            fits = middle
        else:
            too_long = middle
    return fits
