"""The Atlassian Statuspage public API v2 shapes, built from our rows.

A pure module: rows in, JSON-ready dicts out, with the exact field names and enumerations
of Statuspage v2 so existing widgets and readers work unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from execflow.clock import rfc3339
from execflow.respond.catalog.models import Component, ComponentGroup
from execflow.respond.incidents.models import Incident, IncidentUpdate
from execflow.respond.maintenance.models import Maintenance

IMPACT = {"P1": "critical", "P2": "major", "P3": "minor", "P4": "none"}
PUBLIC_SEVERITIES = ("P1", "P2", "P3")
"""P4 is nothing public (the severity policy)."""
_RANK = {
    "operational": 0,
    "under_maintenance": 1,
    "degraded_performance": 2,
    "partial_outage": 3,
    "major_outage": 4,
}
INDICATOR_TEXT = {
    "none": "All Systems Operational",
    "minor": "Partially Degraded Service",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
    "maintenance": "Service Under Maintenance",
}
_INDICATOR_RANK = {"none": 0, "minor": 2, "major": 3, "critical": 4}


def page_id(base_url: str) -> str:
    """A stable page id derived from the public address."""
    return hashlib.sha256(base_url.encode()).hexdigest()[:12]


def _at(moment: datetime | None) -> str | None:
    return rfc3339(moment) if moment is not None else None


def page(*, pid: str, name: str, url: str, updated_at: datetime) -> dict[str, Any]:
    """The `page` object."""
    return {
        "id": pid,
        "name": name,
        "url": url,
        "time_zone": "Etc/UTC",
        "updated_at": _at(updated_at),
    }


def worst(statuses: Iterable[str]) -> str:
    """The worst of some component statuses (operational if none)."""
    return max(statuses, key=lambda s: _RANK.get(s, 0), default="operational")


def component(c: Component, status: str, pid: str) -> dict[str, Any]:
    """A component (status as shown now: maintenance applied)."""
    return {
        "id": c.id,
        "name": c.name,
        "status": status,
        "created_at": _at(c.created_at),
        "updated_at": _at(c.updated_at),
        "position": c.position,
        "description": c.description or None,
        "showcase": True,
        "start_date": c.created_at.date().isoformat(),
        "group_id": c.group_id,
        "page_id": pid,
        "group": False,
        "only_show_if_degraded": False,
    }


def group(g: ComponentGroup, members: Sequence[dict[str, Any]], pid: str) -> dict[str, Any]:
    """A group: a component with `group: true` and the ids of its components."""
    return {
        "id": g.id,
        "name": g.name,
        "status": worst(m["status"] for m in members),
        "created_at": _at(g.created_at),
        "updated_at": max((m["updated_at"] for m in members), default=_at(g.created_at)),
        "position": g.position,
        "description": None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": pid,
        "group": True,
        "only_show_if_degraded": False,
        "components": [m["id"] for m in members],
    }


def incident_status(incident: Incident, updates: Sequence[IncidentUpdate], published: bool) -> str:
    """investigating, identified, monitoring, resolved or postmortem."""
    if incident.resolved_at is not None:
        return "postmortem" if published else "resolved"
    return updates[0].status if updates else "investigating"


def update(u: IncidentUpdate) -> dict[str, Any]:
    """An incident update."""
    return {
        "id": u.id,
        "status": u.status,
        "body": u.body,
        "incident_id": u.incident_id,
        "created_at": _at(u.created_at),
        "updated_at": _at(u.created_at),
        "display_at": _at(u.created_at),
        "affected_components": [
            {
                "code": a["code"],
                "name": a["name"],
                "old_status": a["old_status"],
                "new_status": a["new_status"],
            }
            for a in u.affected_components
        ],
        "deliver_notifications": True,
    }


def incident(
    i: Incident,
    updates: Sequence[IncidentUpdate],
    components: Sequence[dict[str, Any]],
    *,
    pid: str,
    shortlink: str,
    published: bool,
) -> dict[str, Any]:
    """An incident, its updates newest first."""
    monitoring = [u.created_at for u in updates if u.status == "monitoring"]
    latest = max([i.updated_at, *(u.created_at for u in updates)])
    return {
        "id": i.id,
        "name": i.title,
        "status": incident_status(i, updates, published),
        "impact": IMPACT[i.severity],
        "created_at": _at(i.created_at),
        "updated_at": _at(latest),
        "monitoring_at": _at(min(monitoring)) if monitoring else None,
        "resolved_at": _at(i.resolved_at),
        "started_at": _at(i.created_at),
        "shortlink": shortlink,
        "page_id": pid,
        "components": list(components),
        "incident_updates": [update(u) for u in updates],
    }


def maintenance(
    m: Maintenance, status: str, components: Sequence[dict[str, Any]], *, pid: str, shortlink: str
) -> dict[str, Any]:
    """A scheduled maintenance: incident fields plus scheduled_for and scheduled_until."""
    body: dict[str, Any] = {
        "id": f"{m.id}-note",
        "status": status,
        "body": m.body or m.title,
        "incident_id": m.id,
        "created_at": _at(m.created_at),
        "updated_at": _at(m.updated_at),
        "display_at": _at(m.created_at),
        "affected_components": [],
        "deliver_notifications": True,
    }
    return {
        "id": m.id,
        "name": m.title,
        "status": status,
        "impact": "maintenance",
        "created_at": _at(m.created_at),
        "updated_at": _at(m.updated_at),
        "monitoring_at": None,
        "resolved_at": _at(m.ends_at) if status == "completed" else None,
        "started_at": _at(m.starts_at),
        "shortlink": shortlink,
        "page_id": pid,
        "components": list(components),
        "incident_updates": [body],
        "scheduled_for": _at(m.starts_at),
        "scheduled_until": _at(m.ends_at),
    }


def overall(
    components: Iterable[dict[str, Any]], unresolved: Iterable[dict[str, Any]]
) -> dict[str, str]:
    """The `status` object: the worst of the components and the unresolved incidents.

    The indicator is one of none, minor, major, critical; a page whose only trouble is
    maintenance says "none" with the description "Service Under Maintenance".
    """
    found, maintenance = "none", False
    for c in components:
        maintenance = maintenance or c["status"] == "under_maintenance"
        found = max(found, _LEVEL.get(c["status"], "none"), key=_INDICATOR_RANK.__getitem__)
    for i in unresolved:
        found = max(found, i["impact"], key=lambda v: _INDICATOR_RANK.get(v, 0))
    text = INDICATOR_TEXT["maintenance" if found == "none" and maintenance else found]
    return {"indicator": found, "description": text}


_LEVEL = {
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
