"""Storing hits as suspected detections, the cooldown, reviewing, and the supervisor's runner."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from shilian.core.errors import DomainError
from shilian.core.models import HistoryEntry
from shilian.sunshine.actions.detections import record_hits, review_detection
from shilian.sunshine.choices import DetectionRule, DetectionStatus, Room, SnapshotPurpose
from shilian.sunshine.detection import testing as t
from shilian.sunshine.detection.rules import Hit
from shilian.sunshine.detection.runner import DetectionRunner
from shilian.sunshine.detection.stats import false_positive_rates
from shilian.sunshine.models import Detection, Snapshot
from shilian.sunshine.tests import pages_support
from shilian.sunshine.tests.pages_support import counts

video_dir = pages_support.video_dir  # the fixtures, under their own names
world = pages_support.world
pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 12, 1, 10, 0))
FRAME = t.jpeg(t.with_person(t.kitchen(), masked=False))


def test_hits_become_suspected_detections_sharing_one_snapshot_of_the_analysed_frame(world):
    camera = world["camera"]
    hits = [
        Hit(DetectionRule.NO_MASK, 0.97, ((1, 2, 3, 4),), "1 face"),
        Hit(DetectionRule.NO_MASK, 0.99),
        Hit(DetectionRule.UNATTENDED, 1.0),
    ]
    detections = record_hits(camera, hits, FRAME, now=NOW)
    assert sorted((d.rule, d.score, d.status) for d in detections) == [
        (DetectionRule.NO_MASK, 0.99, DetectionStatus.SUSPECTED),  # the best of the rule's hits
        (DetectionRule.UNATTENDED, 1.0, DetectionStatus.SUSPECTED),
    ]
    snapshot = Snapshot.objects.get()
    assert {d.snapshot_id for d in detections} == {snapshot.pk}
    assert (snapshot.purpose, snapshot.taken_at, snapshot.taken_by) == (SnapshotPurpose.DETECTION, NOW, None)
    assert snapshot.sha256 == hashlib.sha256(FRAME).hexdigest()
    with default_storage.open(str(snapshot.image.name)) as stored:
        assert stored.read() == FRAME
    rows = HistoryEntry.objects.filter(action="sunshine.detection.suspect").order_by("subject_id")
    assert [(row.subject_id, row.jurisdiction_code, row.acting_user_id) for row in rows] == [
        (str(d.pk), "331081102", None) for d in sorted(detections, key=lambda d: str(d.pk))
    ]


def test_no_hits_write_nothing(world):
    before = counts()
    assert record_hits(world["camera"], [], FRAME, now=NOW) == []
    assert counts() == before
    assert Detection.objects.count() == 0


def test_the_same_rule_on_the_same_camera_waits_out_the_cooldown(world, settings):
    settings.SHILIAN_DETECTION_COOLDOWN_S = 600
    camera, other = world["camera"], world["elsewhere"]
    hit = [Hit(DetectionRule.NO_MASK, 0.99)]
    assert len(record_hits(camera, hit, FRAME, now=NOW)) == 1
    before = counts()
    assert record_hits(camera, hit, FRAME, now=NOW + dt.timedelta(seconds=599)) == []
    assert counts() == before  # not even a snapshot
    first = Detection.objects.get()
    review_detection(first, confirmed=False, acting_user=world["users"]["inspector_in"])
    assert record_hits(camera, hit, FRAME, now=NOW + dt.timedelta(seconds=300)) == []  # dismissed counts too
    assert len(record_hits(camera, [Hit(DetectionRule.UNATTENDED, 1.0)], FRAME, now=NOW + dt.timedelta(seconds=1))) == 1
    assert len(record_hits(other, hit, FRAME, now=NOW + dt.timedelta(seconds=1))) == 1
    assert len(record_hits(camera, hit, FRAME, now=NOW + dt.timedelta(seconds=601))) == 1
    assert Detection.objects.filter(camera=camera, rule=DetectionRule.NO_MASK).count() == 2


def test_an_unknown_rule_is_a_programming_error(world):
    with pytest.raises(ValueError, match="smoking"):
        record_hits(world["camera"], [Hit("smoking", 0.9)], FRAME, now=NOW)
    assert Detection.objects.count() == 0
    assert Snapshot.objects.count() == 0


def test_review_confirms_or_dismisses_once_with_history(world):
    inspector = world["users"]["inspector_in"]
    confirmed, dismissed = (
        record_hits(world["camera"], [Hit(DetectionRule.NO_MASK, 0.99)], FRAME, now=NOW)[0],
        record_hits(world["storage"], [Hit(DetectionRule.AFTER_HOURS_MOTION, 0.4)], FRAME, now=NOW)[0],
    )
    review_detection(confirmed, confirmed=True, acting_user=inspector)
    review_detection(dismissed, confirmed=False, acting_user=inspector)
    confirmed.refresh_from_db()
    dismissed.refresh_from_db()
    assert (confirmed.status, confirmed.reviewed_by, confirmed.reviewed_at is not None) == (
        DetectionStatus.CONFIRMED,
        inspector,
        True,
    )
    assert (dismissed.status, dismissed.reviewed_by) == (DetectionStatus.DISMISSED, inspector)
    history = HistoryEntry.objects.filter(action="sunshine.detection.review").order_by("pk")
    assert [(h.subject_id, h.acting_user_id, h.detail["before"], h.detail["after"]) for h in history] == [
        (str(confirmed.pk), inspector.pk, "suspected", "confirmed"),
        (str(dismissed.pk), inspector.pk, "suspected", "dismissed"),
    ]
    before = counts()
    with pytest.raises(DomainError) as error:
        review_detection(confirmed, confirmed=False, acting_user=world["users"]["admin"])
    assert (error.value.code, error.value.field) == ("already_reviewed", "status")
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.reviewed_by) == (DetectionStatus.CONFIRMED, inspector)
    assert counts() == before


def test_false_positive_rate_is_dismissed_over_reviewed_per_rule(world):
    inspector = world["users"]["inspector_in"]
    for minute, verdict in enumerate([True, False, False, None]):
        (detection,) = record_hits(
            world["camera"], [Hit(DetectionRule.NO_MASK, 0.9)], FRAME, now=NOW + dt.timedelta(hours=minute)
        )
        if verdict is not None:
            review_detection(detection, confirmed=verdict, acting_user=inspector)
    rates = {rate.rule: rate for rate in false_positive_rates(Detection.objects.all())}
    assert list(rates) == [DetectionRule.NO_MASK, DetectionRule.UNATTENDED, DetectionRule.AFTER_HOURS_MOTION]
    mask = rates[DetectionRule.NO_MASK]
    assert (mask.suspected, mask.confirmed, mask.dismissed, mask.reviewed) == (1, 1, 2, 3)
    assert mask.false_positive_rate == pytest.approx(2 / 3)
    assert rates[DetectionRule.UNATTENDED].false_positive_rate is None


# --- the runner the video supervisor uses ------------------------------------------------


def test_runner_analyses_at_most_once_per_interval_and_stores_real_hits(world):
    camera = world["camera"]
    runner = DetectionRunner(interval=5, threaded=False)
    assert runner.submit(camera, FRAME, NOW) is True
    assert runner.submit(camera, FRAME, NOW + dt.timedelta(seconds=4.9)) is False
    assert runner.analysed == 1
    (detection,) = Detection.objects.all()
    assert (detection.rule, detection.camera_id, detection.detected_at) == (DetectionRule.NO_MASK, camera.pk, NOW)
    assert detection.score > 0.99
    assert runner.due(camera.pk, NOW + dt.timedelta(seconds=5))
    assert runner.submit(camera, FRAME, NOW + dt.timedelta(seconds=5)) is True  # analysed; within the cooldown
    assert (runner.analysed, Detection.objects.count()) == (2, 1)


def test_runner_skips_cameras_with_analyses_off_and_survives_bad_frames(world, caplog):
    camera = world["camera"]
    runner = DetectionRunner(interval=5, threaded=False)
    camera.analyses = False
    assert runner.submit(camera, FRAME, NOW) is False
    camera.analyses = True
    assert runner.submit(camera, b"garbage", NOW) is True
    assert runner.submit(camera, b"garbage", NOW + dt.timedelta(seconds=10)) is True
    assert (runner.analysed, runner.failed, Detection.objects.count()) == (0, 2, 0)
    assert caplog.text.count("detection failed on camera") == 1  # logged once, not every 5 s


@pytest.mark.django_db(transaction=True)
def test_threaded_runner_stores_hits_from_its_own_thread(world):
    runner = DetectionRunner(interval=5)
    try:
        storage = world["storage"]  # all-day working hours: a masked worker, no hit
        assert runner.submit(world["camera"], FRAME, NOW) is True
        assert runner.submit(storage, t.jpeg(t.with_person(t.kitchen(), masked=True)), NOW) is True
        assert runner.wait_idle(30)
    finally:
        runner.close()
    assert runner.analysed == 2
    assert list(Detection.objects.values_list("camera_id", "rule")) == [(world["camera"].pk, DetectionRule.NO_MASK)]
    assert world["storage"].room == Room.STORAGE
