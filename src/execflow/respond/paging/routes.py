"""GET /ack/{token}: the acknowledge link in a page, answered with a small HTML page."""

from __future__ import annotations

import html

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from execflow.errors import Conflict
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.models import Person
from execflow.respond.incidents import actions
from execflow.respond.incidents.service import get_incident
from execflow.respond.paging import links
from execflow.web.deps import State

router = APIRouter(tags=["paging"])


def _page(title: str, message: str, status: int) -> HTMLResponse:
    body = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title></head><body style='font-family:sans-serif;"
        "max-width:40em;margin:3em auto'>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=status)


@router.get("/ack/{token}", response_class=HTMLResponse, include_in_schema=False)
def acknowledge(token: str, state: State) -> HTMLResponse:
    """Acknowledge the incident as the paged person, then say so."""
    now = state.clock.now()
    try:
        claim = links.verify(state.link_secret, token, now=now)
    except links.LinkError as exc:
        return _page("Link not valid", f"{exc}. Open the incident and acknowledge it there.", 410)
    with state.db.write() as session:
        person = session.get(Person, claim.person_id)
        incident = get_incident(session, claim.incident_id)
        name = person.name if person else claim.person_id
        try:
            actions.acknowledge(
                session, incident_id=incident.id, actor=Ref("person", claim.person_id), now=now
            )
        except Conflict:
            return _page(
                f"{incident.id} is already {incident.status}",
                f"{incident.title}: nothing more to do, {name}.",
                200,
            )
        title = incident.title
    return _page(
        "Acknowledged",
        f"{name} acknowledged {claim.incident_id}: {title}. The escalation has stopped.",
        200,
    )
