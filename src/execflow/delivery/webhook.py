"""Outbox kind 'webhook': POST a JSON body to a URL; any non-2xx is a failure to retry."""

from __future__ import annotations

import httpx

from execflow.outbox import Claimed, Handler

TIMEOUT_SECONDS = 10.0


class DeliveryError(RuntimeError):
    """The receiver did not accept the delivery."""


def deliver_webhook(item: Claimed) -> None:
    """POST item.payload['body'] to item.payload['url']."""
    url = str(item.payload["url"])
    headers = {str(k): str(v) for k, v in dict(item.payload.get("headers") or {}).items()}
    headers.setdefault("Idempotency-Key", f"execflow-outbox-{item.id}")
    response = httpx.post(
        url, json=item.payload.get("body"), headers=headers, timeout=TIMEOUT_SECONDS
    )
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"{url} answered {response.status_code}")


WEBHOOK = Handler(deliver=deliver_webhook)
