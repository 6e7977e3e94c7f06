"""Errors the core raises. A UserFacingError's message is written for the person at the keyboard."""

from __future__ import annotations


class ChorusError(Exception):
    """Base class of every error Chorus raises on purpose."""


class UserFacingError(ChorusError):
    """An error whose message can be shown as it is: it says what happened and what to do."""


class StorageError(UserFacingError):
    """The local database or a data file cannot be used."""


class DatabaseTooNewError(StorageError):
    """The database was written by a newer Chorus; opening it could lose data."""
