"""/services (services, integrations with ready-to-paste snippets, escalation policies) and
/admin (people and their console roles, tokens, customers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from execflow.access.models import ApiToken
from execflow.access.roles import Role, reveal
from execflow.access.service import create_token, revoke_token
from execflow.console.auth import Signed, checked, field, require_role
from execflow.console.sessions import Principal
from execflow.console.view import render
from execflow.errors import ExecFlowError, InvalidInput
from execflow.respond.catalog import people
from execflow.respond.catalog.models import Component, Person, Service
from execflow.respond.catalog.schemas import PersonCreate, PersonUpdate
from execflow.respond.escalation.models import EscalationPolicy
from execflow.respond.escalation.schemas import PolicyUpdate
from execflow.respond.escalation.service import update_policy
from execflow.tell.customers import service as customers
from execflow.tell.customers.models import Customer
from execflow.tell.customers.schemas import CustomerCreate
from execflow.web.deps import State
from execflow.web.state import AppState

router = APIRouter(include_in_schema=False)


def _services(state: AppState, me: Principal) -> dict[str, Any]:
    with state.db.read() as session:
        services = list(session.execute(select(Service).order_by(Service.name)).scalars())
        policies = list(
            session.execute(select(EscalationPolicy).order_by(EscalationPolicy.name)).scalars()
        )
        names = dict(session.execute(select(Person.id, Person.name)).all())
    base = state.settings.base_url.rstrip("/")
    shown = [
        {
            "service": s,
            "key": reveal(s.integration_key, me.role.value) or "",
            "whole": me.role.allows(Role.ADMIN),
            "alertmanager": f"{base}/api/v1/integrations/{s.integration_key}/alertmanager",
            "pagerduty": f"{base}/v2/enqueue",
        }
        for s in services
    ]
    return {
        "services": shown,
        "policies": [{"policy": p, "steps_json": json.dumps(p.steps, indent=2)} for p in policies],
        "names": names,
        "base": base,
    }


@router.get("/services")
async def services_page(request: Request, state: State, me: Signed) -> Response:
    """Services with their policy and integration key, snippets, escalation policies."""
    found = await run_in_threadpool(_services, state, me)
    return render(request, me, "console/services.html", "Services", "services", **found)


def _settings(state: AppState) -> list[tuple[str, str]]:
    """The running settings, secrets in URLs masked."""
    shown = []
    for name, value in sorted(state.settings.model_dump().items()):
        text = "" if value is None else str(value)
        if "://" in text and "@" in text:
            scheme, rest = text.split("://", 1)
            text = f"{scheme}://****@{rest.rsplit('@', 1)[1]}"
        shown.append((f"EXECFLOW_{name.upper()}", text))
    return shown


def _admin(state: AppState) -> dict[str, Any]:
    with state.db.read() as session:
        return {
            "settings": _settings(state),
            "people": list(session.execute(select(Person).order_by(Person.name)).scalars()),
            "tokens": list(
                session.execute(select(ApiToken).order_by(ApiToken.created_at.desc())).scalars()
            ),
            "customers": list(session.execute(select(Customer).order_by(Customer.name)).scalars()),
            "components": list(
                session.execute(select(Component).order_by(Component.name)).scalars()
            ),
            "roles": [r.value for r in Role],
        }


@router.get("/admin")
async def admin_page(request: Request, state: State, me: Signed) -> Response:
    """People and their roles, tokens, customers (admins only)."""
    require_role(me, Role.ADMIN)
    found = await run_in_threadpool(_admin, state)
    return render(request, me, "console/admin.html", "Admin", "admin", **found)


def _role(form: Any) -> Role | None:
    chosen = field(form, "role")
    return Role(chosen) if chosen in {r.value for r in Role} else None


def _person(session: Session, form: Any, me: Principal, now: Any) -> str:
    data = PersonCreate(
        name=field(form, "name"),
        email=field(form, "email"),
        timezone=field(form, "timezone") or "UTC",
        role=_role(form),
    )
    people.create_person(session, data=data, actor=me.ref, now=now)
    return f"{data.name} added."


def _set_role(session: Session, form: Any, me: Principal, now: Any) -> str:
    update = PersonUpdate(role=_role(form))
    people.update_person(
        session, person_id=field(form, "person_id"), data=update, actor=me.ref, now=now
    )
    return "Role changed."


def _revoke(session: Session, form: Any, me: Principal, now: Any) -> str:
    revoke_token(session, token_id=field(form, "token_id"), actor=me.ref, now=now)
    return "Token revoked."


def _customer(session: Session, form: Any, me: Principal, now: Any) -> str:
    data = CustomerCreate(
        name=field(form, "name"),
        component_ids=[c for c in form.getlist("component_ids") if isinstance(c, str)],
        contacts=[line.strip() for line in field(form, "contacts").splitlines() if line.strip()],
    )
    customers.create(session, data=data, actor=me.ref, now=now)
    return f"{data.name} added."


def _policy(session: Session, form: Any, me: Principal, now: Any) -> str:
    try:
        steps = json.loads(field(form, "steps"))
    except ValueError as exc:
        raise InvalidInput("the steps are not valid JSON") from exc
    update_policy(
        session,
        policy_id=field(form, "policy_id"),
        data=PolicyUpdate(steps=steps),
        actor=me.ref,
        now=now,
    )
    return "Escalation policy saved."


CHANGES: dict[str, tuple[Callable[[Session, Any, Principal, Any], str], str]] = {
    "person": (_person, "/admin"),
    "role": (_set_role, "/admin"),
    "revoke": (_revoke, "/admin"),
    "customer": (_customer, "/admin"),
    "policy": (_policy, "/services"),
}
"""POST /admin/{what}: each an admin's change, through the same service as the API."""


def _change(state: AppState, what: str, form: Any, me: Principal) -> str:
    change = CHANGES[what][0]
    with state.writes.write() as session:
        said = change(session, form, me, state.clock.now())
    if what == "revoke":
        state.tokens.forget()
    return said


@router.post("/admin/{what}")
async def admin_change(what: str, request: Request, state: State, me: Signed) -> Response:
    """Add a person, change a role, revoke a token, add a customer, edit a policy."""
    form = await request.form()
    checked(form, me)
    require_role(me, Role.ADMIN)
    if what not in CHANGES:
        raise InvalidInput(f"unknown change {what}")
    try:
        said = await run_in_threadpool(_change, state, what, form, me)
        cache = getattr(request.app, "pages", None)
        if cache is not None:
            cache.clear()
    except ValidationError as exc:
        said = "Not done: " + "; ".join(str(e["msg"]) for e in exc.errors())
    except ExecFlowError as exc:
        said = f"Not done: {exc.message}"
    return RedirectResponse(f"{CHANGES[what][1]}?{urlencode({'flash': said})}", status_code=303)


def _new_token(state: AppState, form: Any, me: Principal) -> str:
    role = _role(form) or Role.VIEWER
    with state.writes.write() as session:
        _, secret = create_token(
            session,
            name=field(form, "name") or "console",
            role=role,
            actor=me.ref,
            now=state.clock.now(),
        )
    return secret


@router.post("/admin/tokens/new")
async def new_token(request: Request, state: State, me: Signed) -> Response:
    """Create a token; its secret is shown once, on this page (never put in a URL)."""
    form = await request.form()
    checked(form, me)
    require_role(me, Role.ADMIN)
    secret = await run_in_threadpool(_new_token, state, form, me)
    found = await run_in_threadpool(_admin, state)
    return render(request, me, "console/admin.html", "Admin", "admin", **found, new_secret=secret)
