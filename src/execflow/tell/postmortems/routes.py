"""/api/v1/incidents/{id}/postmortem (GET, PUT, POST .../publish) and /postmortems/{id}."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from execflow.access.service import token_ref
from execflow.errors import NotFound
from execflow.respond.incidents.service import get_incident
from execflow.tell.postmortems import service
from execflow.tell.postmortems.schemas import PostmortemIn, PostmortemRead
from execflow.web.deps import Now, Responder, State, Viewer
from execflow.web.pages import Pages

api = APIRouter(prefix="/api/v1/incidents", tags=["postmortems"])
public = APIRouter(tags=["postmortems"])


@api.get("/{incident_id}/postmortem", response_model=PostmortemRead)
def get_postmortem(incident_id: str, state: State, _token: Viewer) -> PostmortemRead:
    """The post-mortem: the latest revision (an empty draft if none yet) and the timeline."""
    with state.db.read() as session:
        return service.read(session, incident_id)


@api.put("/{incident_id}/postmortem", response_model=PostmortemRead)
def put_postmortem(
    incident_id: str, body: PostmortemIn, state: State, token: Responder, now: Now
) -> PostmortemRead:
    """Save a new revision (hashed and logged)."""
    with state.writes.write() as session:
        service.revise(session, incident_id=incident_id, data=body, actor=token_ref(token), now=now)
        return service.read(session, incident_id)


@api.post("/{incident_id}/postmortem/publish", response_model=PostmortemRead)
def publish_postmortem(
    incident_id: str, state: State, token: Responder, now: Now
) -> PostmortemRead:
    """Publish the latest revision at /postmortems/{incident_id}."""
    with state.writes.write() as session:
        service.publish(session, incident_id=incident_id, actor=token_ref(token), now=now)
        return service.read(session, incident_id)


@public.get("/postmortems/{incident_id}", include_in_schema=False)
def postmortem_page(incident_id: str, request: Request, state: State) -> Response:
    """The published post-mortem, with the hash and log entry that prove its text."""
    pages: Pages = request.app.state.pages
    try:
        with state.db.read() as session:
            postmortem = service.read(session, incident_id, published_only=True)
            incident = get_incident(session, incident_id)
    except NotFound:
        return pages.response(
            "message.html",
            404,
            heading="No post-mortem here",
            text="There is no published post-mortem at this address (yet).",
        )
    return pages.response(
        "postmortem.html",
        pm=postmortem,
        incident=incident,
        vkey=state.signer.verifier.vkey(),
        public_log=state.settings.public_log,
        headers={"Cache-Control": "public, max-age=60"},
    )
