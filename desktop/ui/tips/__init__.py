"""The Tips panel, the tip of the day and their wiring (desktop.core.tips holds the tips themselves)."""
