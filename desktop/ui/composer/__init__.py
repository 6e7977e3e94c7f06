"""The composer: the post text with its live per-network length counters."""
