"""Who is told what, by severity; the mail fan-out through the outbox."""
