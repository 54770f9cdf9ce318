"""/api/v1/components, /api/v1/people and /api/v1/services."""

from __future__ import annotations

from fastapi import APIRouter, Response

from execflow.access.service import token_ref
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
from execflow.respond.escalation.service import policies_naming
from execflow.respond.oncall.service import schedules_naming
from execflow.respond.records import get
from execflow.web.deps import Admin, State, Viewer

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get("/components", response_model=list[ComponentRead])
def list_components(state: State, _token: Viewer) -> list[ComponentRead]:
    """Every component."""
    with state.db.read() as session:
        return [service.component_read(session, c) for c in service.list_components(session)]


@router.post("/components", status_code=201, response_model=ComponentRead)
def create_component(body: ComponentCreate, state: State, token: Admin) -> ComponentRead:
    """Add a component; its group is made on first use."""
    with state.db.write() as session:
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
    with state.db.write() as session:
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
    """Remove a component."""
    with state.db.write() as session:
        service.delete_component(
            session, component_id=component_id, actor=token_ref(token), now=state.clock.now()
        )
    return Response(status_code=204)


def _person(person: Person) -> PersonRead:
    return PersonRead.model_validate(person, from_attributes=True)


@router.get("/people", response_model=list[PersonRead])
def list_people(state: State, _token: Viewer) -> list[PersonRead]:
    """Everyone."""
    with state.db.read() as session:
        return [_person(p) for p in service.list_people(session)]


@router.post("/people", status_code=201, response_model=PersonRead)
def create_person(body: PersonCreate, state: State, token: Admin) -> PersonRead:
    """Add a person."""
    with state.db.write() as session:
        return _person(
            service.create_person(session, data=body, actor=token_ref(token), now=state.clock.now())
        )


@router.get("/people/{person_id}", response_model=PersonRead)
def get_person(person_id: str, state: State, _token: Viewer) -> PersonRead:
    """One person."""
    with state.db.read() as session:
        return _person(get(session, Person, person_id, "person"))


@router.patch("/people/{person_id}", response_model=PersonRead)
def update_person(person_id: str, body: PersonUpdate, state: State, token: Admin) -> PersonRead:
    """Change a person."""
    with state.db.write() as session:
        return _person(
            service.update_person(
                session,
                person_id=person_id,
                data=body,
                actor=token_ref(token),
                now=state.clock.now(),
            )
        )


@router.delete("/people/{person_id}", status_code=204)
def delete_person(person_id: str, state: State, token: Admin) -> Response:
    """Remove a person no schedule or policy names."""
    with state.db.write() as session:
        users = schedules_naming(session, person_id) + policies_naming(session, person_id=person_id)
        service.delete_person(
            session,
            person_id=person_id,
            actor=token_ref(token),
            now=state.clock.now(),
            in_use=users,
        )
    return Response(status_code=204)


def _service(row: Service) -> ServiceRead:
    return ServiceRead.model_validate(row, from_attributes=True)


@router.get("/services", response_model=list[ServiceRead])
def list_services(state: State, _token: Viewer) -> list[ServiceRead]:
    """Every service."""
    with state.db.read() as session:
        return [_service(s) for s in service.list_services(session)]


@router.post("/services", status_code=201, response_model=ServiceRead)
def create_service(body: ServiceCreate, state: State, token: Admin) -> ServiceRead:
    """Add a service; its integration key is generated."""
    with state.db.write() as session:
        return _service(
            service.create_service(
                session, data=body, actor=token_ref(token), now=state.clock.now()
            )
        )


@router.get("/services/{service_id}", response_model=ServiceRead)
def get_service(service_id: str, state: State, _token: Viewer) -> ServiceRead:
    """One service."""
    with state.db.read() as session:
        return _service(get(session, Service, service_id, "service"))


@router.patch("/services/{service_id}", response_model=ServiceRead)
def update_service(service_id: str, body: ServiceUpdate, state: State, token: Admin) -> ServiceRead:
    """Change a service."""
    with state.db.write() as session:
        return _service(
            service.update_service(
                session,
                service_id=service_id,
                data=body,
                actor=token_ref(token),
                now=state.clock.now(),
            )
        )


@router.delete("/services/{service_id}", status_code=204)
def delete_service(service_id: str, state: State, token: Admin) -> Response:
    """Remove a service."""
    with state.db.write() as session:
        service.delete_service(
            session, service_id=service_id, actor=token_ref(token), now=state.clock.now()
        )
    return Response(status_code=204)
