"""Fixtures for the attachment tests: the real main window (tests/ui/conftest.py's make_window) and
the keyring of the publishing UI tests (a real Secret Service on a private D-Bus)."""

from __future__ import annotations

from tests.ui.conftest import make_window  # noqa: F401 - the real MainWindow over an isolated profile
from tests.ui.test_accounts_publishing import keyring, secret_service  # noqa: F401 - real keyring
