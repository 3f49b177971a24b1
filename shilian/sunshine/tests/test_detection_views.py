"""The inspectors' detection review pages: permission matrix, review, rates, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shilian.sunshine.actions.detections import record_hits, review_detection
from shilian.sunshine.choices import DetectionRule, DetectionStatus
from shilian.sunshine.detection.rules import Hit
from shilian.sunshine.models import Detection
from shilian.sunshine.tests import pages_support
from shilian.sunshine.tests.pages_support import ACTORS, client_for, counts, jpeg

video_dir = pages_support.video_dir  # the fixtures, under their own names
world = pages_support.world
pytestmark = pytest.mark.django_db

LOGIN = 302
INSPECTOR_LIST = (LOGIN, 404, 404, 200, 200, 200)
WENLING_ROW = (LOGIN, 404, 404, 200, 404, 200)
NOW = timezone.make_aware(dt.datetime(2026, 12, 1, 10, 0))
FRAME = jpeg((30, 90, 200), (64, 36))


def _detection(camera, rule=DetectionRule.NO_MASK, *, at=NOW, frame=FRAME):
    (detection,) = record_hits(camera, [Hit(rule, 0.93)], frame, now=at)
    return detection


@pytest.fixture
def detection(world):
    return _detection(world["camera"])


GET_PAGES = [
    ("list", lambda d: "/r/detections/", INSPECTOR_LIST),
    ("list-all", lambda d: "/r/detections/?status=all&rule=no_mask", INSPECTOR_LIST),
    ("detail", lambda d: f"/r/detections/{d.pk}/", WENLING_ROW),
    ("snapshot", lambda d: f"/r/detections/{d.pk}/snapshot.jpg", WENLING_ROW),
    ("missing", lambda d: f"/r/detections/{d.pk + 1000}/", (LOGIN, 404, 404, 404, 404, 404)),
]


@pytest.mark.parametrize(("name", "path", "statuses"), GET_PAGES, ids=[row[0] for row in GET_PAGES])
def test_get_matrix(world, detection, name, path, statuses):
    url = path(detection)
    for actor, expected in zip(ACTORS, statuses, strict=True):
        response = client_for(world["users"][actor]).get(url)
        assert (actor, response.status_code) == (actor, expected)
        if expected == LOGIN:
            assert response["Location"].startswith("/accounts/login/?next=")


def test_the_list_shows_only_the_inspectors_area(world, detection):
    far = _detection(world["elsewhere"], DetectionRule.UNATTENDED)  # Zeguo: also inside Wenling (331081)
    inside = client_for(world["users"]["inspector_in"]).get("/r/detections/").content.decode()
    outside = client_for(world["users"]["inspector_out"]).get("/r/detections/").content.decode()
    assert f'id="detection-{detection.pk}"' in inside
    assert f'id="detection-{far.pk}"' in inside
    assert "detection-" not in outside.split('id="results"')[1]
    assert '<li class="card" data-rule="no_mask">' in outside  # the rates are there, with zeros
    snapshot = client_for(world["users"]["inspector_in"]).get(f"/r/detections/{detection.pk}/snapshot.jpg")
    assert (snapshot["Content-Type"], snapshot.getvalue()) == ("image/jpeg", FRAME)


@pytest.mark.parametrize("verdict", ["confirm", "dismiss"])
def test_review_matrix_changes_nothing_on_denial(world, detection, verdict):
    url = f"/r/detections/{detection.pk}/review/"
    for actor in ("anonymous", "operator", "other_operator", "inspector_out"):
        before = counts()
        response = client_for(world["users"][actor]).post(url, {"verdict": verdict})
        assert (actor, response.status_code) == (actor, LOGIN if actor == "anonymous" else 404)
        detection.refresh_from_db()
        assert (actor, detection.status, counts()) == (actor, DetectionStatus.SUSPECTED, before)
    response = client_for(world["users"]["inspector_in"]).post(url, {"verdict": verdict, "next": "/r/detections/"})
    assert (response.status_code, response["Location"]) == (302, "/r/detections/")
    detection.refresh_from_db()
    expected = DetectionStatus.CONFIRMED if verdict == "confirm" else DetectionStatus.DISMISSED
    assert (detection.status, detection.reviewed_by) == (expected, world["users"]["inspector_in"])


def test_admin_may_review_and_a_get_does_not(world, detection):
    client = client_for(world["users"]["admin"])
    assert client.get(f"/r/detections/{detection.pk}/review/").status_code == 405
    response = client.post(f"/r/detections/{detection.pk}/review/", {"verdict": "dismiss"})
    assert (response.status_code, response["Location"]) == (302, f"/r/detections/{detection.pk}/")
    detection.refresh_from_db()
    assert detection.status == DetectionStatus.DISMISSED


def test_a_bad_verdict_or_a_second_review_is_refused_with_a_message(world, detection):
    client = client_for(world["users"]["inspector_in"])
    before = counts()
    response = client.post(f"/r/detections/{detection.pk}/review/", {"verdict": "maybe"}, follow=True)
    assert [message.level_tag for message in response.context["messages"]] == ["error"]
    detection.refresh_from_db()
    assert (detection.status, counts()) == (DetectionStatus.SUSPECTED, before)
    review_detection(detection, confirmed=True, acting_user=world["users"]["admin"])
    response = client.post(
        f"/r/detections/{detection.pk}/review/", {"verdict": "dismiss"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "already been reviewed" in response.content.decode()
    detection.refresh_from_db()
    assert detection.status == DetectionStatus.CONFIRMED


def test_htmx_review_returns_the_card_without_buttons(world, detection):
    response = client_for(world["users"]["inspector_in"]).post(
        f"/r/detections/{detection.pk}/review/", {"verdict": "confirm"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith(f'<li class="card detection confirmed" id="detection-{detection.pk}">')
    assert 'name="verdict"' not in body
    assert "<html" not in body


def test_filters_and_false_positive_rates_on_the_page(world):
    inspector = world["users"]["inspector_in"]
    for hour, verdict in enumerate([True, False, False]):
        review_detection(
            _detection(world["camera"], at=NOW + dt.timedelta(hours=hour)), confirmed=verdict, acting_user=inspector
        )
    waiting = _detection(world["storage"], DetectionRule.AFTER_HOURS_MOTION)
    client = client_for(inspector)
    page = client.get("/r/detections/").content.decode()
    assert page.count('class="card detection ') == 1
    assert f'id="detection-{waiting.pk}"' in page
    card = page.split('<li class="card" data-rule="no_mask">')[1].split("</li>")[0]
    numbers = [
        card.split(f'<b class="n-{status}">')[1].split("<")[0] for status in ("suspected", "confirmed", "dismissed")
    ]
    assert numbers == ["0", "1", "2"]
    assert card.split('class="badge fp">')[1].split("<b>")[1].split("</b>")[0] == "67 %"
    motion = page.split('<li class="card" data-rule="after_hours_motion">')[1].split("</li>")[0]
    assert '<b class="n-suspected">1</b>' in motion
    assert "<b>—</b>" in motion
    dismissed = client.get("/r/detections/?status=dismissed").content.decode()
    assert dismissed.count('class="card detection dismissed"') == 2
    assert (
        client.get("/r/detections/?status=all&rule=after_hours_motion").content.decode().count('class="card detection ')
        == 1
    )
    fragment = client.get("/r/detections/?status=all", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="results">')
    assert fragment.count('class="card detection ') == 4


def test_list_query_count_does_not_grow_with_rows(world):
    client = client_for(world["users"]["inspector_in"])
    _detection(world["camera"])
    client.get("/r/detections/")
    with CaptureQueriesContext(connection) as few:
        client.get("/r/detections/?status=all")
    for hour in range(1, 8):
        for camera in (world["camera"], world["storage"], world["elsewhere"]):
            _detection(camera, DetectionRule.UNATTENDED, at=NOW + dt.timedelta(hours=hour))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/r/detections/?status=all")
    assert response.content.decode().count('class="card detection ') == 20
    assert len(many) == len(few)
    assert Detection.objects.count() == 22
