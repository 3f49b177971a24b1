"""Camera online rate (在线率) per workshop and per town, day by day, within working hours.

A camera's working time is its working hours on its working days (local time, a night
shift running past midnight belongs to the day it starts), from when it was added until
now. Its time off is the part of that covered by stored outages of the kinds that leave
nothing to watch (offline, unplayable codec); a black or frozen picture is shown on the
camera, not counted here. Outages shorter than the supervisor's debounce are never stored,
so short blips do not lower the rate. Two statements: the cameras, their outages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from shilian.sunshine.access import within_working_hours
from shilian.sunshine.choices import CameraState, OutageKind
from shilian.sunshine.models import Camera, CameraOutage

OFF_KINDS = (OutageKind.OFFLINE, OutageKind.UNPLAYABLE)
Interval = tuple[dt.datetime, dt.datetime]


@dataclass
class Tally:
    working: float = 0.0  # seconds of working time
    off: float = 0.0  # seconds of it off

    @property
    def rate(self) -> float | None:
        """Online share of the working time (0–1); None when there was no working time."""
        return None if self.working <= 0 else max(0.0, 1.0 - self.off / self.working)

    def add(self, other: Tally) -> None:
        self.working += other.working
        self.off += other.off


@dataclass
class RateRow:
    key: Any  # an enterprise id or a division code
    name: str
    cameras: int = 0
    days: list[Tally] = field(default_factory=list)
    total: Tally = field(default_factory=Tally)


@dataclass
class RateTable:
    days: list[dt.date]
    by_enterprise: list[RateRow]
    by_town: list[RateRow]


def working_intervals(camera: Camera, day: dt.date) -> list[Interval]:
    """The camera's working time that starts on ``day`` (aware datetimes, local zone)."""
    if str(day.isoweekday()) not in camera.work_days:
        return []
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, camera.work_start, tzinfo=zone)
    end_day = day if camera.work_end > camera.work_start else day + dt.timedelta(days=1)
    return [(start, dt.datetime.combine(end_day, camera.work_end, tzinfo=zone))]


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overlap(a: Interval, b: Interval) -> float:
    return max(0.0, (min(a[1], b[1]) - max(a[0], b[0])).total_seconds())


def camera_tally(camera: Camera, day: dt.date, off: list[Interval], now: dt.datetime) -> Tally:
    tally = Tally()
    for start, end in working_intervals(camera, day):
        window = (max(start, camera.created_at), min(end, now))
        if window[1] <= window[0]:
            continue
        tally.working += (window[1] - window[0]).total_seconds()
        tally.off += sum(_overlap(window, outage) for outage in off)
    return tally


def online_rates(cameras: Any, start: dt.date, end: dt.date, *, now: dt.datetime | None = None) -> RateTable:
    """Online rate of ``cameras`` (a scoped queryset) for each day from ``start`` to ``end``."""
    now = now or timezone.now()
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    rows = list(cameras.select_related("enterprise__jurisdiction").order_by("enterprise__name", "enterprise_id", "pk"))
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time(0), tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=2), dt.time(0), tzinfo=zone)
    off: dict[int, list[Interval]] = defaultdict(list)
    outages = CameraOutage.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=since),
        camera__in=[camera.pk for camera in rows],
        kind__in=OFF_KINDS,
        started_at__lt=until,
    ).values_list("camera_id", "started_at", "ended_at")
    for camera_id, started, ended in outages:
        off[camera_id].append((started, ended or now))
    by_enterprise: dict[int, RateRow] = {}
    by_town: dict[str, RateRow] = {}
    for camera in rows:
        enterprise = camera.enterprise
        merged = _merge(off.get(camera.pk, []))
        targets = (
            by_enterprise.setdefault(enterprise.pk, _row(enterprise.pk, enterprise.name, len(days))),
            by_town.setdefault(
                enterprise.jurisdiction_id, _row(enterprise.jurisdiction_id, enterprise.jurisdiction.name, len(days))
            ),
        )
        for target in targets:
            target.cameras += 1
        for index, day in enumerate(days):
            tally = camera_tally(camera, day, merged, now)
            for target in targets:
                target.days[index].add(tally)
                target.total.add(tally)
    return RateTable(
        days=days, by_enterprise=list(by_enterprise.values()), by_town=sorted(by_town.values(), key=lambda r: r.key)
    )


def _row(key: Any, name: str, days: int) -> RateRow:
    return RateRow(key=key, name=name, days=[Tally() for _ in range(days)])


@dataclass
class OffCamera:
    camera: Camera
    since: dt.datetime | None
    reason: str


@dataclass
class OffWorkshop:
    enterprise: Any
    cameras: list[OffCamera]
    total: int  # the workshop's cameras within working hours now


def off_during_working_hours(cameras: Any, *, now: dt.datetime | None = None) -> list[OffWorkshop]:
    """Workshops with a camera that is not online (or switched off) now, within its working
    hours; longest off first. Two statements."""
    now = now or timezone.now()
    rows = [
        camera
        for camera in cameras.select_related("enterprise__jurisdiction").order_by("enterprise_id", "pk")
        if within_working_hours(camera, now)
    ]
    off = [camera for camera in rows if not camera.enabled or camera.state != CameraState.ONLINE]
    open_since = dict(
        CameraOutage.objects.filter(camera__in=[camera.pk for camera in off], ended_at__isnull=True, kind__in=OFF_KINDS)
        .order_by("camera_id", "started_at")
        .values_list("camera_id", "started_at")
    )
    workshops: dict[int, OffWorkshop] = {}
    totals: dict[int, int] = defaultdict(int)
    for camera in rows:
        totals[camera.enterprise_id] += 1
    for camera in off:
        if not camera.enabled:
            reason, since = str(CameraState.DISABLED.label), camera.state_since
        else:
            reason = camera.state_message or str(CameraState(camera.state).label)
            since = open_since.get(camera.pk) or camera.state_since
        entry = workshops.setdefault(
            camera.enterprise_id, OffWorkshop(camera.enterprise, [], totals[camera.enterprise_id])
        )
        entry.cameras.append(OffCamera(camera, since, reason))
    far = now + dt.timedelta(days=1)
    return sorted(workshops.values(), key=lambda w: min((c.since or far) for c in w.cameras))
