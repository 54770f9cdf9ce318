"""/api/v1/escalation-policies."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from execflow.access.service import token_ref
from execflow.records import get
from execflow.respond.escalation import service
from execflow.respond.escalation.models import EscalationPolicy
from execflow.respond.escalation.schemas import PolicyCreate, PolicyRead, PolicyUpdate
from execflow.web.deps import Admin, ListWindow, State, Viewer, link_next

router = APIRouter(prefix="/api/v1/escalation-policies", tags=["escalation"])


def _read(policy: EscalationPolicy) -> PolicyRead:
    return PolicyRead.model_validate(policy, from_attributes=True)


@router.get("", response_model=list[PolicyRead])
def list_policies(
    state: State, _token: Viewer, window: ListWindow, request: Request, response: Response
) -> list[PolicyRead]:
    """Policies by name."""
    with state.db.read() as session:
        page = service.list_policies(session, window)
        link_next(request, response, page.next_cursor)
        return [_read(p) for p in page.items]


@router.post("", status_code=201, response_model=PolicyRead)
def create_policy(body: PolicyCreate, state: State, token: Admin) -> PolicyRead:
    """Add a policy."""
    with state.writes.write() as session:
        return _read(
            service.create_policy(session, data=body, actor=token_ref(token), now=state.clock.now())
        )


@router.get("/{policy_id}", response_model=PolicyRead)
def get_policy(policy_id: str, state: State, _token: Viewer) -> PolicyRead:
    """One policy."""
    with state.db.read() as session:
        return _read(get(session, EscalationPolicy, policy_id, "escalation policy"))


@router.patch("/{policy_id}", response_model=PolicyRead)
def update_policy(policy_id: str, body: PolicyUpdate, state: State, token: Admin) -> PolicyRead:
    """Change a policy (running incidents keep their frozen copy)."""
    with state.writes.write() as session:
        return _read(
            service.update_policy(
                session,
                policy_id=policy_id,
                data=body,
                actor=token_ref(token),
                now=state.clock.now(),
            )
        )


@router.delete("/{policy_id}", status_code=204)
def delete_policy(policy_id: str, state: State, token: Admin) -> Response:
    """Remove a policy no service uses."""
    with state.writes.write() as session:
        service.delete_policy(
            session, policy_id=policy_id, actor=token_ref(token), now=state.clock.now()
        )
    return Response(status_code=204)
