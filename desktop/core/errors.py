"""The one error family: everything Chorus raises on purpose is a :class:`ChorusError`, whose
message is written for the person at the keyboard (what happened) and whose ``advice`` says what
they can do about it. :func:`describe` is the one place that turns any error into those words.

The families: :class:`StorageError` (drafts database, data files), the publishing and keyring errors
of :mod:`desktop.core.ports` (``PublishError`` and its kinds, ``SecretStoreError``), and the
accounts' ``AccountNotFound`` and ``MissingSecret``.
"""

from __future__ import annotations


class ChorusError(Exception):
    """Base class of every error Chorus raises on purpose. ``str(error)`` says what happened, in the
    person's words; :attr:`advice` what to do about it ("" when there is nothing to do)."""

    advice: str = ""

    def __init__(self, message: str = "", advice: str = "") -> None:
        super().__init__(message)
        if advice:
            self.advice = advice


def describe(exc: BaseException) -> str:
    """What to tell the person about *exc*: the message and the advice of our own errors, a
    ValueError's sentence (an address or a value that cannot be understood), or a plain "something
    went wrong" naming the error for anything unexpected."""
    if isinstance(exc, ChorusError):
        text = str(exc) or type(exc).__name__
        return f"{text} {exc.advice}".strip() if exc.advice else text
    if isinstance(exc, ValueError):
        return str(exc) or type(exc).__name__
    return f"Something went wrong ({type(exc).__name__}: {exc}). Please try again."


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
