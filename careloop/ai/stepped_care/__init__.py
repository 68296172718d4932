"""Stepped-care suggestions (#15 item 2): declarative, versioned rules (`rules`, pure) and
their dry-run on past episodes (`dry_run`, pure)."""
