"""Drafts: the list of drafts and the autosave that keeps every edit."""
