"""Server-rendered pages: one Jinja2 environment, the filters the templates share, headers.

Every page is served with a Content-Security-Policy that allows scripts, styles, images
and form posts from this origin only (no inline script), and frame-ancestors none.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, Response

from execflow.clock import parse_rfc3339
from execflow.config import Settings

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
_IMPACT = {"critical": "Critical", "major": "Major", "minor": "Minor", "none": "None"}
_COMPONENT = {
    "operational": "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
    "under_maintenance": "Under maintenance",
}


def _moment(value: datetime | str) -> datetime:
    return parse_rfc3339(value) if isinstance(value, str) else value


def human(value: datetime | str | None) -> str:
    """'30 Nov 2026, 16:45 UTC'."""
    if value is None:
        return ""
    return _moment(value).strftime("%d %b %Y, %H:%M UTC")


def iso(value: datetime | str | None) -> str:
    """RFC 3339 for a datetime attribute ("" for none)."""
    if value is None:
        return ""
    return _moment(value).isoformat().replace("+00:00", "Z")


def _percent(value: float | None) -> str:
    return "no data" if value is None else f"{value:.2f} % uptime"


def _uptime_summary(uptime: Any) -> str:
    counts: dict[str, int] = {}
    for day in uptime.days:
        counts[day.state] = counts.get(day.state, 0) + 1
    words = {
        "operational": "up",
        "degraded_performance": "degraded",
        "partial_outage": "partial outage",
        "major_outage": "down",
        "maintenance": "maintenance",
        "no_data": "no data",
    }
    parts = [f"{counts[k]} days {v}" for k, v in words.items() if counts.get(k)]
    return f"{_percent(uptime.percent)}; " + ", ".join(parts)


def environment() -> Environment:
    """The templates with autoescaping and the shared filters."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )
    env.filters.update(
        human=human,
        iso=iso,
        percent=_percent,
        uptime_summary=_uptime_summary,
        impact_label=lambda v: _IMPACT.get(v, v),
        status_label=lambda v: str(v).replace("_", " ").capitalize(),
        component_label=lambda v: _COMPONENT.get(v, v),
    )
    return env


class Pages:
    """Renders templates with the page settings every template uses."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.env = environment()

    def html(self, name: str, **context: Any) -> bytes:
        """The page's bytes."""
        template = self.env.get_template(name)
        text = template.render(
            page_name=self.settings.page_name, logo_url=self.settings.page_logo_url, **context
        )
        return text.encode()

    def response(
        self,
        name: str,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> Response:
        """An HTML response with the security headers."""
        return html_response(self.html(name, **context), status_code, headers)

    def theme(self) -> str:
        """The settings' colours as CSS custom properties."""
        return f":root {{ --accent: {self.settings.page_accent}; }}\n"


def html_response(
    body: bytes, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """HTML bytes with the security headers."""
    return HTMLResponse(body, status_code, headers={**SECURITY_HEADERS, **(headers or {})})
