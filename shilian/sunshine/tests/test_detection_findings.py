"""A confirmed detection becomes a finding for the workshop, which answers it like a patrol finding."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shilian.core.errors import DomainError
from shilian.core.models import HistoryEntry
from shilian.sunshine.actions.detections import raise_finding, record_hits, review_detection
from shilian.sunshine.actions.patrols import ReplyPhoto, answer_finding, close_finding
from shilian.sunshine.choices import ChecklistItem, DetectionRule, FindingStatus
from shilian.sunshine.detection.rules import Hit
from shilian.sunshine.models import Finding
from shilian.sunshine.tests import pages_support
from shilian.sunshine.tests.pages_support import ACTORS, client_for, counts, jpeg

video_dir = pages_support.video_dir
world = pages_support.world
pytestmark = pytest.mark.django_db

FRAME = jpeg((30, 90, 200), (64, 36))


def _confirmed(world, rule=DetectionRule.NO_MASK):
    (detection,) = record_hits(world["camera"], [Hit(rule, 0.9)], FRAME, now=timezone.now())
    return review_detection(detection, confirmed=True, acting_user=world["users"]["inspector_in"])


def test_a_confirmed_detection_becomes_an_issue_the_workshop_answers(world):
    inspector = world["users"]["inspector_in"]
    detection = _confirmed(world)
    fix_by = timezone.localdate() + dt.timedelta(days=3)
    finding = raise_finding(detection, note="口罩未戴", deadline=fix_by, acting_user=inspector)
    assert (finding.item, finding.status, finding.deadline) == (ChecklistItem.CAPS_MASKS, FindingStatus.OPEN, fix_by)
    assert (finding.snapshot_id, finding.camera_id, finding.patrol_id) == (
        detection.snapshot_id,
        detection.camera_id,
        None,
    )
    assert HistoryEntry.objects.filter(action="sunshine.finding.record").count() == 1
    operator = world["users"]["operator"]
    assert f"/w/findings/{finding.pk}/" in client_for(operator).get("/w/findings/").content.decode()
    assert client_for(operator).get(f"/w/findings/{finding.pk}/").status_code == 200
    assert client_for(inspector).get(f"/r/findings/{finding.pk}/").status_code == 200
    photo = ReplyPhoto(content_type="image/jpeg", sha256="0" * 64, data=FRAME, extension="jpg")
    assert (
        answer_finding(finding, note="已整改", photo=photo, acting_user=operator).status_after == FindingStatus.ANSWERED
    )
    assert close_finding(finding, acting_user=inspector).status_after == FindingStatus.CLOSED
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"note": " "}, "note"),
        ({"deadline": None}, "deadline"),
        ({"deadline": dt.date(2020, 1, 1)}, "deadline"),
    ],
)
def test_bad_terms_name_the_field_and_write_nothing(world, change, field):
    detection = _confirmed(world)
    before = counts()
    terms = {"note": "未戴口罩", "deadline": timezone.localdate(), **change}
    with pytest.raises(DomainError) as caught:
        raise_finding(detection, acting_user=world["users"]["inspector_in"], **terms)
    assert caught.value.field == field
    assert counts() == before


def test_only_a_confirmed_detection_and_only_once(world):
    inspector = world["users"]["inspector_in"]
    (suspected,) = record_hits(world["camera"], [Hit(DetectionRule.UNATTENDED, 0.7)], FRAME, now=timezone.now())
    with pytest.raises(DomainError) as caught:
        raise_finding(suspected, note="x", deadline=timezone.localdate(), acting_user=inspector)
    assert caught.value.field == "status"
    detection = _confirmed(world, DetectionRule.AFTER_HOURS_MOTION)
    finding = raise_finding(detection, note="仓库夜间有活动", deadline=timezone.localdate(), acting_user=inspector)
    assert finding.item == ChecklistItem.PESTS
    with pytest.raises(DomainError) as again:
        raise_finding(detection, note="x", deadline=timezone.localdate(), acting_user=inspector)
    assert again.value.field == "detection"
    assert Finding.objects.count() == 1


def test_the_page_raises_it_and_denies_everyone_else(world):
    detection = _confirmed(world)
    url = f"/r/detections/{detection.pk}/finding/"
    data = {"note": "未戴口罩", "deadline": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}
    for actor in ACTORS:
        if actor in ("inspector_in", "admin"):
            continue
        before = counts()
        response = client_for(world["users"][actor]).post(url, data)
        assert (actor, response.status_code) == (actor, 302 if actor == "anonymous" else 404)
        assert counts() == before
    inspector = client_for(world["users"]["inspector_in"])
    page = inspector.get(f"/r/detections/{detection.pk}/").content.decode()
    assert url in page
    bad = inspector.post(url, {**data, "deadline": "not a date"})
    assert bad.status_code == 400
    assert 'name="deadline" min=' in bad.content.decode()
    assert 'aria-invalid="true"' in bad.content.decode()
    assert not Finding.objects.exists()
    done = inspector.post(url, data)
    finding = Finding.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/r/findings/{finding.pk}/"
    assert f"/r/findings/{finding.pk}/" in inspector.get(f"/r/detections/{detection.pk}/").content.decode()
