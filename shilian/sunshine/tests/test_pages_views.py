"""The pages at work: camera set-up, the wall, patrol through the pages, answers and reviews."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shilian.core.testing import factories as f
from shilian.sunshine.access import within_working_hours
from shilian.sunshine.choices import CameraState
from shilian.sunshine.models import Camera, Finding, FindingReply, Patrol, Snapshot
from shilian.sunshine.tests import pages_support
from shilian.sunshine.tests.pages_support import all_day, client_for, counts, jpeg, make_camera, png, put_frame

pytestmark = pytest.mark.django_db
world, video_dir = pages_support.world, pages_support.video_dir  # the fixtures, under their own names

CAMERA_FORM = {
    "name": "包装间",
    "room": "packing",
    "ingest": "push",
    "work_days": ["1", "2", "3"],
    "work_start": "06:30",
    "work_end": "18:00",
    "enabled": "on",
    "public": "on",
    "recording": "on",
}


def test_operator_adds_a_push_camera_and_sees_its_push_address(world, settings):
    settings.SHILIAN_PUBLIC_URL = "https://trace.example.cn"
    client = client_for(world["users"]["operator"])
    response = client.post("/w/cameras/new/", CAMERA_FORM)
    camera = Camera.objects.get(name="包装间")
    assert response["Location"] == f"/w/cameras/{camera.pk}/"
    assert (camera.room, camera.work_days, camera.work_start, camera.public, camera.analyses) == (
        "packing",
        "123",
        dt.time(6, 30),
        True,
        False,
    )
    page = client.get(f"/w/cameras/{camera.pk}/").content.decode()
    assert f"rtmp://trace.example.cn:{19000 + camera.pk}/{camera.stream_key}/live" in page
    assert 'id="no-picture"' in page  # nothing sent yet: said so, not a broken picture
    assert "06:30–18:00 · 一 二 三" in page  # the working days by name, not "123"
    assert 'img class="live"' not in page
    Camera.objects.filter(pk=camera.pk).update(last_frame_at=timezone.now())
    assert 'img class="live"' in client.get(f"/w/cameras/{camera.pk}/").content.decode()
    old = camera.stream_key
    client.post(f"/w/cameras/{camera.pk}/key/")
    camera.refresh_from_db()
    assert camera.stream_key != old
    assert old not in client.get(f"/w/cameras/{camera.pk}/").content.decode()


def test_pull_camera_needs_an_rtsp_address_and_hides_its_password(world):
    client = client_for(world["users"]["operator"])
    before = counts()
    bad = client.post("/w/cameras/new/", {**CAMERA_FORM, "ingest": "pull", "source_url": "http://cam/x"})
    assert bad.status_code == 200
    assert list(bad.context["form"].errors) == ["source_url"]
    assert counts() == before
    client.post("/w/cameras/new/", {**CAMERA_FORM, "ingest": "pull", "source_url": "rtsp://admin:pw123@10.1.1.9/ch2"})
    camera = Camera.objects.get(name="包装间")
    page = client.get(f"/w/cameras/{camera.pk}/").content.decode()
    assert "rtsp://admin:***@10.1.1.9/ch2" in page
    assert "pw123" not in page


def test_the_edit_page_keeps_a_saved_password_without_showing_it(world):
    client = client_for(world["users"]["operator"])
    pull = {**CAMERA_FORM, "ingest": "pull"}
    client.post("/w/cameras/new/", {**pull, "source_url": "rtsp://admin:pw123@10.1.1.9:554/ch2"})
    camera = Camera.objects.get(name="包装间")
    edit = client.get(f"/w/cameras/{camera.pk}/edit/")
    assert "pw123" not in edit.content.decode()
    shown = edit.context["form"].initial["source_url"]
    assert shown == "rtsp://admin:***@10.1.1.9:554/ch2"
    # saved as shown, with another path: the password stays
    assert client.post(f"/w/cameras/{camera.pk}/edit/", {**pull, "source_url": shown[:-1] + "3"}).status_code == 302
    camera.refresh_from_db()
    assert camera.source_url == "rtsp://admin:pw123@10.1.1.9:554/ch3"
    # *** towards another host or user is not the saved password: refused, nothing changed
    for moved in ("rtsp://admin:***@203.0.113.5:554/ch3", "rtsp://root:***@10.1.1.9:554/ch3"):
        refused = client.post(f"/w/cameras/{camera.pk}/edit/", {**pull, "source_url": moved})
        assert refused.status_code == 200
        assert list(refused.context["form"].errors) == ["source_url"]
        camera.refresh_from_db()
        assert camera.source_url == "rtsp://admin:pw123@10.1.1.9:554/ch3"
    # a new password typed in replaces it
    client.post(f"/w/cameras/{camera.pk}/edit/", {**pull, "source_url": "rtsp://admin:n3w@10.1.1.9:554/ch3"})
    camera.refresh_from_db()
    assert camera.source_url == "rtsp://admin:n3w@10.1.1.9:554/ch3"


def test_edit_changes_only_what_the_operator_sets(world):
    camera = world["camera"]
    Camera.objects.filter(pk=camera.pk).update(state=CameraState.ONLINE, restarts=3)
    client = client_for(world["users"]["operator"])
    form = client.get(f"/w/cameras/{camera.pk}/edit/").context["form"]
    assert form.initial["work_days"] == list("1234567")
    response = client.post(f"/w/cameras/{camera.pk}/edit/", {**CAMERA_FORM, "name": "加工间北", "room": "processing"})
    assert response.status_code == 302
    camera.refresh_from_db()
    assert (camera.name, camera.state, camera.restarts, camera.analyses) == ("加工间北", "online", 3, False)


def test_the_wall_shows_a_tile_per_camera_with_its_status_and_fixed_query_count(world):
    Camera.objects.filter(pk=world["camera"].pk).update(state=CameraState.ONLINE)
    Camera.objects.filter(pk=world["storage"].pk).update(state=CameraState.ONLINE, frozen=True)
    Camera.objects.filter(pk=world["elsewhere"].pk).update(state=CameraState.OFFLINE)
    client = client_for(world["users"]["inspector_in"])
    with CaptureQueriesContext(connection) as few:
        response = client.get("/r/video/")
    tones = {tile["camera"].name: tile["tone"] for tile in response.context["tiles"]}
    assert tones == {"加工间": "ok", "仓库": "warn", "泽国加工间": "off"}
    fragment = client.get("/r/video/?problems=1", headers={"HX-Request": "true"})
    assert fragment.content.decode().startswith('\n<div id="tiles"')
    assert {t["camera"].name for t in fragment.context["tiles"]} == {"仓库", "泽国加工间"}
    for n in range(6):
        make_camera(f.make_enterprise(jurisdiction="331081104"), name=f"加{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/r/video/")
    assert len(response.context["tiles"]) == 9
    assert len(many) == len(few)
    outside = client_for(world["users"]["inspector_out"]).get("/r/video/")
    assert outside.context["tiles"] == []


@pytest.mark.parametrize(
    ("path", "grow"),
    [
        ("/w/cameras/", "cameras"),
        ("/w/findings/", "findings"),
        ("/r/findings/", "findings"),
        ("/r/patrols/", "patrols"),
        ("/r/video/uptime/", "cameras"),
        ("/r/video/off/", "cameras"),
    ],
)
def test_list_query_counts_do_not_grow_with_rows(world, path, grow):
    operator, inspector = world["users"]["operator"], world["users"]["inspector_in"]
    client = client_for(operator if path.startswith("/w/") else inspector)

    def add():
        if grow == "cameras":
            for n in range(3):
                camera = make_camera(world["workshop"], name=f"新{n}")
                Camera.objects.filter(pk=camera.pk).update(state=CameraState.OFFLINE)
        else:
            _walk(world, client_for(inspector), client_for(operator))

    add()
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    add()
    add()
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few)


def _walk(w, inspector, operator):
    """Start a patrol through the pages, snapshot, an issue; the workshop answers."""
    response = inspector.post("/r/patrols/", {"jurisdiction": "331081102", "enterprises": [str(w["workshop"].pk)]})
    patrol = Patrol.objects.order_by("-pk").first()
    assert response["Location"] == f"/r/patrols/{patrol.pk}/"
    put_frame(w["camera"], jpeg((1, 2, 3)))
    shot = inspector.post(f"/r/patrols/{patrol.pk}/snapshot/", {"camera": w["camera"].pk})
    snapshot = Snapshot.objects.order_by("-pk").first()
    assert (
        shot["Location"] == f"/r/patrols/{patrol.pk}/?e={w['workshop'].pk}&snapshot={snapshot.pk}#e{w['workshop'].pk}"
    )
    page = inspector.get(shot["Location"])
    assert page.context["form"].initial["snapshot"] == snapshot.pk
    deadline = timezone.localdate() + dt.timedelta(days=7)
    recorded = inspector.post(
        f"/r/patrols/{patrol.pk}/findings/",
        {
            "enterprise": w["workshop"].pk,
            "camera": w["camera"].pk,
            "snapshot": snapshot.pk,
            "item": "caps_masks",
            "result": "issue",
            "note": "未戴帽子",
            "deadline": deadline.isoformat(),
        },
    )
    assert recorded.status_code == 302
    finding = Finding.objects.order_by("-pk").first()
    answered = operator.post(
        f"/w/findings/{finding.pk}/", {"note": "已整改", "photo": SimpleUploadedFile("a.png", png())}
    )
    assert answered.status_code == 302
    return patrol, finding


def test_a_patrol_finding_walks_to_closure_through_the_pages(world):
    inspector, operator = client_for(world["users"]["inspector_in"]), client_for(world["users"]["operator"])
    patrol, finding = _walk(world, inspector, operator)
    finding.refresh_from_db()
    assert (finding.status, finding.snapshot.purpose, finding.camera_id) == ("answered", "patrol", world["camera"].pk)
    workshop_list = operator.get("/w/findings/?status=answered")
    assert [row.pk for row in workshop_list.context["page"]] == [finding.pk]
    detail = inspector.get(f"/r/findings/{finding.pk}/").content.decode()
    reply = FindingReply.objects.get(finding=finding)
    assert f"/v/replies/{reply.pk}/photo" in detail
    assert f"/v/snapshots/{finding.snapshot_id}.jpg" in detail
    back = inspector.post(f"/r/findings/{finding.pk}/", {"decision": "reopen", "note": ""})
    assert back.status_code == 400
    assert list(back.context["form"].errors) == ["note"]
    inspector.post(f"/r/findings/{finding.pk}/", {"decision": "reopen", "note": "照片看不清"})
    finding.refresh_from_db()
    assert finding.status == "reopened"
    operator.post(f"/w/findings/{finding.pk}/", {"photo": SimpleUploadedFile("b.png", png())})
    inspector.post(f"/r/findings/{finding.pk}/", {"decision": "close", "note": "已复核"})
    finding.refresh_from_db()
    assert finding.status == "closed"
    assert list(finding.replies.values_list("status_after", flat=True)) == [
        "answered",
        "reopened",
        "answered",
        "closed",
    ]
    inspector.post(f"/r/patrols/{patrol.pk}/finish/")
    patrol.refresh_from_db()
    assert patrol.finished_at is not None


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.pdf", b"%PDF-1.4 nope"), "only images"),
        (SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20), "damaged"),
        (SimpleUploadedFile("x.png", b""), "空文件"),  # Django's own check, in the default language
        (SimpleUploadedFile("x.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024)), "over 5 MB"),
    ],
)
def test_a_bad_photo_is_refused_on_its_field(world, upload, message):
    inspector, operator = client_for(world["users"]["inspector_in"]), client_for(world["users"]["operator"])
    _patrol, finding = _walk(world, inspector, operator)
    Finding.objects.filter(pk=finding.pk).update(status="reopened")
    before = counts()
    response = operator.post(f"/w/findings/{finding.pk}/", {"photo": upload})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["photo"])
    assert counts() == before


def test_patrol_snapshot_of_an_offline_camera_says_so_and_keeps_nothing(world):
    inspector = client_for(world["users"]["inspector_in"])
    inspector.post("/r/patrols/", {"jurisdiction": "331081", "enterprises": [str(world["workshop"].pk)]})
    patrol = Patrol.objects.get()
    put_frame(world["camera"], age=60)
    before = counts()
    response = inspector.post(f"/r/patrols/{patrol.pk}/snapshot/", {"camera": world["camera"].pk}, follow=True)
    assert "摄像头离线" in response.content.decode()  # in the page's language
    assert counts() == before


def test_random_patrol_through_the_page(world):
    inspector = client_for(world["users"]["inspector_in"])
    response = inspector.post("/r/patrols/", {"jurisdiction": "331081", "random_count": "1"})
    patrol = Patrol.objects.get()
    assert response.status_code == 302
    assert patrol.random
    assert patrol.enterprises.count() == 1
    refused = inspector.post("/r/patrols/", {"jurisdiction": "330106", "random_count": "1"})  # not theirs
    assert list(refused.context["form"].errors) == ["jurisdiction"]


def test_off_now_lists_the_workshop_whose_camera_is_off_in_working_hours(world):
    Camera.objects.filter(pk__in=[world["camera"].pk, world["elsewhere"].pk]).update(state=CameraState.ONLINE)
    Camera.objects.filter(pk=world["storage"].pk).update(state=CameraState.OFFLINE, state_message="连接超时")
    make_camera(world["other"], **pages_support.never(name="夜班"))  # off, but outside its hours
    response = client_for(world["users"]["inspector_in"]).get("/r/video/off/")
    rows = [
        (w.enterprise.name, w.total, [(c.camera.name, c.reason) for c in w.cameras])
        for w in response.context["workshops"]
    ]
    assert rows == [("石塘年糕作坊", 2, [("仓库", "连接超时")])]


def test_camera_all_day_helper_is_within_hours(world):
    assert within_working_hours(make_camera(world["workshop"], **all_day()))
