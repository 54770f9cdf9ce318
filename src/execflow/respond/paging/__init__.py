"""Paging: pages by e-mail and webhook, each with a signed, expiring acknowledge link."""
