"""The window helpers' fixtures: the real MainWindow (tests/ui/conftest.py), and the accounts set-up of
tests/ui/test_accounts_publishing.py (a private Secret Service keyring, Mastodon-API test servers on
127.0.0.1, the test's browser)."""

from tests.ui.conftest import make_window  # noqa: F401
from tests.ui.test_accounts_publishing import browser, keyring, open_window, secret_service, servers  # noqa: F401
