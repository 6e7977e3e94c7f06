"""Accounts: the panel of linked accounts and the link dialogs (one per link flow)."""
