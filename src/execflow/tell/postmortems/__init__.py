"""Post-mortems: drafts, published pages, revisions proven by the log, reminders."""
