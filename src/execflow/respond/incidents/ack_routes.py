"""/ack/{token}: the acknowledge link in a page.

A `GET` only shows the incident and one "Acknowledge" button, so a mail scanner that
follows links (Outlook Safe Links and the like) acknowledges nothing; the button POSTs
to the same signed, single-purpose URL, which acknowledges as the paged person and
redirects (303) back to the page, now saying who acknowledged.
"""

from __future__ import annotations

import contextlib
import html
from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from execflow.errors import Conflict
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.models import Person
from execflow.respond.incidents import actions
from execflow.respond.incidents.lifecycle import Status
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.service import get_incident
from execflow.respond.paging import links
from execflow.web.deps import State
from execflow.web.state import AppState

router = APIRouter(tags=["paging"])
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def _page(
    title: str,
    paragraphs: list[str],
    status: int,
    *,
    form: str = "",
    detail: str = "",
    incident_id: str | None = None,
) -> HTMLResponse:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if incident_id is not None:
        where = html.escape(f"/incidents/{incident_id}", quote=True)
        body += f"<p><a href='{where}'>Open the incident in the console</a></p>"
    if detail:
        body += (
            "<pre style='white-space:pre-wrap;font:inherit;background:#f4f4f4;padding:.75em'>"
            f"{html.escape(detail[:2000])}</pre>"
        )
    document = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title></head><body style='font-family:sans-serif;"
        "max-width:40em;margin:3em auto;padding:0 1em'>"
        f"<main><h1>{html.escape(title)}</h1>{body}{form}</main></body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=_HEADERS)


def _claim(state: AppState, token: str, now: datetime) -> links.AckClaim | HTMLResponse:
    try:
        return links.verify(state.link_secret, token, now=now)
    except links.LinkError as exc:
        return _page("Link not valid", [f"{exc}. Open the incident and acknowledge it there."], 410)


def _facts(incident: Incident) -> list[str]:
    started = incident.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [f"{incident.severity} · {incident.status} · {incident.id}", f"Started {started}"]


@router.get("/ack/{token}", response_class=HTMLResponse, include_in_schema=False)
def show(token: str, state: State) -> HTMLResponse:
    """The incident and an "Acknowledge" button; a GET changes nothing."""
    claim = _claim(state, token, state.clock.now())
    if isinstance(claim, HTMLResponse):
        return claim
    with state.db.read() as session:
        incident = get_incident(session, claim.incident_id)
        person = session.get(Person, claim.person_id)
        name = person.name if person else claim.person_id
        if incident.status != Status.TRIGGERED:
            return _page(
                incident.status.capitalize(),
                [
                    f"{incident.title}: {incident.id} is {incident.status}.",
                    *_facts(incident),
                    f"Nothing more to do, {name}.",
                ],
                200,
                incident_id=incident.id,
            )
        form = (
            f"<form method=post action='/ack/{html.escape(token, quote=True)}'>"
            "<button type=submit style='font-size:1.2em;padding:.5em 1.5em'>Acknowledge</button>"
            "</form>"
        )
        return _page(
            incident.title,
            [*_facts(incident), f"You were paged, {name}. Acknowledging stops the escalation."],
            200,
            form=form,
            detail=incident.summary,
            incident_id=incident.id,
        )


@router.post("/ack/{token}", include_in_schema=False)
def acknowledge(token: str, state: State) -> Response:
    """Acknowledge as the paged person, then show the incident (a reload repeats nothing)."""
    now = state.clock.now()
    claim = _claim(state, token, now)
    if isinstance(claim, HTMLResponse):
        return claim
    # Already acknowledged or resolved: the page below says so.
    with state.writes.write() as session, contextlib.suppress(Conflict):
        actions.acknowledge(
            session, incident_id=claim.incident_id, actor=Ref("person", claim.person_id), now=now
        )
    return RedirectResponse(f"/ack/{token}", status_code=303)
