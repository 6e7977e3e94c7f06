"""The Ideas panel (issue 15): company feeds and the employee's own notes, and "Write about this"."""
