"""What a responder does to an incident from the console: one function per verb, each the
same service call as the API's, with the signed-in person (or token) as the actor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from execflow.console.auth import field
from execflow.console.sessions import Principal
from execflow.errors import InvalidInput
from execflow.respond.incidents import actions
from execflow.respond.incidents.schemas import UpdateIn
from execflow.respond.severity import Severity
from execflow.tell.postmortems import service as postmortems
from execflow.tell.postmortems.schemas import PostmortemIn


@dataclass(frozen=True)
class Doing:
    """One action's inputs: the incident, the form, who, when."""

    session: Session
    incident_id: str
    form: Any
    me: Principal
    now: datetime


def _acknowledge(d: Doing) -> str:
    actions.acknowledge(d.session, incident_id=d.incident_id, actor=d.me.ref, now=d.now)
    return "Acknowledged."


def _resolve(d: Doing) -> str:
    actions.resolve(d.session, incident_id=d.incident_id, actor=d.me.ref, now=d.now)
    return "Resolved."


def _commander(d: Doing) -> str:
    taking = field(d.form, "take") and d.me.kind == "person"
    person = d.me.id if taking else field(d.form, "person_id")
    if not person:
        raise InvalidInput("choose who takes command")
    actions.set_commander(
        d.session, incident_id=d.incident_id, person_id=person, actor=d.me.ref, now=d.now
    )
    return "Commander named."


def _severity(d: Doing) -> str:
    chosen = field(d.form, "severity")
    if chosen not in {s.value for s in Severity}:
        raise InvalidInput("choose a severity P1 to P4")
    actions.set_severity(
        d.session, incident_id=d.incident_id, severity=Severity(chosen), actor=d.me.ref, now=d.now
    )
    return f"Severity is now {chosen}."


def _update(d: Doing) -> str:
    statuses = {
        key.removeprefix("component:"): value
        for key, value in d.form.items()
        if key.startswith("component:") and isinstance(value, str) and value
    }
    data = UpdateIn.model_validate(
        {
            "status": field(d.form, "status"),
            "body": field(d.form, "body"),
            "component_statuses": statuses,
        }
    )
    actions.add_update(d.session, incident_id=d.incident_id, data=data, actor=d.me.ref, now=d.now)
    return "Public update posted."


def _note(d: Doing) -> str:
    body = field(d.form, "body")
    if not body:
        raise InvalidInput("write the note first")
    actions.add_note(d.session, incident_id=d.incident_id, body=body, actor=d.me.ref, now=d.now)
    return "Note added."


def _lines(form: Any, name: str) -> list[str]:
    return [line.strip() for line in field(form, name).splitlines() if line.strip()]


def _postmortem(d: Doing) -> str:
    text = PostmortemIn.model_validate(
        {
            "summary": field(d.form, "summary"),
            "impact": field(d.form, "impact"),
            "root_cause": field(d.form, "root_cause"),
            "contributing_factors": _lines(d.form, "contributing_factors"),
            "action_items": [{"title": t} for t in _lines(d.form, "action_items")],
        }
    )
    postmortems.revise(d.session, incident_id=d.incident_id, data=text, actor=d.me.ref, now=d.now)
    return "Post-mortem saved (a new revision, logged)."


def _publish(d: Doing) -> str:
    postmortems.publish(d.session, incident_id=d.incident_id, actor=d.me.ref, now=d.now)
    return "Post-mortem published."


ACTIONS: dict[str, Callable[[Doing], str]] = {
    "acknowledge": _acknowledge,
    "resolve": _resolve,
    "commander": _commander,
    "severity": _severity,
    "update": _update,
    "note": _note,
    "postmortem": _postmortem,
    "publish": _publish,
}
"""The verbs of POST /incidents/{id}/{verb}, each the same service call as the API's."""
