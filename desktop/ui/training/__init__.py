"""Understanding the company policy in the window: the summary to acknowledge, Help → Company policy and the
check of understanding (desktop.core.training holds the rules and the record)."""
