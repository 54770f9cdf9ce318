"""Who is on call when: layers, rotations at local wall-clock times, restrictions, overrides.

Pure and time-zone exact. A layer's start and every handoff are wall-clock times in the
schedule's zone: a daily rotation hands off at 09:00 local on both sides of a
daylight-saving change (the shift across the change is 23 or 25 hours long). Overrides
beat every layer; a later layer beats an earlier one; a layer whose restrictions do not
cover the moment yields to the layers below it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION_RE = re.compile(
    r"^P(?:(?P<weeks>\d+)W|(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+)S)?)?)$"
)
MIN_ROTATION = timedelta(minutes=1)


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration of weeks, days, hours, minutes, seconds (no years or months)."""
    match = _DURATION_RE.match(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(
            f"{text!r} is not an ISO 8601 duration such as P1W, P1D or PT12H "
            "(years and months are not supported: their length varies)"
        )
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    duration = timedelta(**parts)
    if duration < MIN_ROTATION:
        raise ValueError("a rotation lasts at least one minute")
    return duration


@dataclass(frozen=True)
class Restriction:
    """A weekly window, in the schedule's zone: on `days`, from `start` to `end`.

    An end at or before the start runs past midnight into the next day.
    """

    days: tuple[int, ...]
    start: time
    end: time

    def covers(self, local: datetime) -> bool:
        """Whether the local wall-clock moment lies in the window."""
        moment = local.time()
        today, yesterday = local.weekday(), (local.weekday() - 1) % 7
        if self.end > self.start:
            return today in self.days and self.start <= moment < self.end
        return (today in self.days and moment >= self.start) or (
            yesterday in self.days and moment < self.end
        )


@dataclass(frozen=True)
class Layer:
    """Members in rotation order, handing off every `rotation` from `start` (local, naive)."""

    start: datetime
    rotation: timedelta
    members: tuple[str, ...]
    restrictions: tuple[Restriction, ...] = ()

    def member_at(self, local: datetime) -> str | None:
        """Who this layer has on call at a local wall-clock moment."""
        if local < self.start or not self.members:
            return None
        if self.restrictions and not any(r.covers(local) for r in self.restrictions):
            return None
        turn = (local - self.start) // self.rotation
        return self.members[turn % len(self.members)]


@dataclass(frozen=True)
class Override:
    """Someone on call instead, from start to end (aware times)."""

    start: datetime
    end: datetime
    person_id: str


@dataclass(frozen=True)
class OnCall:
    """The answer for one moment."""

    person_id: str
    source: str
    layer: int | None = None


@dataclass(frozen=True)
class Shift:
    """One continuous stretch of one person on call."""

    start: datetime
    end: datetime
    person_id: str


@dataclass(frozen=True)
class Rota:
    """A schedule as rotation logic sees it."""

    zone: ZoneInfo
    layers: tuple[Layer, ...] = ()
    overrides: tuple[Override, ...] = field(default=())

    def local(self, moment: datetime) -> datetime:
        """A moment as naive local wall-clock time."""
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def aware(self, local: datetime) -> datetime:
        """A local wall-clock time as an aware UTC moment (the earlier one when repeated)."""
        return local.replace(tzinfo=self.zone).astimezone(UTC)

    def on_call(self, at: datetime) -> OnCall | None:
        """Who is on call at the moment `at`."""
        for override in self.overrides:
            if override.start <= at < override.end:
                return OnCall(override.person_id, "override")
        local = self.local(at)
        for index in range(len(self.layers) - 1, -1, -1):
            member = self.layers[index].member_at(local)
            if member is not None:
                return OnCall(member, "layer", index)
        return None

    def _changes(self, start: datetime, end: datetime) -> list[datetime]:
        points = {start}
        first_day = self.local(start).date() - timedelta(days=1)
        last_day = self.local(end).date() + timedelta(days=1)
        for layer in self.layers:
            turn = max(0, (self.local(start) - layer.start) // layer.rotation)
            while True:
                moment = self.aware(layer.start + turn * layer.rotation)
                if moment >= end:
                    break
                points.add(moment)
                turn += 1
            for restriction in layer.restrictions:
                day = first_day
                while day <= last_day:
                    for edge in (restriction.start, restriction.end):
                        points.add(self.aware(datetime.combine(day, edge)))
                    day += timedelta(days=1)
        for override in self.overrides:
            points.update((override.start, override.end))
        return sorted(p for p in points if start <= p < end)

    def shifts(self, start: datetime, end: datetime) -> list[Shift]:
        """Everyone's stretches on call between start and end, merged."""
        result: list[Shift] = []
        points = self._changes(start, end)
        for index, point in enumerate(points):
            stop = points[index + 1] if index + 1 < len(points) else end
            who = self.on_call(point)
            if who is None:
                continue
            if result and result[-1].person_id == who.person_id and result[-1].end == point:
                result[-1] = Shift(result[-1].start, stop, who.person_id)
            else:
                result.append(Shift(point, stop, who.person_id))
        return result


def weekday_numbers(days: list[str]) -> tuple[int, ...]:
    """'mon'..'sun' as 0..6."""
    return tuple(WEEKDAYS.index(day) for day in days)
