"""Delivery of outbox items to the outside world: webhooks now, e-mail next."""
