"""Recordings: indexing finished segments, "how this lot was made", retention by age and free disk."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from django.utils import timezone

from shilian.chain.models import Lot
from shilian.core.testing import factories as f
from shilian.sunshine import paths
from shilian.sunshine.choices import Room
from shilian.sunshine.models import Recording
from shilian.sunshine.recordings import NO_EXPIRY, add_recording, apply_retention, index_finished, making_of
from shilian.sunshine.tests.video_support import config, make_camera

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def video_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def segment(camera, start: dt.datetime, minutes: float = 1.0, size: int = 2048) -> Recording:
    file = paths.video_root() / f"seg-{camera.pk}-{start:%H%M%S}.mp4"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(b"\0" * size)
    return add_recording(camera, file, started_at=start, ended_at=start + dt.timedelta(minutes=minutes))


def made_lot(enterprise, *, expires_in_days: int | None) -> Lot:
    product = (
        f.make_product(enterprise, shelf_life_days=expires_in_days) if expires_in_days else f.make_product(enterprise)
    )
    flour = f.receive(enterprise)
    lot = f.produce(enterprise, [(flour, "5")], product)
    if expires_in_days is None:
        Lot.objects.filter(pk=lot.pk).update(expires_on=None)
    else:
        Lot.objects.filter(pk=lot.pk).update(expires_on=timezone.localdate() + dt.timedelta(days=expires_in_days))
    lot.refresh_from_db()
    return lot


def test_index_finished_moves_segments_to_day_folders_and_skips_the_one_being_written():
    camera = make_camera()
    top = paths.recordings_dir(camera.pk)
    top.mkdir(parents=True)
    done, writing, tiny = top / "20261129-020000-r1.mp4", top / "20261129-020100-r1.mp4", top / "20261129-015900-r1.mp4"
    done.write_bytes(b"x" * 5000)
    writing.write_bytes(b"x" * 5000)
    tiny.write_bytes(b"x" * 10)
    old = time.time() - 60
    os.utime(done, (old, old))
    os.utime(tiny, (old, old))
    made = index_finished([camera.pk], settle_seconds=10)
    assert [r.path for r in made] == [f"rec/{camera.pk}/2026-11-29/20261129-020000-r1.mp4"]
    recording = made[0]
    assert recording.started_at == dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)
    assert recording.size == 5000
    assert (paths.video_root() / recording.path).exists()
    assert writing.exists()
    assert not tiny.exists()
    assert index_finished([camera.pk], settle_seconds=10) == []  # nothing new


def test_making_of_returns_the_processing_room_recordings_around_the_transformation():
    enterprise = f.make_enterprise()
    room = make_camera(enterprise)
    store = make_camera(enterprise, name="仓库", room=Room.STORAGE)
    other = make_camera(f.make_enterprise(), name="别家")
    lot = made_lot(enterprise, expires_in_days=3)
    made_at = lot.event_lines.get(role="output").event.occurred_at
    inside = segment(room, made_at - dt.timedelta(minutes=10))
    just_after = segment(room, made_at + dt.timedelta(minutes=4))
    segment(room, made_at - dt.timedelta(minutes=45))  # before the 30-minute window
    segment(room, made_at + dt.timedelta(minutes=6))  # after the 5 minutes
    segment(store, made_at - dt.timedelta(minutes=1))  # not a processing room
    segment(other, made_at - dt.timedelta(minutes=1))  # another enterprise
    assert making_of(lot) == [inside, just_after]
    assert making_of(f.receive(enterprise)) == []  # a received lot was not made here


def test_retention_by_age_keeps_what_shows_the_making_of_a_lot_on_the_market():
    enterprise = f.make_enterprise()
    room = make_camera(enterprise)
    on_market = made_lot(enterprise, expires_in_days=10)
    no_expiry = made_lot(enterprise, expires_in_days=None)
    made_at = on_market.event_lines.get(role="output").event.occurred_at
    kept = segment(room, made_at - dt.timedelta(minutes=2))
    lone = segment(room, made_at - dt.timedelta(hours=3))
    recent = segment(room, made_at + dt.timedelta(minutes=20))
    later = made_at + dt.timedelta(days=31)
    result = apply_retention(config(retention_days=30), now=later, free_bytes=10**12)
    assert (result.deleted_by_age, result.pinned) == (2, 1)
    kept.refresh_from_db()
    assert kept.keep_until == NO_EXPIRY  # the lot without expiry pins it for good
    assert not Recording.objects.filter(pk=lone.pk).exists()
    assert not (paths.video_root() / lone.path).exists()
    assert not Recording.objects.filter(pk=recent.pk).exists()  # 20 min after: outside the window
    assert no_expiry.expires_on is None


def test_retention_pins_until_expiry_then_lets_go():
    enterprise = f.make_enterprise()
    room = make_camera(enterprise)
    lot = made_lot(enterprise, expires_in_days=10)
    made_at = lot.event_lines.get(role="output").event.occurred_at
    kept = segment(room, made_at - dt.timedelta(minutes=2))
    apply_retention(config(retention_days=1), now=made_at + dt.timedelta(days=2), free_bytes=10**12)
    kept.refresh_from_db()
    assert kept.keep_until == lot.expires_on
    apply_retention(config(retention_days=1), now=made_at + dt.timedelta(days=12), free_bytes=10**12)
    assert not Recording.objects.filter(pk=kept.pk).exists()  # the lot is off the market


def test_retention_by_free_disk_deletes_oldest_unpinned_first_then_reports_full():
    enterprise = f.make_enterprise()
    room = make_camera(enterprise)
    base = timezone.now() - dt.timedelta(hours=5)
    first, second, third = (segment(room, base + dt.timedelta(minutes=i), size=1000) for i in range(3))
    Recording.objects.filter(pk=first.pk).update(keep_until=timezone.localdate() + dt.timedelta(days=5))
    result = apply_retention(config(min_free_bytes=5000), free_bytes=3500)  # 1,500 bytes short
    assert result.deleted_for_space == 2
    assert result.pinned_deleted_for_space == 0
    assert not result.disk_full
    assert list(Recording.objects.values_list("pk", flat=True)) == [first.pk]
    result = apply_retention(config(min_free_bytes=10**9), free_bytes=0)
    assert result.pinned_deleted_for_space == 1
    assert result.disk_full
    assert not Recording.objects.exists()
    assert not (paths.video_root() / third.path).exists()
    assert not (paths.video_root() / second.path).exists()
