"""/api/v1/customers: admins manage them; contacts are shown to responders and admins."""

from __future__ import annotations

from fastapi import APIRouter

from execflow.access.roles import Role
from execflow.tell.customers import service
from execflow.tell.customers.models import Customer
from execflow.tell.customers.schemas import CustomerCreate, CustomerRead, CustomerUpdate
from execflow.web.resources import Resource, crud_router

CUSTOMERS = Resource(
    path="/api/v1/customers",
    what="customer",
    model=Customer,
    create_body=CustomerCreate,
    update_body=CustomerUpdate,
    read_body=CustomerRead,
    listing=service.list_customers,
    create=service.create,
    update=service.update,
    delete=service.delete,
    id_keyword="customer_id",
    shape=lambda seen, row: service.read(
        row, with_contacts=Role(seen.token.role).allows(Role.RESPONDER)
    ),
)
"""Viewers see how many contacts a customer has, never the addresses."""

router: APIRouter = crud_router(CUSTOMERS, tags=["customers"])
