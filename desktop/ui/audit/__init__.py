"""Help → Audit trail: the records of the audit trail, whether the chain is intact, and export."""
