"""Deleting what other Respond packages may still name: each delete asks them all first.

A component is named by services, maintenance windows not yet ended, open incidents and
(through a foreign key) monitors; a person by schedules, policies, and open incidents'
frozen policies and commanders; a schedule by policies and open incidents' frozen
policies. Anything still named is a 409 listing what names it; ended windows and resolved
incidents keep the ids they had, as history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from execflow.errors import Conflict
from execflow.prove.log.entry import Ref
from execflow.respond.catalog import people
from execflow.respond.catalog import service as catalog
from execflow.respond.escalation.service import policies_naming
from execflow.respond.incidents.service import open_incidents_naming
from execflow.respond.maintenance.service import windows_naming
from execflow.respond.oncall import service as oncall


def _refuse(what: str, users: list[str]) -> None:
    if users:
        raise Conflict(f"{what} is still referenced by {', '.join(users)}")


def delete_component(session: Session, *, component_id: str, actor: Ref, now: datetime) -> None:
    """Remove a component that no service, window, open incident or monitor names."""
    _refuse(
        f"component {component_id}",
        catalog.services_naming(session, component_id)
        + windows_naming(session, component_id, now)
        + open_incidents_naming(session, component_id=component_id),
    )
    catalog.delete_component(session, component_id=component_id, actor=actor, now=now)


def delete_person(session: Session, *, person_id: str, actor: Ref, now: datetime) -> None:
    """Remove a person that no schedule, policy or open incident names."""
    _refuse(
        f"person {person_id}",
        oncall.schedules_naming(session, person_id)
        + policies_naming(session, person_id=person_id)
        + open_incidents_naming(session, person_id=person_id),
    )
    people.delete_person(session, person_id=person_id, actor=actor, now=now)


def delete_schedule(session: Session, *, schedule_id: str, actor: Ref, now: datetime) -> None:
    """Remove a schedule that no policy or open incident names."""
    _refuse(
        f"schedule {schedule_id}",
        policies_naming(session, schedule_id=schedule_id)
        + open_incidents_naming(session, schedule_id=schedule_id),
    )
    oncall.delete_schedule(session, schedule_id=schedule_id, actor=actor, now=now)
