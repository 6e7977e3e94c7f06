"""The length limits the composer counts against, per network: where servers set their own limits
(``Capabilities.instance_limits``), the smallest among the linked accounts' servers, else the
person's own setting (``Network.limit_setting``), else the network's default."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from desktop.core import networks as registry
from desktop.core.settings import Settings

if TYPE_CHECKING:
    from desktop.core.accounts import AccountRecord


class CounterLimits:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.instance: dict[str, dict] = {}  # network id -> the linked servers' smallest limits

    def follow_accounts(self, records: Iterable[AccountRecord]) -> bool:
        """Take the linked accounts' server limits; True when the counters must count again."""
        records = list(records)
        chosen: dict[str, dict] = {}
        for network in registry.REGISTRY:
            if not network.capabilities.instance_limits:
                continue
            limits = [r.account.limits for r in records if r.account.network == network.id
                      and isinstance(r.account.limits.get(network.limit_key), int)]
            if limits:
                chosen[network.id] = dict(min(limits, key=lambda lim: lim[network.limit_key]))
        changed = chosen != self.instance
        self.instance = chosen
        return changed

    def options(self) -> dict[str, dict[str, int]]:
        """The limits per network for :func:`desktop.core.counters.count_all` and the policy check."""
        options: dict[str, dict[str, int]] = {}
        for network in registry.REGISTRY:
            limits = dict(self.instance.get(network.id, {}))
            if network.limit_setting and not isinstance(limits.get(network.limit_key), int):
                limits[network.limit_key] = self.settings.get(network.limit_setting)
            if limits:
                options[network.id] = {k: v for k, v in limits.items() if isinstance(v, int)}
        return options
