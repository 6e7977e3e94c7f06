"""A keyring backend that records its loading and every call in the file named by
$CHORUS_TEST_KEYRING_RECORD (and keeps nothing). The end-to-end demo test points
PYTHON_KEYRING_BACKEND at it: a demo must never make that file appear. (Chorus refuses to store
credentials in a backend it does not trust, so the loading, when the keyring is first asked for, is
what shows a use.)"""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend


class RecordingKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._record("load", "", "")

    def _record(self, operation: str, service: str, username: str) -> None:
        with open(os.environ["CHORUS_TEST_KEYRING_RECORD"], "a", encoding="utf-8") as record:
            record.write(f"{operation} {service} {username}\n")

    def get_password(self, service: str, username: str) -> str | None:
        self._record("get", service, username)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._record("set", service, username)

    def delete_password(self, service: str, username: str) -> None:
        self._record("delete", service, username)
