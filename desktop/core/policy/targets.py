"""Checking one post for every network it is meant for, as one list of findings.

A post written in the composer goes to several networks at once (the composer's networks; later
the draft's target accounts). Most rules do not care about the network, but two kinds do: rules
limited to some networks (``networks = [...]``) and the per-network length rule (``metric``). So
:class:`TargetedCheck` runs the whole policy once, for the *primary* network (the policy's
``default_network`` when it is among the targets, else the first target), and then only the
network-dependent rules for each other target. The result is what checking every target in full
and merging would give, at the cost of about one check: a 3,000-character post aimed at X,
Bluesky, Mastodon and LinkedIn gets a length finding for each network it is too long for, each
naming its network.

Findings that several targets produce identically (same rule, span and severity) are reported
once. With no target at all, the policy's own ``default_network`` is used, as in the command line.

*alt_texts* are the alt texts of the images attached to the post (one per image, "" for none), read
by ``alt_text`` rules. The check stays a pure function of the text: the composer makes a new
TargetedCheck when the images or their alt texts change. *references* (a feed item's suggested copy,
the author's own recent posts) are read by ``authenticity`` rules; :meth:`TargetedCheck.with_references`
makes the same check with others (the live check loads them off the GUI thread).

Counted is not chosen: the composer counts for networks the author may never post to (X by
default, which Chorus cannot even link). With *committed* (the networks the author has an account
linked for, which include every chosen one), a length finding for any other network is only
advisory: severity ``info``, saying why, never blocking. Unless the policy says otherwise: a
length rule that names the network in its ``networks = [...]`` keeps its severity there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from desktop.core.networks import DISPLAY_NAMES
from desktop.core.policy import Budget, Finding, Policy, Reference
from desktop.core.policy.metric import MetricRule
from desktop.core.policy.model import Severity


class TargetedCheck:
    """``check(text) -> list[Finding]`` for *policy* and the networks in *networks*.

    A plain callable with no state of its own between calls: safe to call from a worker thread.
    """

    def __init__(self, policy: Policy, networks: Sequence[str] = (),
                 instance_limits: dict[str, dict[str, Any]] | None = None, alt_texts: Sequence[str] = (),
                 committed: Collection[str] | None = None, references: Sequence[Reference] = ()) -> None:
        """*committed*: the networks with a linked account (None: treat every network as committed)."""
        self.policy = policy
        self.alt_texts = tuple(alt_texts)
        self.references = tuple(references)
        self.committed = frozenset(committed) if committed is not None else None
        # length rules that name their networks: the policy asks for them whether chosen or not
        self._named_networks = {rule.id: rule.networks for rule in policy.rules
                                if isinstance(rule, MetricRule) and rule.networks is not None}
        self.instance_limits = instance_limits or None  # e.g. a linked Mastodon account's max_characters
        self.networks = tuple(dict.fromkeys(networks))
        default = policy.info.default_network
        if not self.networks:
            self.primary = default
        else:
            self.primary = default if default in self.networks else self.networks[0]
        self._others = tuple(n for n in self.networks if n != self.primary)
        dependent = [rule for rule in policy.rules if rule.networks is not None or isinstance(rule, MetricRule)]
        self._per_network = Policy(policy.info, dependent) if dependent and self._others else None

    @property
    def version_key(self) -> str:
        return self.policy.version_key

    def __call__(self, text: str, today: dt.date | None = None) -> list[Finding]:
        limits = self.instance_limits
        budget = Budget()  # one time budget for the author's patterns across every network's check
        findings = [_named(f) for f in self.policy.check(text, network=self.primary, today=today,
                                                         instance_limits=limits, budget=budget,
                                                         alt_texts=self.alt_texts, references=self.references)]
        if self._per_network is not None:
            seen = {_identity(f) for f in findings}
            for network in self._others:
                for finding in self._per_network.check(text, network=network, today=today, instance_limits=limits,
                                                       budget=budget, alt_texts=self.alt_texts,
                                                       references=self.references):
                    if _identity(finding) not in seen:
                        seen.add(_identity(finding))
                        findings.append(_named(finding))
            findings.sort(key=lambda f: (f.start, f.end, f.rule_id, f.network or ""))
        if self.committed is not None:
            findings = [self._advisory_if_not_committed(f) for f in findings]
        return findings

    def with_references(self, references: Sequence[Reference]) -> TargetedCheck:
        """The same check, comparing the post with *references* instead (a new object: checks are pure)."""
        copy = object.__new__(TargetedCheck)
        copy.__dict__.update(self.__dict__)
        copy.references = tuple(references)
        return copy

    def _advisory_if_not_committed(self, finding: Finding) -> Finding:
        network, committed = finding.network, self.committed or frozenset()
        if network is None or network in committed or finding.severity == Severity.INFO \
                or network in (self._named_networks.get(finding.rule_id) or ()):
            return finding
        name = DISPLAY_NAMES.get(network, network)
        note = (f"Only counted: no {name} account is linked or chosen, so this does not stop publishing "
                f"(it would on {name}).")
        return dataclasses.replace(finding, severity=Severity.INFO, rule_severity=finding.severity,
                                   explanation=f"{note} {finding.explanation}".strip())

    def __repr__(self) -> str:
        return f"<TargetedCheck {self.policy.version_key} primary={self.primary} others={list(self._others)}>"


def _identity(finding: Finding) -> tuple[Any, ...]:
    return (finding.rule_id, finding.start, finding.end, finding.severity, finding.network)


def _named(finding: Finding) -> Finding:
    """Fill a per-network finding's ``{network}`` placeholder with the network's display name."""
    if finding.network is None or "{network}" not in finding.message:
        return finding
    name = DISPLAY_NAMES.get(finding.network, finding.network)
    return dataclasses.replace(finding, message=finding.message.replace("{network}", name))
