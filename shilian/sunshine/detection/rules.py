"""The detection rules run on one camera frame: what each looks for, and per-camera memory.

Every hit is only a suspicion for a person to review (``actions.detections``). Rules:

- ``no_mask``: in rooms where food is handled, a face (res10) whose mask classifier says
  "no mask" with p ≥ ``NO_MASK_MIN``.
- ``unattended``: at a workstation that should be staffed, within working hours, nobody
  (no face, no person-sized movement) for ``unattended_after()`` seconds.
- ``after_hours_motion``: in a storage room outside working hours, a moving blob of
  plausible size (a pest proxy: rodents move at night).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import cv2
import numpy as np

from shilian.sunshine.access import within_working_hours
from shilian.sunshine.choices import DetectionRule, Room
from shilian.sunshine.detection.config import unattended_after
from shilian.sunshine.detection.faces import Box, Face, detect_faces, no_mask_probabilities
from shilian.sunshine.detection.motion import MotionModel
from shilian.sunshine.detection.nets import ModelMissingError

logger = logging.getLogger("shilian.sunshine.detection")

MASK_ROOMS = frozenset({Room.PROCESSING, Room.PACKING, Room.HANDWASH})
FACE_MIN = 0.80  # a face sure enough to judge its mask
PRESENCE_FACE_MIN = 0.50  # any face at all: somebody is there
NO_MASK_MIN = 0.80
PERSON_SHARE = 0.01  # a moving blob this big (share of the frame) is a person
MAX_FACES = 8


@dataclass(frozen=True)
class Hit:
    """One rule's suspicion on one frame; ``boxes`` are x, y, w, h in the frame's pixels."""

    rule: str
    score: float
    boxes: tuple[Box, ...] = ()
    note: str = ""


@dataclass
class CameraMemory:
    """What the rules remember about one camera between frames."""

    motion: MotionModel = field(default_factory=MotionModel)
    last_seen_at: datetime | None = None  # somebody seen (or the shift's first frame)
    was_working: bool = False


class Analyser:
    """Runs the rules; keeps one ``CameraMemory`` per camera id (one analysing thread at a time)."""

    def __init__(self) -> None:
        self.memory: dict[int, CameraMemory] = {}
        self.warned = False

    def _warn(self, exc: Exception) -> None:
        if not self.warned:  # once per process, not every five seconds per camera
            self.warned = True
            logger.error("face rules off: %s", exc)

    def forget(self, camera_id: int) -> None:
        self.memory.pop(camera_id, None)

    def analyse(self, camera: Any, jpeg: bytes, now: datetime) -> list[Hit]:
        frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        if frame is None:
            raise ValueError("not a decodable JPEG")
        memory = self.memory.setdefault(camera.pk, CameraMemory())
        working = within_working_hours(camera, now)
        staffed_now = bool(camera.staffed) and working
        hits: list[Hit] = []

        faces: list[Face] = []
        faces_known = True
        if camera.room in MASK_ROOMS or staffed_now:
            try:
                faces = detect_faces(frame, PRESENCE_FACE_MIN)
            except ModelMissingError as exc:  # the motion rule still runs
                faces_known = False
                self._warn(exc)
        if camera.room in MASK_ROOMS and faces_known:
            judged = [face for face in faces if face.confidence >= FACE_MIN][:MAX_FACES]
            try:
                probabilities = no_mask_probabilities(frame, judged)
            except ModelMissingError as exc:
                probabilities = [0.0] * len(judged)
                self._warn(exc)
            unmasked = [(p, face) for p, face in zip(probabilities, judged, strict=True) if p >= NO_MASK_MIN]
            if unmasked:
                hits.append(
                    Hit(
                        DetectionRule.NO_MASK,
                        round(max(p for p, _ in unmasked), 4),
                        tuple(face.box for _, face in unmasked),
                        f"{len(unmasked)} face(s) without a mask",
                    )
                )

        blobs = []
        if camera.room == Room.STORAGE or staffed_now:
            blobs = memory.motion.update(frame)
        if camera.room == Room.STORAGE and not working and blobs:
            moved = sum(blob.share for blob in blobs)
            hits.append(
                Hit(
                    DetectionRule.AFTER_HOURS_MOTION,
                    round(min(1.0, moved / 0.01), 4),
                    tuple(blob.box for blob in blobs[:MAX_FACES]),
                    f"{len(blobs)} moving object(s), {moved:.2%} of the picture",
                )
            )

        if staffed_now and faces_known:
            present = bool(faces) or any(blob.share >= PERSON_SHARE for blob in blobs)
            if present or not memory.was_working or memory.last_seen_at is None:
                memory.last_seen_at = now  # somebody there, or the shift (or our watch) starts
            absent = (now - memory.last_seen_at).total_seconds()
            if absent >= unattended_after():
                hits.append(Hit(DetectionRule.UNATTENDED, 1.0, (), f"nobody seen for {int(absent // 60)} min"))
                memory.last_seen_at = now  # the next report only after another full period
        memory.was_working = working
        return hits


default_analyser = Analyser()


def analyse(camera: Any, jpeg: bytes, now: datetime) -> list[Hit]:
    """Run the rules on one JPEG frame of ``camera`` taken at ``now`` (no DB access)."""
    return default_analyser.analyse(camera, jpeg, now)
