"""/api/v1/components, /api/v1/people and /api/v1/services."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from execflow.access.models import ApiToken
from execflow.access.roles import reveal
from execflow.access.service import token_ref
from execflow.records import get
from execflow.respond import references
from execflow.respond.catalog import service
from execflow.respond.catalog.models import Component, Person, Service
from execflow.respond.catalog.schemas import (
    ComponentCreate,
    ComponentRead,
    ComponentUpdate,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    ServiceCreate,
    ServiceRead,
    ServiceUpdate,
)
from execflow.web.deps import Admin, ListWindow, State, Viewer, link_next

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get("/components", response_model=list[ComponentRead])
def list_components(
    state: State, _token: Viewer, window: ListWindow, request: Request, response: Response
) -> list[ComponentRead]:
    """Components in display order."""
    with state.db.read() as session:
        page = service.list_components(session, window)
        link_next(request, response, page.next_cursor)
        return [service.component_read(session, c) for c in page.items]


@router.post("/components", status_code=201, response_model=ComponentRead)
def create_component(body: ComponentCreate, state: State, token: Admin) -> ComponentRead:
    """Add a component; its group is made on first use."""
    with state.writes.write() as session:
        component = service.create_component(
            session, data=body, actor=token_ref(token), now=state.clock.now()
        )
        return service.component_read(session, component)


@router.get("/components/{component_id}", response_model=ComponentRead)
def get_component(component_id: str, state: State, _token: Viewer) -> ComponentRead:
    """One component."""
    with state.db.read() as session:
        from_db = get(session, Component, component_id, "component")
        return service.component_read(session, from_db)


@router.patch("/components/{component_id}", response_model=ComponentRead)
def update_component(
    component_id: str, body: ComponentUpdate, state: State, token: Admin
) -> ComponentRead:
    """Change a component."""
    with state.writes.write() as session:
        component = service.update_component(
            session,
            component_id=component_id,
            data=body,
            actor=token_ref(token),
            now=state.clock.now(),
        )
        return service.component_read(session, component)


@router.delete("/components/{component_id}", status_code=204)
def delete_component(component_id: str, state: State, token: Admin) -> Response:
    """Remove a component that no service, window, open incident or monitor names."""
    with state.writes.write() as session:
        references.delete_component(
            session, component_id=component_id, actor=token_ref(token), now=state.clock.now()
        )
    return Response(status_code=204)


def _person(person: Person, token: ApiToken) -> PersonRead:
    read = PersonRead.model_validate(person, from_attributes=True)
    read.webhook_secret = reveal(person.webhook_secret, token.role)
    return read


@router.get("/people", response_model=list[PersonRead])
def list_people(
    state: State, token: Viewer, window: ListWindow, request: Request, response: Response
) -> list[PersonRead]:
    """People by name."""
    with state.db.read() as session:
        page = service.list_people(session, window)
        link_next(request, response, page.next_cursor)
        return [_person(p, token) for p in page.items]


@router.post("/people", status_code=201, response_model=PersonRead)
def create_person(body: PersonCreate, state: State, token: Admin) -> PersonRead:
    """Add a person."""
    with state.writes.write() as session:
        return _person(
            service.create_person(
                session, data=body, actor=token_ref(token), now=state.clock.now()
            ),
            token,
        )


@router.get("/people/{person_id}", response_model=PersonRead)
def get_person(person_id: str, state: State, token: Viewer) -> PersonRead:
    """One person."""
    with state.db.read() as session:
        return _person(get(session, Person, person_id, "person"), token)


@router.patch("/people/{person_id}", response_model=PersonRead)
def update_person(person_id: str, body: PersonUpdate, state: State, token: Admin) -> PersonRead:
    """Change a person."""
    with state.writes.write() as session:
        return _person(
            service.update_person(
                session,
                person_id=person_id,
                data=body,
                actor=token_ref(token),
                now=state.clock.now(),
            ),
            token,
        )


@router.post("/people/{person_id}/rotate-webhook-secret", response_model=PersonRead)
def rotate_webhook_secret(person_id: str, state: State, token: Admin) -> PersonRead:
    """A new secret for signing this person's webhook pages; the old one signs no more."""
    with state.writes.write() as session:
        return _person(
            service.rotate_webhook_secret(
                session, person_id=person_id, actor=token_ref(token), now=state.clock.now()
            ),
            token,
        )


@router.delete("/people/{person_id}", status_code=204)
def delete_person(person_id: str, state: State, token: Admin) -> Response:
    """Remove a person no schedule, policy or open incident names."""
    with state.writes.write() as session:
        references.delete_person(
            session, person_id=person_id, actor=token_ref(token), now=state.clock.now()
        )
    return Response(status_code=204)


def _service(row: Service, token: ApiToken) -> ServiceRead:
    read = ServiceRead.model_validate(row, from_attributes=True)
    read.integration_key = reveal(row.integration_key, token.role) or ""
    return read


@router.get("/services", response_model=list[ServiceRead])
def list_services(
    state: State, token: Viewer, window: ListWindow, request: Request, response: Response
) -> list[ServiceRead]:
    """Services by name; integration keys are masked except for admins."""
    with state.db.read() as session:
        page = service.list_services(session, window)
        link_next(request, response, page.next_cursor)
        return [_service(s, token) for s in page.items]


@router.post("/services", status_code=201, response_model=ServiceRead)
def create_service(body: ServiceCreate, state: State, token: Admin) -> ServiceRead:
    """Add a service; its integration key is generated."""
    with state.writes.write() as session:
        return _service(
            service.create_service(
                session, data=body, actor=token_ref(token), now=state.clock.now()
            ),
            token,
        )


@router.get("/services/{service_id}", response_model=ServiceRead)
def get_service(service_id: str, state: State, token: Viewer) -> ServiceRead:
    """One service."""
    with state.db.read() as session:
        return _service(get(session, Service, service_id, "service"), token)


@router.patch("/services/{service_id}", response_model=ServiceRead)
def update_service(service_id: str, body: ServiceUpdate, state: State, token: Admin) -> ServiceRead:
    """Change a service."""
    with state.writes.write() as session:
        return _service(
            service.update_service(
                session,
                service_id=service_id,
                data=body,
                actor=token_ref(token),
                now=state.clock.now(),
            ),
            token,
        )


@router.post("/services/{service_id}/rotate-key", response_model=ServiceRead)
def rotate_key(service_id: str, state: State, token: Admin) -> ServiceRead:
    """A new integration key; the old one is refused from now on."""
    with state.writes.write() as session:
        row = service.rotate_integration_key(
            session, service_id=service_id, actor=token_ref(token), now=state.clock.now()
        )
        read = _service(row, token)
    for forget in state.on_key_rotated:
        forget()
    return read


@router.delete("/services/{service_id}", status_code=204)
def delete_service(service_id: str, state: State, token: Admin) -> Response:
    """Remove a service."""
    with state.writes.write() as session:
        service.delete_service(
            session, service_id=service_id, actor=token_ref(token), now=state.clock.now()
        )
    return Response(status_code=204)
