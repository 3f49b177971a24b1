"""Permission matrix for every sunshine page and media view: anonymous, operator of the
workshop, operator of another, inspector inside (Wenling), inspector outside (Xihu), admin.

Pages answer 302 to the login for anonymous users and 404 for a row out of scope; media
answer 404 (the same as missing). Denied posts write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shilian.registry.models import Jurisdiction
from shilian.sunshine.actions.cameras import CameraSpec, update_camera
from shilian.sunshine.actions.patrols import answer_finding, record_finding, start_patrol
from shilian.sunshine.actions.snapshots import take_snapshot
from shilian.sunshine.forms import spec_of
from shilian.sunshine.models import Recording
from shilian.sunshine.tests import pages_support
from shilian.sunshine.tests.pages_support import ACTORS, client_for, counts, png, put_frame
from shilian.sunshine.tests.test_pages_actions import _photo
from shilian.sunshine.views.media import recording_signature

pytestmark = pytest.mark.django_db
world, video_dir = pages_support.world, pages_support.video_dir  # the fixtures, under their own names

LOGIN = 302
OWN_WORKSPACE = (LOGIN, 200, 200, 404, 404, 404)
WORKSHOP_ROW = (LOGIN, 200, 404, 404, 404, 404)
INSPECTOR_LIST = (LOGIN, 404, 404, 200, 200, 200)
WENLING_ROW = (LOGIN, 404, 404, 200, 404, 200)
# media: whoever may view the camera's enterprise; consumers only when allowed
STAFF_MEDIA = (404, 200, 404, 200, 404, 200)
EVERYONE = (200, 200, 200, 200, 200, 200)


def _patrol(w):
    if "patrol" not in w:
        inspector = w["users"]["inspector_in"]
        w["patrol"] = start_patrol(
            Jurisdiction.objects.get(pk="331081"), enterprises=[w["workshop"]], acting_user=inspector
        )
        put_frame(w["camera"])
        w["snapshot"] = take_snapshot(w["camera"], purpose="patrol", acting_user=inspector)
        w["finding"] = record_finding(
            w["patrol"],
            w["workshop"],
            item="pests",
            result="issue",
            note="有苍蝇",
            snapshot=w["snapshot"],
            deadline=timezone.localdate() + dt.timedelta(days=2),
            acting_user=inspector,
        )
        w["reply"] = answer_finding(w["finding"], photo=_photo(), acting_user=w["users"]["operator"])
    return w["patrol"]


def _outside_hours(w):
    camera = w["camera"]
    spec = spec_of(camera)
    now = timezone.localtime()
    start = (now + dt.timedelta(hours=2)).time().replace(microsecond=0)
    end = (now + dt.timedelta(hours=3)).time().replace(microsecond=0)
    update_camera(camera, CameraSpec(**{**spec.__dict__, "work_start": start, "work_end": end}), acting_user=None)
    return camera


def _recording(w, camera):
    path = w["video_dir"] / "rec" / str(camera.pk) / "a.mp4"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    now = timezone.now()
    return Recording.objects.create(
        camera=camera, started_at=now - dt.timedelta(minutes=1), ended_at=now, path=f"rec/{camera.pk}/a.mp4", size=112
    )


GET_PAGES = [
    ("camera-list", lambda w: "/w/cameras/", OWN_WORKSPACE),
    ("camera-new", lambda w: "/w/cameras/new/", OWN_WORKSPACE),
    ("camera", lambda w: f"/w/cameras/{w['camera'].pk}/", WORKSHOP_ROW),
    ("camera-edit", lambda w: f"/w/cameras/{w['camera'].pk}/edit/", WORKSHOP_ROW),
    ("workshop-findings", lambda w: "/w/findings/", OWN_WORKSPACE),
    ("workshop-finding", lambda w: (_patrol(w), f"/w/findings/{w['finding'].pk}/")[1], WORKSHOP_ROW),
    ("wall", lambda w: "/r/video/", INSPECTOR_LIST),
    ("wall-area", lambda w: "/r/video/?area=331081&problems=1", INSPECTOR_LIST),
    ("uptime", lambda w: "/r/video/uptime/?days=7", INSPECTOR_LIST),
    ("off-now", lambda w: "/r/video/off/", INSPECTOR_LIST),
    ("patrols", lambda w: "/r/patrols/", INSPECTOR_LIST),
    ("findings", lambda w: "/r/findings/?status=answered", INSPECTOR_LIST),
    ("inspector-camera", lambda w: f"/r/video/cameras/{w['camera'].pk}/", WENLING_ROW),
    ("patrol", lambda w: f"/r/patrols/{_patrol(w).pk}/", WENLING_ROW),
    ("inspector-finding", lambda w: (_patrol(w), f"/r/findings/{w['finding'].pk}/")[1], WENLING_ROW),
]


@pytest.mark.parametrize(("name", "path", "statuses"), GET_PAGES, ids=[row[0] for row in GET_PAGES])
def test_get_matrix(world, name, path, statuses):
    url = path(world)
    for actor, expected in zip(ACTORS, statuses, strict=True):
        response = client_for(world["users"][actor]).get(url)
        assert (actor, response.status_code) == (actor, expected)
        if expected == LOGIN:
            assert response["Location"].startswith("/accounts/login/?next=")


def _frames(w):
    for camera in (w["camera"], w["storage"]):
        put_frame(camera)
        live = w["video_dir"] / "live" / str(camera.pk)
        (live / "index.m3u8").write_text("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nseg1.ts\n")
        (live / "seg1.ts").write_bytes(b"G" * 188)


MEDIA = [
    ("public-frame", lambda w: f"/v/cameras/{w['camera'].pk}/latest.jpg", EVERYONE),
    ("public-playlist", lambda w: f"/v/cameras/{w['camera'].pk}/live/index.m3u8", EVERYONE),
    ("public-segment", lambda w: f"/v/cameras/{w['camera'].pk}/live/seg1.ts", EVERYONE),
    ("storage-frame", lambda w: f"/v/cameras/{w['storage'].pk}/latest.jpg", STAFF_MEDIA),
    ("storage-playlist", lambda w: f"/v/cameras/{w['storage'].pk}/live/index.m3u8", STAFF_MEDIA),
    ("storage-segment", lambda w: f"/v/cameras/{w['storage'].pk}/live/seg1.ts", STAFF_MEDIA),
    ("after-hours-frame", lambda w: f"/v/cameras/{_outside_hours(w).pk}/latest.jpg", STAFF_MEDIA),
    ("after-hours-playlist", lambda w: f"/v/cameras/{_outside_hours(w).pk}/live/index.m3u8", STAFF_MEDIA),
    ("snapshot", lambda w: (_patrol(w), f"/v/snapshots/{w['snapshot'].pk}.jpg")[1], STAFF_MEDIA),
    ("reply-photo", lambda w: (_patrol(w), f"/v/replies/{w['reply'].pk}/photo")[1], STAFF_MEDIA),
    ("recording-unsigned", lambda w: f"/v/recordings/{_recording(w, w['camera']).pk}.mp4", STAFF_MEDIA),
    ("storage-recording-signed", lambda w: _signed(_recording(w, w["storage"])), STAFF_MEDIA),
    ("public-recording-signed", lambda w: _signed(_recording(w, w["camera"])), EVERYONE),
]


def _signed(recording):
    return f"/v/recordings/{recording.pk}.mp4?s={recording_signature(recording)}"


@pytest.mark.parametrize(("name", "path", "statuses"), MEDIA, ids=[row[0] for row in MEDIA])
def test_media_matrix(world, name, path, statuses):
    _frames(world)
    url = path(world)
    for actor, expected in zip(ACTORS, statuses, strict=True):
        response = client_for(world["users"][actor]).get(url)
        assert (actor, response.status_code) == (actor, expected)


def test_playlists_are_never_cached_and_segments_are_typed(world):
    _frames(world)
    client = client_for(None)
    playlist = client.get(f"/v/cameras/{world['camera'].pk}/live/index.m3u8")
    assert (playlist["Content-Type"], playlist["Cache-Control"]) == ("application/vnd.apple.mpegurl", "no-cache")
    segment = client.get(f"/v/cameras/{world['camera'].pk}/live/seg1.ts")
    assert segment["Content-Type"] == "video/mp2t"
    assert b"".join(segment.streaming_content) == b"G" * 188
    for bad in ("../latest.jpg", "seg1.exe", "..%2Flatest.jpg", "index.m3u8.ts%00"):
        assert client.get(f"/v/cameras/{world['camera'].pk}/live/{bad}").status_code == 404


def _post_bodies(w):
    return {
        "camera-new": (
            "/w/cameras/new/",
            {
                "name": "新摄像头",
                "room": "processing",
                "ingest": "push",
                "work_days": ["1"],
                "work_start": "07:00",
                "work_end": "19:00",
            },
        ),
        "camera-edit": (
            f"/w/cameras/{w['camera'].pk}/edit/",
            {
                "name": "改名",
                "room": "processing",
                "ingest": "push",
                "work_days": ["1"],
                "work_start": "07:00",
                "work_end": "19:00",
            },
        ),
        "camera-key": (f"/w/cameras/{w['camera'].pk}/key/", {}),
        "answer": (f"/w/findings/{w['finding'].pk}/", {"note": "改好了"}),
        "inspector-snapshot": (f"/r/video/cameras/{w['camera'].pk}/snapshot/", {}),
        "patrol-start": ("/r/patrols/", {"jurisdiction": "331081", "enterprises": [str(w["workshop"].pk)]}),
        "patrol-snapshot": (f"/r/patrols/{w['patrol'].pk}/snapshot/", {"camera": w["camera"].pk}),
        "patrol-finding": (
            f"/r/patrols/{w['patrol'].pk}/findings/",
            {"enterprise": w["workshop"].pk, "item": "hygiene", "result": "compliant"},
        ),
        "patrol-finish": (f"/r/patrols/{w['patrol'].pk}/finish/", {}),
        "review": (f"/r/findings/{w['finding'].pk}/", {"decision": "close", "note": "好"}),
    }


POSTS = [
    ("camera-new", ("inspector_in", "inspector_out", "admin")),
    ("camera-edit", ("other_operator", "inspector_in", "inspector_out", "admin")),
    ("camera-key", ("other_operator", "inspector_in", "inspector_out", "admin")),
    ("answer", ("other_operator", "inspector_in", "inspector_out", "admin")),
    ("inspector-snapshot", ("operator", "other_operator", "inspector_out")),
    ("patrol-start", ("operator", "other_operator")),
    ("patrol-snapshot", ("operator", "other_operator", "inspector_out")),
    ("patrol-finding", ("operator", "other_operator", "inspector_out")),
    ("patrol-finish", ("operator", "other_operator", "inspector_out")),
    ("review", ("operator", "other_operator", "inspector_out")),
]


@pytest.mark.parametrize(("name", "denied"), POSTS, ids=[row[0] for row in POSTS])
def test_denied_posts_write_nothing(world, name, denied):
    _patrol(world)
    path, body = _post_bodies(world)[name]
    if name == "answer":
        world["finding"].__class__.objects.filter(pk=world["finding"].pk).update(status="reopened")
        body = {**body, "photo": SimpleUploadedFile("fix.png", png(), content_type="image/png")}
    put_frame(world["camera"])
    before = counts()
    anonymous = client_for(None).post(path, body)
    assert anonymous.status_code == LOGIN
    for actor in denied:
        if "photo" in body:
            body["photo"].seek(0)
        response = client_for(world["users"][actor]).post(path, body)
        assert (actor, response.status_code) == (actor, 404)
    assert counts() == before
