"""Drafts: the posts an employee is writing, kept in a local SQLite database."""

from desktop.core.drafts.store import Draft, DraftStore

__all__ = ["Draft", "DraftStore"]
