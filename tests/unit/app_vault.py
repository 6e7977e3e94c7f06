"""A small in-memory AppVault (desktop.core.ports) for the adapters' linking tests: Chorus's own
store of app registrations and app secrets, recording what the adapter asked of it."""

from __future__ import annotations

from desktop.core.ports import AppRegistration


class MemoryAppVault:
    def __init__(self) -> None:
        self.registrations: dict[tuple[str, str], tuple[AppRegistration, str]] = {}
        self.secrets: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, ...]] = []

    def registration(self, network: str, server: str) -> tuple[AppRegistration, str] | None:
        self.calls.append(("registration", network, server))
        return self.registrations.get((network, server))

    def save_registration(self, registration: AppRegistration, client_secret: str) -> None:
        self.calls.append(("save_registration", registration.network, registration.server))
        self.registrations[(registration.network, registration.server)] = (registration, client_secret)

    def app_secret(self, network: str, name: str) -> str | None:
        self.calls.append(("app_secret", network, name))
        return self.secrets.get((network, name))
