"""/api/v1/escalation-policies."""

from __future__ import annotations

from fastapi import APIRouter

from execflow.respond.escalation import service
from execflow.respond.escalation.models import EscalationPolicy
from execflow.respond.escalation.schemas import PolicyCreate, PolicyRead, PolicyUpdate
from execflow.web.resources import Resource, crud_router

POLICIES = Resource(
    path="/api/v1/escalation-policies",
    what="escalation policy",
    model=EscalationPolicy,
    create_body=PolicyCreate,
    update_body=PolicyUpdate,
    read_body=PolicyRead,
    listing=service.list_policies,
    create=service.create_policy,
    update=service.update_policy,
    delete=service.delete_policy,
    id_keyword="policy_id",
    shape=lambda _seen, row: PolicyRead.model_validate(row, from_attributes=True),
)
"""Running incidents keep their frozen copy of a policy: a PATCH changes only later ones."""

router: APIRouter = crud_router(POLICIES, tags=["escalation"])
