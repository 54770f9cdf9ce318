"""Signing a test client in to the console the way a browser does (the form and its CSRF)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: Response) -> str:
    """The CSRF token in a page's forms."""
    found = CSRF.search(page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


def sign_in_with_token(client: TestClient, secret: str) -> str:
    """Sign in by pasting a token; returns the session's CSRF token."""
    page = client.get("/login")
    answer = client.post(
        "/login", data={"csrf": csrf_of(page), "token": secret}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text[:300]
    return csrf_of(client.get("/"))
