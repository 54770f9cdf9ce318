"""Rendering a console page: the signed-in person, the flash line, never cached."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from execflow.access.roles import Role
from execflow.clock import rfc3339
from execflow.console.sessions import Principal
from execflow.web.pages import Pages

PRIVATE = {"Cache-Control": "no-store"}


def render(
    request: Request,
    me: Principal,
    template: str,
    title: str,
    section: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """The page for the signed-in principal (what they may do follows their role)."""
    pages: Pages = request.app.state.pages
    state = request.app.state.execflow
    flash = request.query_params.get("flash", "")[:300]
    return pages.response(
        template,
        status_code,
        PRIVATE,
        me=me,
        title=title,
        section=section,
        flash=flash,
        now_iso=rfc3339(state.clock.now()),
        can_act=me.role.allows(Role.RESPONDER),
        is_admin=me.role.allows(Role.ADMIN),
        log_at=getattr(request.state, "log_size", None),
        **context,
    )


def not_found(request: Request, what: str) -> Response:
    """A console 404 page."""
    pages: Pages = request.app.state.pages
    return pages.response(
        "message.html", 404, PRIVATE, heading="Not found", text=f"There is no {what} here."
    )
