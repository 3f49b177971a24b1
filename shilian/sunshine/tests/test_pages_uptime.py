"""Online rate per workshop and per town, from stored outages and working hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shilian.core.testing import factories as f
from shilian.sunshine.models import Camera, CameraOutage
from shilian.sunshine.queries.uptime import online_rates
from shilian.sunshine.tests import pages_support
from shilian.sunshine.tests.pages_support import client_for, make_camera

pytestmark = pytest.mark.django_db
video_dir = pages_support.video_dir

DAY = dt.date(2026, 11, 2)  # a Monday


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _camera(enterprise, **kwargs):
    camera = make_camera(enterprise, work_days="12345", work_start=dt.time(8), work_end=dt.time(18), **kwargs)
    Camera.objects.filter(pk=camera.pk).update(created_at=at(DAY - dt.timedelta(days=10), 0))
    return Camera.objects.get(pk=camera.pk)


def _outage(camera, kind, start, end):
    CameraOutage.objects.create(camera=camera, kind=kind, started_at=start, ended_at=end)


def test_rates_per_day_per_workshop_and_per_town(video_dir):
    shitang = f.make_enterprise(jurisdiction="331081102", name="石塘作坊")
    zeguo = f.make_enterprise(jurisdiction="331081104", name="泽国作坊")
    a = _camera(shitang, name="A")
    b = _camera(shitang, name="B")
    c = _camera(zeguo, name="C")
    _outage(a, "offline", at(DAY, 9), at(DAY, 11))  # 2 of 10 working hours
    _outage(a, "unplayable", at(DAY, 10), at(DAY, 12))  # overlaps: 1 more hour
    _outage(a, "black", at(DAY, 13), at(DAY, 17))  # a black picture is not "off"
    _outage(b, "offline", at(DAY, 17), at(DAY + dt.timedelta(days=1), 9))  # 1 h Monday, 1 h Tuesday
    _outage(c, "offline", at(DAY, 6), None)  # still open: off ever since
    now = at(DAY + dt.timedelta(days=1), 13)  # Tuesday 13:00: 5 working hours so far
    table = online_rates(Camera.objects.all(), DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1), now=now)
    assert table.days == [DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=1)]
    rows = {row.name: row for row in table.by_enterprise}
    shitang_row = rows["石塘作坊"]
    assert shitang_row.cameras == 2
    assert [d.rate for d in shitang_row.days] == [None, pytest.approx(1 - 4 / 20), pytest.approx(1 - 1 / 10)]
    assert shitang_row.total.working == 30 * 3600
    assert [d.rate for d in rows["泽国作坊"].days] == [None, 0.0, 0.0]
    towns = {row.key: row for row in table.by_town}
    assert set(towns) == {"331081102", "331081104"}
    assert towns["331081102"].name == "石塘镇"
    assert towns["331081102"].total.rate == pytest.approx(1 - 5 / 30)


def test_night_shift_and_camera_added_mid_day(video_dir):
    workshop = f.make_enterprise(jurisdiction="331081102")
    night = make_camera(workshop, name="夜班", work_days="1", work_start=dt.time(22), work_end=dt.time(6))
    Camera.objects.filter(pk=night.pk).update(created_at=at(DAY, 23))
    _outage(night, "offline", at(DAY + dt.timedelta(days=1), 5), at(DAY + dt.timedelta(days=1), 7))
    now = at(DAY + dt.timedelta(days=2), 0)
    table = online_rates(Camera.objects.filter(pk=night.pk), DAY, DAY + dt.timedelta(days=1), now=now)
    monday, tuesday = table.by_enterprise[0].days
    assert (monday.working, monday.off) == (7 * 3600, 3600)  # 23:00 → 06:00, 05:00 → 06:00 off
    assert tuesday.working == 0  # Tuesday is no working day: its night is not counted


def test_uptime_page_shows_both_tables(video_dir):
    workshop = f.make_enterprise(jurisdiction="331081102", name="石塘作坊")
    camera = make_camera(workshop, name="A")
    Camera.objects.filter(pk=camera.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    response = client_for(f.make_inspector("331081")).get("/r/video/uptime/?days=7&area=331081102")
    assert len(response.context["table"].days) == 7
    assert [row.name for row in response.context["table"].by_enterprise] == ["石塘作坊"]
    assert response.context["chosen"] == "331081102"
    page = response.content.decode()
    assert "石塘镇" in page
    other = client_for(f.make_inspector("330106")).get("/r/video/uptime/?area=331081102")
    assert other.context["chosen"] == ""  # not their area: ignored
    assert other.context["table"].by_enterprise == []
