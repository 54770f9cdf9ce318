"""Status page subscribers: double opt-in, per-component choice, one-click unsubscribe."""
