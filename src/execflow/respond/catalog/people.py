"""People who can be paged: create, read, change, delete, rotate their webhook secret."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.delivery import signing
from execflow.ids import new_id
from execflow.keyset import Slice, Window, fetch
from execflow.prove.log.entry import Ref
from execflow.records import Change, Configured, apply_changes, get, log_change, remove
from execflow.respond.catalog.models import Person
from execflow.respond.catalog.schemas import PersonCreate, PersonUpdate


def list_people(session: Session, window: Window) -> Slice[Person]:
    """People by name, a page at a time."""
    return fetch(session, select(Person), [Person.name, Person.id], window)


def people_names(session: Session) -> dict[str, str]:
    """Every person's name by id."""
    return dict(session.execute(select(Person.id, Person.name)).all())


def create_person(session: Session, *, data: PersonCreate, actor: Ref, now: datetime) -> Person:
    """Add a person (the log records the id, never the address)."""
    person = Person(id=new_id("per"), created_at=now, **data.model_dump(mode="json"))
    if person.webhook_url:
        person.webhook_secret = signing.new_secret()
    session.add(person)
    session.flush()
    log_change(
        session,
        kind=Configured.PERSON,
        verb=Change.CREATED,
        subject_id=person.id,
        actor=actor,
        now=now,
        data={"timezone": person.timezone, "role": person.role},
    )
    return person


def update_person(
    session: Session, *, person_id: str, data: PersonUpdate, actor: Ref, now: datetime
) -> Person:
    """Change a person's fields."""
    person: Person = get(session, Person, person_id, "person")
    fields = apply_changes(person, data, clearable=frozenset({"webhook_url", "role"}))
    if person.webhook_url and not person.webhook_secret:
        person.webhook_secret = signing.new_secret()
    log_change(
        session,
        kind=Configured.PERSON,
        verb=Change.UPDATED,
        subject_id=person.id,
        actor=actor,
        now=now,
        data={"fields": fields, "role": person.role} if "role" in fields else {"fields": fields},
    )
    return person


def delete_person(session: Session, *, person_id: str, actor: Ref, now: datetime) -> None:
    """Remove a person (`references.delete_person` first asks what names them)."""
    person = get(session, Person, person_id, "person")
    remove(session, person, f"person {person_id}")
    log_change(
        session,
        kind=Configured.PERSON,
        verb=Change.DELETED,
        subject_id=person_id,
        actor=actor,
        now=now,
    )


def rotate_webhook_secret(session: Session, *, person_id: str, actor: Ref, now: datetime) -> Person:
    """Give the person a new webhook signing secret; pages are signed with it from now on."""
    person: Person = get(session, Person, person_id, "person")
    person.webhook_secret = signing.new_secret()
    log_change(
        session,
        kind=Configured.PERSON,
        verb=Change.WEBHOOK_SECRET_ROTATED,
        subject_id=person.id,
        actor=actor,
        now=now,
    )
    return person
