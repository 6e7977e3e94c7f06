"""The demo tests use the UI tests' real-window fixture for the windows that are not demos."""

from tests.ui.conftest import make_window

__all__ = ["make_window"]
