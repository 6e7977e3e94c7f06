"""Publishing: the publish bar and targets, each target's status, the history and the outbox sender."""
