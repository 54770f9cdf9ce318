"""What applying a batch of signals has read so far, so each alert and incident is read once."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.detect.ingest.models import Alert
from execflow.respond.incidents.lifecycle import Status, is_open
from execflow.respond.incidents.models import Incident


@dataclass
class Seen:
    """Alerts and incidents read in this transaction, held so each is read once.

    A repeat of a firing alert (most of a noisy burst) needs only its incident's status,
    which comes with the alert in one joined read; the whole incident is loaded only when
    something is written to it. Keys found missing are remembered too, so a storm of new
    alerts costs two reads in all, not two per alert. The session's identity map holds
    unchanged rows only weakly, so the loaded incidents are held here too.
    """

    alerts: dict[tuple[str, str], Alert] = field(default_factory=dict)
    looked_up: set[tuple[str, str]] = field(default_factory=set)
    statuses: dict[str, str] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)
    groups: dict[tuple[str, str], Incident | None] = field(default_factory=dict)

    def read_alerts(self, session: Session, keys: set[tuple[str, str]]) -> None:
        """Read the alerts with these (service id, dedup key) pairs and their incidents' status."""
        wanted = keys - self.looked_up
        if not wanted:
            return
        self.looked_up |= wanted
        # Two plain IN lists (a superset, filtered below) keep the statement cacheable.
        rows = session.execute(
            select(Alert, Incident.status)
            .outerjoin(Incident, Incident.id == Alert.incident_id)
            .where(
                Alert.service_id.in_({service_id for service_id, _ in wanted}),
                Alert.dedup_key.in_({dedup_key for _, dedup_key in wanted}),
            )
        )
        for alert, status in rows:
            if (alert.service_id, alert.dedup_key) not in wanted:
                continue
            self.alerts[alert.service_id, alert.dedup_key] = alert
            if alert.incident_id is not None and status is not None:
                self.statuses.setdefault(alert.incident_id, status)

    def read_groups(self, session: Session, keys: set[tuple[str, str]]) -> None:
        """Read the open incidents of these (service id, group key) pairs; the newest counts."""
        wanted = keys - self.groups.keys()
        if not wanted:
            return
        self.groups.update(dict.fromkeys(wanted))
        rows = session.execute(
            select(Incident)
            .where(
                Incident.service_id.in_({service_id for service_id, _ in wanted}),
                Incident.dedup_key.in_({group_key for _, group_key in wanted}),
                Incident.status != Status.RESOLVED,
            )
            .order_by(Incident.created_at, Incident.id)
        ).scalars()
        for incident in rows:
            key = (incident.service_id or "", incident.dedup_key or "")
            if key in wanted:
                self.groups[key] = self.incidents[incident.id] = incident

    def open_in_group(self, session: Session, service_id: str, group_key: str) -> Incident | None:
        """The group's open incident, as this transaction sees it."""
        self.read_groups(session, {(service_id, group_key)})
        incident = self.groups[service_id, group_key]
        return incident if incident is not None and is_open(incident.status) else None

    def joins_open(self, key: tuple[str, str]) -> bool:
        """Whether this alert, as read, belongs to an incident that is not resolved."""
        alert = self.alerts.get(key)
        status = self.statuses.get(alert.incident_id or "") if alert is not None else None
        return status is not None and is_open(status)

    def is_open(self, session: Session, incident_id: str) -> bool:
        """Whether the incident is not resolved (as this transaction sees it)."""
        if incident_id in self.incidents or incident_id not in self.statuses:
            incident = self.incident(session, incident_id)
            return incident is not None and is_open(incident.status)
        return is_open(self.statuses[incident_id])

    def incident(self, session: Session, incident_id: str | None) -> Incident | None:
        """The whole incident, read once; from then on its status is the one that counts."""
        if incident_id is None:
            return None
        incident = self.incidents.get(incident_id) or session.get(Incident, incident_id)
        if incident is not None:
            self.incidents[incident_id] = incident
        return incident
