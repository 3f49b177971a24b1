"""The pages' actions: cameras, snapshots kept as evidence, patrols and findings."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from shilian.core.errors import DomainError
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.registry.models import Jurisdiction
from shilian.sunshine.access import within_working_hours
from shilian.sunshine.actions.cameras import CameraSpec, create_camera, renew_stream_key, update_camera
from shilian.sunshine.actions.patrols import (
    ReplyPhoto,
    answer_finding,
    close_finding,
    finish_patrol,
    record_finding,
    reopen_finding,
    start_patrol,
)
from shilian.sunshine.actions.snapshots import take_snapshot
from shilian.sunshine.choices import FindingStatus, SnapshotPurpose
from shilian.sunshine.models import Camera, Finding, Snapshot
from shilian.sunshine.queries.uptime import working_intervals
from shilian.sunshine.tests import pages_support
from shilian.sunshine.tests.pages_support import counts, jpeg, make_camera, png, put_frame

pytestmark = pytest.mark.django_db
world, video_dir = pages_support.world, pages_support.video_dir  # the fixtures, under their own names


# --- snapshots ---------------------------------------------------------------------------


def test_take_snapshot_keeps_the_current_frame(world):
    frame = jpeg((10, 200, 10))
    put_frame(world["camera"], frame, age=1)
    snapshot = take_snapshot(
        world["camera"], purpose=SnapshotPurpose.PATROL, acting_user=world["users"]["inspector_in"]
    )
    assert snapshot.sha256 == hashlib.sha256(frame).hexdigest()
    with default_storage.open(snapshot.image.name) as stored:
        assert stored.read() == frame
    assert snapshot.taken_by == world["users"]["inspector_in"]
    assert abs((timezone.now() - snapshot.taken_at).total_seconds() - 1) < 1.5
    entry = HistoryEntry.objects.get(action="sunshine.snapshot")
    assert (entry.subject_id, entry.jurisdiction_code, entry.detail["purpose"]) == (
        str(snapshot.pk),
        "331081102",
        "patrol",
    )


@pytest.mark.parametrize(("age", "message"), [(None, "no picture yet"), (30, "30 s old"), (11, "11 s old")])
def test_no_recent_frame_is_camera_offline_and_writes_nothing(world, age, message):
    if age is not None:
        put_frame(world["camera"], age=age)
    before = counts()
    with pytest.raises(DomainError) as caught:
        take_snapshot(world["camera"], purpose=SnapshotPurpose.DETECTION)
    assert (caught.value.code, caught.value.field) == ("camera_offline", "camera")
    assert message in caught.value.message
    assert counts() == before


def test_a_file_that_is_not_a_jpeg_is_refused(world):
    put_frame(world["camera"], b"not a jpeg at all")
    with pytest.raises(DomainError) as caught:
        take_snapshot(world["camera"], purpose=SnapshotPurpose.MANUAL)
    assert caught.value.code == "camera_offline"
    assert Snapshot.objects.count() == 0


def test_detection_snapshots_have_no_user(world):
    put_frame(world["camera"])
    snapshot = take_snapshot(world["camera"], purpose=SnapshotPurpose.DETECTION)
    assert (snapshot.purpose, snapshot.taken_by) == ("detection", None)


# --- cameras -----------------------------------------------------------------------------


def test_create_push_camera_gets_a_key_and_no_address(world):
    camera = create_camera(
        world["workshop"],
        CameraSpec(name=" 包装间 ", ingest="push", source_url="rtsp://x/1", work_days="6511"),
        acting_user=None,
    )
    assert (camera.name, camera.source_url, camera.work_days) == ("包装间", "", "156")
    assert len(camera.stream_key) == 32


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "a", "ingest": "pull", "source_url": ""}, "source_url"),
        ({"name": "a", "ingest": "pull", "source_url": "http://cam/1"}, "source_url"),
        ({"name": "a", "ingest": "pull", "source_url": "rtsp://"}, "source_url"),
        ({"name": "a", "ingest": "pull", "source_url": "rtsp://cam/a b"}, "source_url"),
        ({"name": "a", "room": "attic"}, "room"),
        ({"name": "a", "ingest": "udp"}, "ingest"),
        ({"name": "a", "work_days": ""}, "work_days"),
        ({"name": "a", "work_days": "18"}, "work_days"),
    ],
)
def test_bad_camera_input_names_the_field_and_writes_nothing(world, spec, field):
    before = counts()
    with pytest.raises(DomainError) as caught:
        create_camera(world["workshop"], CameraSpec(**spec), acting_user=None)
    assert caught.value.field == field
    assert counts() == before


def test_update_records_before_and_after_without_the_password(world):
    camera = world["camera"]
    user = world["users"]["operator"]
    spec = CameraSpec(
        name="加工间",
        ingest="pull",
        source_url="rtsp://admin:s3cret@10.0.0.5:554/ch1",
        work_days="1234567",
        work_start=dt.time(0),
        work_end=dt.time(0),
        public=False,
    )
    update_camera(camera, spec, acting_user=user)
    stored = Camera.objects.get(pk=camera.pk)
    assert (stored.ingest, stored.source_url, stored.public) == ("pull", "rtsp://admin:s3cret@10.0.0.5:554/ch1", False)
    entry = HistoryEntry.objects.get(action="sunshine.camera.update")
    assert entry.detail["before"] == {"ingest": "push", "source_url": "", "public": True}
    assert entry.detail["after"] == {
        "ingest": "pull",
        "source_url": "rtsp://admin:***@10.0.0.5:554/ch1",
        "public": False,
    }
    update_camera(camera, spec, acting_user=user)  # nothing changed: no second row
    assert HistoryEntry.objects.filter(action="sunshine.camera.update").count() == 1


def test_renewed_key_replaces_the_old_one(world):
    old = world["camera"].stream_key
    renew_stream_key(world["camera"], acting_user=world["users"]["operator"])
    stored = Camera.objects.get(pk=world["camera"].pk).stream_key
    assert stored != old
    assert len(stored) == 32
    assert not Camera.objects.filter(stream_key=old).exists()


# --- patrols and findings ----------------------------------------------------------------


def _patrol(world):
    return start_patrol(
        Jurisdiction.objects.get(pk="331081"),
        enterprises=[world["workshop"]],
        acting_user=world["users"]["inspector_in"],
    )


def _photo() -> ReplyPhoto:
    data = png()
    return ReplyPhoto(content_type="image/png", sha256=hashlib.sha256(data).hexdigest(), data=data, extension="png")


def test_random_patrol_picks_among_workshops_with_cameras(world):
    f.make_enterprise(jurisdiction="331081102", name="没有摄像头的作坊")
    wenling = Jurisdiction.objects.get(pk="331081")
    patrol = start_patrol(wenling, random_count=5, acting_user=world["users"]["inspector_in"])
    assert patrol.random
    assert set(patrol.enterprises.values_list("name", flat=True)) == {"石塘年糕作坊", "泽国糕点作坊"}
    shitang = Jurisdiction.objects.get(pk="331081102")
    one = start_patrol(shitang, random_count=1, acting_user=world["users"]["inspector_in"])
    assert list(one.enterprises.all()) == [world["workshop"]]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "enterprises"),
        ({"random_count": 0}, "enterprises"),
        ({"random_count": 51}, "random_count"),
        ({"random_count": 1, "enterprises": "workshop"}, "random_count"),
        ({"enterprises": "outside"}, "enterprises"),
    ],
)
def test_bad_patrol_input_writes_nothing(world, kwargs, field):
    outside = f.make_enterprise(jurisdiction="330106001", name="西湖店")
    if kwargs.get("enterprises") == "workshop":
        kwargs["enterprises"] = [world["workshop"]]
    elif kwargs.get("enterprises") == "outside":
        kwargs["enterprises"] = [world["workshop"], outside]
    before = counts()
    with pytest.raises(DomainError) as caught:
        start_patrol(Jurisdiction.objects.get(pk="331081"), acting_user=world["users"]["inspector_in"], **kwargs)
    assert caught.value.field == field
    assert counts() == before


def test_a_finding_walks_to_closure(world):
    inspector, operator = world["users"]["inspector_in"], world["users"]["operator"]
    patrol = _patrol(world)
    put_frame(world["camera"])
    snapshot = take_snapshot(world["camera"], purpose=SnapshotPurpose.PATROL, acting_user=inspector)
    deadline = timezone.localdate() + dt.timedelta(days=3)
    finding = record_finding(
        patrol,
        world["workshop"],
        item="caps_masks",
        result="issue",
        note="操作人员未戴口罩",
        deadline=deadline,
        snapshot=snapshot,
        acting_user=inspector,
    )
    assert (finding.status, finding.camera, finding.jurisdiction_code) == ("open", world["camera"], "331081102")
    answer_finding(finding, photo=_photo(), note="已整改，全员佩戴口罩", acting_user=operator)
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.ANSWERED
    reopen_finding(finding, note="照片看不清", deadline=deadline + dt.timedelta(days=1), acting_user=inspector)
    stored = Finding.objects.get(pk=finding.pk)
    assert (stored.status, stored.deadline) == ("reopened", deadline + dt.timedelta(days=1))
    answer_finding(finding, photo=_photo(), acting_user=operator)
    close_finding(finding, note="已复核", acting_user=inspector)
    stored = Finding.objects.get(pk=finding.pk)
    assert stored.status == "closed"
    assert stored.closed_at is not None
    replies = list(stored.replies.values_list("status_after", flat=True))
    assert replies == ["answered", "reopened", "answered", "closed"]
    assert stored.replies.first().photo.name.endswith(".png")
    actions = list(
        HistoryEntry.objects.filter(subject_type="sunshine.finding").order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        "sunshine.finding.record",
        "sunshine.finding.answered",
        "sunshine.finding.reopened",
        "sunshine.finding.answered",
        "sunshine.finding.closed",
    ]
    finish_patrol(patrol, acting_user=inspector)
    with pytest.raises(DomainError) as caught:
        record_finding(patrol, world["workshop"], item="pests", result="compliant", acting_user=inspector)
    assert caught.value.field == "patrol"


def test_compliant_finding_starts_closed(world):
    finding = record_finding(
        _patrol(world),
        world["workshop"],
        item="hygiene",
        result="compliant",
        deadline=dt.date(2000, 1, 1),
        acting_user=world["users"]["inspector_in"],
    )
    assert (finding.status, finding.deadline) == ("closed", None)
    assert finding.closed_at is not None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"note": "", "deadline": "tomorrow"}, "note"),
        ({"note": "脏", "deadline": None}, "deadline"),
        ({"note": "脏", "deadline": "yesterday"}, "deadline"),
        ({"note": "脏", "deadline": "tomorrow", "item": "smoking"}, "item"),
        ({"note": "脏", "deadline": "tomorrow", "enterprise": "other"}, "enterprise"),
        ({"note": "脏", "deadline": "tomorrow", "camera": "elsewhere"}, "camera"),
    ],
)
def test_bad_finding_input_writes_nothing(world, kwargs, field):
    patrol = _patrol(world)
    today = timezone.localdate()
    deadline = {"tomorrow": today + dt.timedelta(days=1), "yesterday": today - dt.timedelta(days=1), None: None}
    before = counts()
    with pytest.raises(DomainError) as caught:
        record_finding(
            patrol,
            world[kwargs.get("enterprise", "workshop")],
            item=kwargs.get("item", "hygiene"),
            result="issue",
            note=kwargs["note"],
            deadline=deadline[kwargs["deadline"]],
            camera=world[kwargs["camera"]] if "camera" in kwargs else None,
            acting_user=world["users"]["inspector_in"],
        )
    assert caught.value.field == field
    assert counts() == before


def test_answer_and_review_in_the_wrong_status_write_nothing(world):
    inspector, operator = world["users"]["inspector_in"], world["users"]["operator"]
    finding = record_finding(
        _patrol(world),
        world["workshop"],
        item="pests",
        result="issue",
        note="有苍蝇",
        deadline=timezone.localdate(),
        acting_user=inspector,
    )
    before = counts()
    with pytest.raises(DomainError) as no_photo:
        answer_finding(finding, photo=None, acting_user=operator)
    assert no_photo.value.field == "photo"
    with pytest.raises(DomainError) as not_answered:
        reopen_finding(finding, note="x", acting_user=inspector)
    assert not_answered.value.field == "status"
    assert counts() == before
    close_finding(finding, acting_user=inspector)
    before = counts()
    for attempt in (
        lambda: answer_finding(finding, photo=_photo(), acting_user=operator),
        lambda: close_finding(finding, acting_user=inspector),
    ):
        with pytest.raises(DomainError) as closed:
            attempt()
        assert closed.value.code == "wrong_status"
    assert counts() == before


def test_make_camera_helper_uses_actions(world):
    camera = make_camera(world["workshop"], name="洗手区", room="handwash")
    assert HistoryEntry.objects.filter(action="sunshine.camera.create", subject_id=str(camera.pk)).exists()


def test_the_same_start_and_end_means_around_the_clock(world):
    camera = create_camera(
        world["workshop"],
        CameraSpec(name="冷库", room="storage", work_days="1234567", work_start=dt.time(0), work_end=dt.time(0)),
        acting_user=None,
    )
    for hour in (0, 3, 12, 23):
        when = timezone.make_aware(dt.datetime(2026, 12, 2, hour, 59, 59))
        assert within_working_hours(camera, when)
    ((start, end),) = working_intervals(camera, dt.date(2026, 12, 2))
    assert end - start == dt.timedelta(days=1)  # the online rate counts the whole day
    weekdays = create_camera(
        world["workshop"],
        CameraSpec(name="门店", work_days="12345", work_start=dt.time(8), work_end=dt.time(8)),
        acting_user=None,
    )
    saturday = timezone.make_aware(dt.datetime(2026, 12, 5, 12, 0))
    assert not within_working_hours(weekdays, saturday)
    assert within_working_hours(weekdays, saturday - dt.timedelta(days=1))
