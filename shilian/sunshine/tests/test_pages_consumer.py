"""The consumer page's production-room slot: live in working hours, the still otherwise,
nothing for a camera the workshop did not make public; the scan page carries the slot."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from shilian.core.testing import factories as f
from shilian.sunshine.actions.cameras import update_camera
from shilian.sunshine.actions.snapshots import refresh_public_still, still_jpeg
from shilian.sunshine.choices import CameraState
from shilian.sunshine.consumer import lot_of_token, room_token
from shilian.sunshine.forms import spec_of
from shilian.sunshine.models import Camera
from shilian.sunshine.recordings import add_recording
from shilian.sunshine.tests import pages_support
from shilian.sunshine.tests.pages_support import client_for, jpeg, put_frame
from shilian.sunshine.views import consumer, ratelimit
from shilian.sunshine.views.media import recording_signature

pytestmark = pytest.mark.django_db
world, video_dir = pages_support.world, pages_support.video_dir


def _lot(w):
    product = f.make_product(w["workshop"], name="年糕", gtin="6901234567892", shelf_life_days=30)
    raw = f.receive(w["workshop"], quantity="10", product_name="大米", lot_code="R1")
    return f.produce(w["workshop"], [(raw, "5")], product, "20")


def _hours(camera, start, end):
    spec = spec_of(camera)
    update_camera(camera, spec.__class__(**{**spec.__dict__, "work_start": start, "work_end": end}), acting_user=None)


def test_token_is_stable_and_signed():
    assert room_token(42) == room_token(42)
    assert lot_of_token(room_token(42)) == 42
    assert lot_of_token("42:forged") is None
    assert lot_of_token(room_token(42).replace("42", "43", 1)) is None


def test_the_scan_page_carries_the_slot_and_the_slot_plays_live(world):
    lot = _lot(world)
    Camera.objects.filter(pk=world["camera"].pk).update(state=CameraState.ONLINE)
    put_frame(world["camera"])
    page = client_for(None).get(f"/01/06901234567892/10/{lot.code}").content.decode()
    token = room_token(lot.pk)
    assert f'<iframe src="/v/room/{token}/" loading="lazy"' in page
    english = client_for(None).get(f"/01/06901234567892/10/{lot.code}?lang=en").content.decode()
    assert f'<iframe src="/v/room/{token}/?lang=en"' in english
    slot = client_for(None).get(f"/v/room/{token}/")
    assert slot.status_code == 200
    assert (slot["Cache-Control"], slot["X-Frame-Options"]) == ("no-cache", "SAMEORIGIN")
    body = slot.content.decode()
    assert "/static/vendor/hlsjs/hls.light.min.js" in body
    assert f'data-hls="/v/cameras/{world["camera"].pk}/live/index.m3u8"' in body
    assert f"/v/cameras/{world['storage'].pk}/" not in body  # the storage room is not public
    assert still_jpeg(world["camera"].pk).exists()  # renewed while consumers may watch


def test_outside_working_hours_the_slot_shows_the_still_from_within_them(world):
    lot = _lot(world)
    camera = world["camera"]
    Camera.objects.filter(pk=camera.pk).update(state=CameraState.ONLINE)
    put_frame(camera, jpeg((9, 9, 9)))
    assert refresh_public_still(camera) == still_jpeg(camera.pk)
    now = timezone.localtime()
    # working hours that ended a minute ago (and began two hours before): the still is from within them
    taken = now - dt.timedelta(hours=1)
    os.utime(still_jpeg(camera.pk), (taken.timestamp(), taken.timestamp()))
    _hours(
        camera,
        (now - dt.timedelta(hours=2)).time().replace(microsecond=0),
        (now - dt.timedelta(minutes=1)).time().replace(microsecond=0),
    )
    camera.refresh_from_db()
    assert refresh_public_still(camera) is None  # outside hours it is never renewed
    body = client_for(None).get(f"/v/room/{room_token(lot.pk)}/").content.decode()
    assert "data-hls" not in body
    assert "hls.light.min.js" not in body  # hls.js is loaded only to play live
    assert f"/v/cameras/{camera.pk}/still.jpg?v=" in body
    assert client_for(None).get(f"/v/cameras/{camera.pk}/still.jpg").status_code == 200
    assert client_for(None).get(f"/v/cameras/{camera.pk}/latest.jpg").status_code == 404
    # a still taken outside the hours (an older file, say) is never served
    late = now - dt.timedelta(seconds=30)
    os.utime(still_jpeg(camera.pk), (late.timestamp(), late.timestamp()))
    assert client_for(None).get(f"/v/cameras/{camera.pk}/still.jpg").status_code == 404


def test_offline_in_working_hours_says_so(world):
    lot = _lot(world)
    Camera.objects.filter(pk=world["camera"].pk).update(state=CameraState.OFFLINE)
    body = client_for(None).get(f"/v/room/{room_token(lot.pk)}/").content.decode()
    assert "data-hls" not in body
    assert "offline" in body.lower() or "离线" in body


def test_no_public_camera_and_no_recording_says_so(world):
    lot = _lot(world)
    Camera.objects.filter(pk=world["camera"].pk).update(public=False)
    body = client_for(None).get(f"/v/room/{room_token(lot.pk)}/").content.decode()
    assert "<video" not in body
    assert "暂未接入摄像头" in body
    assert client_for(None).get("/v/room/1:bad/").status_code == 404


def test_the_slot_is_rate_limited_per_client(world, settings):
    lot = _lot(world)
    settings.RATELIMIT_ENABLE = True
    original = ratelimit.ROOM_RATE
    ratelimit.ROOM_RATE = "2/m"
    try:
        consumer.ROOM_RATE = "2/m"
        client = client_for(None)
        statuses = [client.get(f"/v/room/{room_token(lot.pk)}/").status_code for _ in range(3)]
    finally:
        ratelimit.ROOM_RATE = original
        consumer.ROOM_RATE = original
    assert statuses == [200, 200, 429]


def _clip(w, camera, name="20260101-000000-r1.mp4", minutes_ago=2):
    folder = w["video_dir"] / "rec" / str(camera.pk)
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / name
    file.write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 8)
    now = timezone.now()
    return add_recording(camera, file, started_at=now - dt.timedelta(minutes=minutes_ago), ended_at=now)


def test_how_this_lot_was_made_lists_signed_segments_of_public_processing_rooms(world):
    lot = _lot(world)  # made just now
    shown = _clip(world, world["camera"])
    hidden = _clip(world, world["storage"], name="20260101-000001-r1.mp4")  # not a processing room, not public
    Camera.objects.filter(pk=world["camera"].pk).update(public=False)
    assert "/v/recordings/" not in client_for(None).get(f"/v/room/{room_token(lot.pk)}/").content.decode()
    Camera.objects.filter(pk=world["camera"].pk).update(public=True)
    body = client_for(None).get(f"/v/room/{room_token(lot.pk)}/?tab=making").content.decode()
    url = f"/v/recordings/{shown.pk}.mp4?s={recording_signature(shown)}"
    assert f'src="{url}"' in body
    assert f"/v/recordings/{hidden.pk}.mp4" not in body
    client = client_for(None)
    whole = client.get(url)
    assert (whole.status_code, whole["Accept-Ranges"], whole["Content-Type"]) == (200, "bytes", "video/mp4")
    part = client.get(url, headers={"Range": "bytes=4-11"})
    assert (part.status_code, part["Content-Range"], part.content) == (206, f"bytes 4-11/{shown.size}", b"ftypisom")
    tail = client.get(url, headers={"Range": "bytes=-4"})
    assert tail.content == bytes(range(252, 256))
    assert client.get(url, headers={"Range": f"bytes={shown.size}-"}).status_code == 416
    assert client.get(f"/v/recordings/{shown.pk}.mp4?s=forged").status_code == 404


def test_default_tab_is_the_making_of_when_no_camera_is_shown(world):
    lot = _lot(world)
    _clip(world, world["camera"])
    Camera.objects.filter(pk=world["camera"].pk).update(enabled=False)  # switched off later: no live slot
    body = client_for(None).get(f"/v/room/{room_token(lot.pk)}/").content.decode()
    assert 'class="making"' in body
    assert "making-tab" not in body  # no tabs: only one thing to show
