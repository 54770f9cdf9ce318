"""One read of everything the status page shows, shared by the HTML, the JSON and the feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.config import Settings
from execflow.respond.catalog.models import Component, ComponentGroup
from execflow.respond.incidents.models import Incident, IncidentUpdate
from execflow.respond.maintenance.models import Maintenance
from execflow.respond.maintenance.service import IN_PROGRESS, status_at
from execflow.tell.postmortems.models import Postmortem
from execflow.tell.statuspage import shapes
from execflow.tell.statuspage.uptime import Uptime, uptime_by_component

RECENT = 50
"""incidents.json and scheduled-maintenances.json list the 50 most recent."""


@dataclass(frozen=True)
class Section:
    """A group of components on the page (name None: components in no group)."""

    name: str | None
    status: str
    components: list[dict[str, Any]]


@dataclass(frozen=True)
class StatusView:
    """The status page's content at one moment, in Statuspage v2 shapes."""

    page: dict[str, Any]
    status: dict[str, str]
    components: list[dict[str, Any]]
    """Components and groups, as components.json lists them."""
    sections: list[Section]
    incidents: list[dict[str, Any]]
    """The 50 most recent public incidents, newest first."""
    unresolved: list[dict[str, Any]]
    maintenances: list[dict[str, Any]]
    """The 50 most recent windows by start, latest first."""
    uptime: dict[str, Uptime]
    postmortems: frozenset[str]
    """Incidents whose post-mortem is published."""
    generated_at: datetime

    @property
    def upcoming(self) -> list[dict[str, Any]]:
        """Maintenance not yet started, soonest first."""
        found = [m for m in self.maintenances if m["status"] == "scheduled"]
        return sorted(found, key=lambda m: m["scheduled_for"])

    @property
    def active(self) -> list[dict[str, Any]]:
        """Maintenance in progress."""
        return [m for m in self.maintenances if m["status"] == IN_PROGRESS]

    @property
    def history(self) -> list[dict[str, Any]]:
        """Resolved incidents, newest first."""
        return [i for i in self.incidents if i["resolved_at"] is not None]


def read_view(session: Session, settings: Settings, now: datetime) -> StatusView:
    """Read the whole page in one transaction."""
    base = settings.base_url.rstrip("/")
    pid = shapes.page_id(base)
    shown = settings.shown_components
    rows = session.execute(select(Component).order_by(Component.position, Component.name))
    components = [c for c in rows.scalars() if not shown or c.id in shown]
    windows = list(
        session.execute(
            select(Maintenance).order_by(Maintenance.starts_at.desc()).limit(RECENT)
        ).scalars()
    )
    held = {cid for w in windows if status_at(w, now) == IN_PROGRESS for cid in w.component_ids}
    by_id = {c.id: shapes.component(c, _shown_status(c, held), pid) for c in components}
    groups = {g.id: g for g in session.execute(select(ComponentGroup)).scalars()}
    sections, listed = _sections(components, by_id, groups, pid)
    incidents = _incidents(session)
    published = frozenset(
        session.execute(
            select(Postmortem.incident_id).where(Postmortem.published_at.is_not(None))
        ).scalars()
    )
    incident_views = [
        shapes.incident(
            i,
            updates,
            [by_id[c] for c in i.component_ids if c in by_id],
            pid=pid,
            shortlink=f"{base}/status.html#{i.id}",
            published=i.id in published,
        )
        for i, updates in incidents
    ]
    unresolved = [v for v in incident_views if v["resolved_at"] is None]
    maintenances = [
        shapes.maintenance(
            w,
            status_at(w, now),
            [by_id[c] for c in w.component_ids if c in by_id],
            pid=pid,
            shortlink=f"{base}/status.html#{w.id}",
        )
        for w in windows
    ]
    changed = [now] if not components else [c.updated_at for c in components]
    return StatusView(
        page=shapes.page(pid=pid, name=settings.page_name, url=base, updated_at=max(changed)),
        status=shapes.overall(by_id.values(), unresolved),
        components=listed,
        sections=sections,
        incidents=incident_views,
        unresolved=unresolved,
        maintenances=maintenances,
        uptime=uptime_by_component(session, by_id, now),
        postmortems=published,
        generated_at=now,
    )


def _shown_status(component: Component, held: set[str]) -> str:
    if component.id in held and component.status == "operational":
        return "under_maintenance"
    return component.status


def _sections(
    components: list[Component],
    by_id: dict[str, dict[str, Any]],
    groups: dict[str, ComponentGroup],
    pid: str,
) -> tuple[list[Section], list[dict[str, Any]]]:
    """Page sections in order, and components.json's list (groups included)."""
    members: dict[str | None, list[dict[str, Any]]] = {}
    for c in components:
        members.setdefault(c.group_id, []).append(by_id[c.id])
    sections: list[Section] = []
    listed: list[dict[str, Any]] = []
    for group_id, items in members.items():
        if group_id is None or group_id not in groups:
            sections.append(Section(None, shapes.worst(i["status"] for i in items), items))
            listed.extend(items)
            continue
        shaped = shapes.group(groups[group_id], items, pid)
        sections.append(Section(groups[group_id].name, shaped["status"], items))
        listed.extend([shaped, *items])
    sections.sort(key=lambda s: (s.name is not None, s.name or ""))
    return sections, listed


def _incidents(session: Session) -> list[tuple[Incident, list[IncidentUpdate]]]:
    """The 50 most recent public incidents with their updates, newest first."""
    query = (
        select(Incident)
        .where(Incident.severity.in_(shapes.PUBLIC_SEVERITIES))
        .order_by(Incident.created_at.desc(), Incident.id.desc())
        .limit(RECENT)
    )
    incidents = list(session.execute(query).scalars())
    updates: dict[str, list[IncidentUpdate]] = {i.id: [] for i in incidents}
    if incidents:
        found = session.execute(
            select(IncidentUpdate)
            .where(IncidentUpdate.incident_id.in_(list(updates)))
            .order_by(IncidentUpdate.created_at.desc(), IncidentUpdate.id.desc())
        ).scalars()
        for u in found:
            updates[u.incident_id].append(u)
    return [(i, updates[i.id]) for i in incidents]
