"""Outgoing webhooks: one HTTP client for every POST the product sends, and the generic
outbox kind 'webhook' (POST a JSON body to a URL; any non-2xx is a failure to retry).

The client is made once per worker and passed in (tests give it an `httpx.MockTransport`
or point it at a real receiver); page webhooks use the same one.
"""

from __future__ import annotations

import json

import httpx

from execflow.outbox import Claimed, Handler

TIMEOUT_SECONDS = 10.0


class DeliveryError(RuntimeError):
    """The receiver did not accept the delivery."""


def client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The HTTP client for outgoing webhooks: a 10 s timeout, no redirects followed."""
    return httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, transport=transport)


def post_json(http: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> None:
    """POST a JSON body; DeliveryError unless the answer is a 2xx."""
    response = http.post(url, content=body, headers={"Content-Type": "application/json", **headers})
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"{url} answered {response.status_code}")


def webhook_handler(http: httpx.Client) -> Handler:
    """The 'webhook' kind: POST item.payload['body'] to item.payload['url']."""

    def deliver(item: Claimed) -> None:
        headers = {str(k): str(v) for k, v in dict(item.payload.get("headers") or {}).items()}
        headers.setdefault("Idempotency-Key", f"execflow-outbox-{item.id}")
        body = json.dumps(item.payload.get("body"), separators=(",", ":")).encode()
        post_json(http, str(item.payload["url"]), body, headers)

    return Handler(deliver=deliver)
