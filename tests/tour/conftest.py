"""The tour's tests build the real main window the way tests/ui does."""

from __future__ import annotations

from tests.ui.conftest import make_window  # noqa: F401  (the fixture, shared)
