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


class DatabaseLockedError(StorageError):
    """Another process holds the database (a second Chorus, a backup or sync tool): nothing was moved."""


class DatabaseReadOnlyError(StorageError):
    """The database file, or the folder it is in, cannot be written: nothing was moved."""


class DiskFullError(StorageError):
    """The disk is full, or a file-size limit (``ulimit -f``) is reached: nothing was moved."""


class DatabaseIOError(StorageError):
    """The operating system reported a read or write error on the database: nothing was moved."""


class DatabaseCannotOpenError(StorageError):
    """The database cannot be opened at all (a folder in its place, a missing or inaccessible folder)."""


class ProfileFolderError(StorageError):
    """The folder Chorus keeps its files in cannot be created or used (for example, a file is in its place)."""
