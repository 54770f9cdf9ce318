"""Components and services: create, read, change, delete; each change logged."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from execflow.ids import new_id
from execflow.keyset import Slice, Window, fetch
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref
from execflow.records import Change, Configured, apply_changes, get, log_change, remove, require_ids
from execflow.respond.catalog.models import Component, ComponentGroup, Service
from execflow.respond.catalog.schemas import (
    ComponentCreate,
    ComponentRead,
    ComponentUpdate,
    ServiceCreate,
    ServiceUpdate,
)

# Components ---------------------------------------------------------------------------


def _group_id(session: Session, name: str | None, now: datetime) -> str | None:
    if not name:
        return None
    group = session.execute(
        select(ComponentGroup).where(ComponentGroup.name == name)
    ).scalar_one_or_none()
    if group is None:
        group = ComponentGroup(id=new_id("grp"), name=name, created_at=now)
        session.add(group)
        session.flush()
    return group.id


def component_read(session: Session, component: Component) -> ComponentRead:
    """A component with its group's name."""
    group = session.get(ComponentGroup, component.group_id) if component.group_id else None
    return ComponentRead(
        id=component.id,
        name=component.name,
        group=group.name if group else None,
        group_id=component.group_id,
        description=component.description,
        status=component.status,
        position=component.position,
        created_at=component.created_at,
        updated_at=component.updated_at,
    )


def list_components(session: Session, window: Window) -> Slice[Component]:
    """Components in display order, a page at a time."""
    order = [Component.position, Component.name, Component.id]
    return fetch(session, select(Component), order, window)


def create_component(
    session: Session, *, data: ComponentCreate, actor: Ref, now: datetime
) -> Component:
    """Add a component (and its group on first use)."""
    component = Component(
        id=new_id("cmp"),
        name=data.name,
        description=data.description,
        status=data.status.value,
        group_id=_group_id(session, data.group, now),
        position=data.position,
        created_at=now,
        updated_at=now,
    )
    session.add(component)
    session.flush()
    log_change(
        session,
        kind=Configured.COMPONENT,
        verb=Change.CREATED,
        subject_id=component.id,
        actor=actor,
        now=now,
        data={"status": component.status},
    )
    return component


def update_component(
    session: Session, *, component_id: str, data: ComponentUpdate, actor: Ref, now: datetime
) -> Component:
    """Change a component's fields."""
    component: Component = get(session, Component, component_id, "component")
    changes = data.model_dump(exclude_unset=True)
    if "group" in changes:
        component.group_id = _group_id(session, changes.pop("group"), now)
    if changes.get("status") is not None:
        changes["status"] = str(changes["status"])
    for key, value in changes.items():
        if value is not None:
            setattr(component, key, value)
    component.updated_at = now
    log_change(
        session,
        kind=Configured.COMPONENT,
        verb=Change.UPDATED,
        subject_id=component.id,
        actor=actor,
        now=now,
        data={"fields": sorted(data.model_fields_set)},
    )
    return component


def set_component_status(
    session: Session, *, component_id: str, status: str, actor: Ref, now: datetime, reason: Ref
) -> tuple[str, str]:
    """Set a component's status; returns (old, new). Logged with what caused it."""
    component: Component = get(session, Component, component_id, "component")
    old = component.status
    if old != status:
        component.status, component.updated_at = status, now
        append(
            session,
            type="component.status_changed",
            at=now,
            actor=actor,
            subject=Ref("component", component_id),
            data={"from": old, "to": status, "cause": reason.as_json()},
        )
    return old, status


def services_naming(session: Session, component_id: str) -> list[str]:
    """Ids of services that list the component."""
    services = session.execute(select(Service).order_by(Service.id)).scalars()
    return [s.id for s in services if component_id in s.component_ids]


def delete_component(session: Session, *, component_id: str, actor: Ref, now: datetime) -> None:
    """Remove a component (`references.delete_component` first asks what names it)."""
    component = get(session, Component, component_id, "component")
    remove(session, component, f"component {component_id}")
    log_change(
        session,
        kind=Configured.COMPONENT,
        verb=Change.DELETED,
        subject_id=component_id,
        actor=actor,
        now=now,
    )


# Services -----------------------------------------------------------------------------


# The policies' table by name: escalation sits above the catalog and imports it, not back.
_POLICIES = table("escalation_policies", column("id"))


def _check_service_refs(session: Session, policy_id: str | None, component_ids: list[str]) -> None:
    if policy_id is not None:
        require_ids(session, _POLICIES, [policy_id], "escalation_policy_id")
    require_ids(session, Component, component_ids, "component_ids")


def list_services(session: Session, window: Window) -> Slice[Service]:
    """Services by name, a page at a time."""
    return fetch(session, select(Service), [Service.name, Service.id], window)


def create_service(session: Session, *, data: ServiceCreate, actor: Ref, now: datetime) -> Service:
    """Add a service with a fresh 32-character integration key."""
    _check_service_refs(session, data.escalation_policy_id, data.component_ids)
    service = Service(
        id=new_id("svc"),
        name=data.name,
        escalation_policy_id=data.escalation_policy_id,
        component_ids=list(dict.fromkeys(data.component_ids)),
        integration_key=secrets.token_hex(16),
        default_severity=data.default_severity.value,
        created_at=now,
    )
    session.add(service)
    session.flush()
    log_change(
        session,
        kind=Configured.SERVICE,
        verb=Change.CREATED,
        subject_id=service.id,
        actor=actor,
        now=now,
    )
    return service


def update_service(
    session: Session, *, service_id: str, data: ServiceUpdate, actor: Ref, now: datetime
) -> Service:
    """Change a service's fields."""
    service: Service = get(session, Service, service_id, "service")
    _check_service_refs(session, data.escalation_policy_id, data.component_ids or [])
    fields = apply_changes(service, data, clearable=frozenset({"escalation_policy_id"}))
    log_change(
        session,
        kind=Configured.SERVICE,
        verb=Change.UPDATED,
        subject_id=service.id,
        actor=actor,
        now=now,
        data={"fields": fields},
    )
    return service


def delete_service(session: Session, *, service_id: str, actor: Ref, now: datetime) -> None:
    """Remove a service."""
    remove(session, get(session, Service, service_id, "service"), f"service {service_id}")
    log_change(
        session,
        kind=Configured.SERVICE,
        verb=Change.DELETED,
        subject_id=service_id,
        actor=actor,
        now=now,
    )


def rotate_integration_key(
    session: Session, *, service_id: str, actor: Ref, now: datetime
) -> Service:
    """Give the service a new integration key; the old one is refused from now on."""
    service: Service = get(session, Service, service_id, "service")
    service.integration_key = secrets.token_hex(16)
    log_change(
        session,
        kind=Configured.SERVICE,
        verb=Change.KEY_ROTATED,
        subject_id=service.id,
        actor=actor,
        now=now,
    )
    return service


def service_by_key(session: Session, key: str) -> Service | None:
    """The service an integration key belongs to."""
    return session.execute(
        select(Service).where(Service.integration_key == key)
    ).scalar_one_or_none()
