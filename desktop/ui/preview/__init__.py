"""The Preview panel: the draft as each chosen network will show it (desktop.core.preview)."""
