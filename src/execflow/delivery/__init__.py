"""Delivery of outbox items to the outside world: e-mail, webhooks, and webhook signatures."""
