"""Drafts: the posts an employee is writing, kept in a local SQLite database."""

from desktop.core.drafts.acknowledgements import Acknowledgement
from desktop.core.drafts.model import Draft
from desktop.core.drafts.store import DraftStore

__all__ = ["Acknowledgement", "Draft", "DraftStore"]
