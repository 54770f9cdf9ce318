"""/api/v1/components, /api/v1/people and /api/v1/services, and their rotation verbs."""

from __future__ import annotations

from fastapi import APIRouter

from execflow.access.models import ApiToken
from execflow.access.roles import reveal
from execflow.access.service import token_ref
from execflow.respond import references
from execflow.respond.catalog import people, service
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
from execflow.web.deps import Admin, State
from execflow.web.resources import Resource, crud_router


def _person(person: Person, token: ApiToken) -> PersonRead:
    read = PersonRead.model_validate(person, from_attributes=True)
    read.webhook_secret = reveal(person.webhook_secret, token.role)
    return read


def _service(row: Service, token: ApiToken) -> ServiceRead:
    read = ServiceRead.model_validate(row, from_attributes=True)
    read.integration_key = reveal(row.integration_key, token.role) or ""
    return read


COMPONENTS = Resource(
    path="/api/v1/components",
    what="component",
    model=Component,
    create_body=ComponentCreate,
    update_body=ComponentUpdate,
    read_body=ComponentRead,
    listing=service.list_components,
    create=service.create_component,
    update=service.update_component,
    delete=references.delete_component,
    id_keyword="component_id",
    shape=lambda seen, row: service.component_read(seen.session, row),
)
PEOPLE = Resource(
    path="/api/v1/people",
    what="person",
    model=Person,
    create_body=PersonCreate,
    update_body=PersonUpdate,
    read_body=PersonRead,
    listing=people.list_people,
    create=people.create_person,
    update=people.update_person,
    delete=references.delete_person,
    id_keyword="person_id",
    shape=lambda seen, row: _person(row, seen.token),
)
SERVICES = Resource(
    path="/api/v1/services",
    what="service",
    model=Service,
    create_body=ServiceCreate,
    update_body=ServiceUpdate,
    read_body=ServiceRead,
    listing=service.list_services,
    create=service.create_service,
    update=service.update_service,
    delete=service.delete_service,
    id_keyword="service_id",
    shape=lambda seen, row: _service(row, seen.token),
)

router = APIRouter(tags=["catalog"])
for _resource in (COMPONENTS, PEOPLE, SERVICES):
    router.include_router(crud_router(_resource, tags=["catalog"]))


@router.post("/api/v1/people/{person_id}/rotate-webhook-secret", response_model=PersonRead)
def rotate_webhook_secret(person_id: str, state: State, token: Admin) -> PersonRead:
    """A new secret for signing this person's webhook pages; the old one signs no more."""
    with state.writes.write() as session:
        return _person(
            people.rotate_webhook_secret(
                session, person_id=person_id, actor=token_ref(token), now=state.clock.now()
            ),
            token,
        )


@router.post("/api/v1/services/{service_id}/rotate-key", response_model=ServiceRead)
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
