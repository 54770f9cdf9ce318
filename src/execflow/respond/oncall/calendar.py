"""iCalendar (RFC 5545) export of a schedule's shifts."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from execflow.respond.oncall.rotation import Shift


def to_ics(
    *, schedule_id: str, name: str, shifts: list[Shift], names: dict[str, str], now: datetime
) -> bytes:
    """A calendar with one event per shift, in UTC."""
    calendar = Calendar()
    calendar.add("prodid", "-//ExecFlow//On-call//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"On call: {name}")
    for shift in shifts:
        event = Event()
        event.add("uid", f"{schedule_id}-{int(shift.start.timestamp())}@execflow")
        event.add("dtstamp", now)
        event.add("dtstart", shift.start)
        event.add("dtend", shift.end)
        event.add("summary", f"On call: {names.get(shift.person_id, shift.person_id)}")
        event.add("description", f"person {shift.person_id} on {name}")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
