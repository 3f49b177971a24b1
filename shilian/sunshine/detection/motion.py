"""Movement in a frame against a learned background (MOG2), as blobs of plausible size.

Fed one frame every few seconds, the background model absorbs lighting drift and sensor
noise; what stays is something that moved since the last frames. A change over most of the
frame (lights switched on or off, the camera's IR mode) is not movement: the model starts
again and says nothing until it has seen a few frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_SIZE = (320, 180)  # frames are analysed at this size (x, y)
HISTORY = 60  # frames: about 5 minutes at one frame per 5 s
VAR_THRESHOLD = 25.0
WARMUP_FRAMES = 3
MIN_BLOB = 0.0002  # share of the frame: about 12 px at 320x180, a mouse a few metres away
MAX_BLOB = 0.20
RELIGHT = 0.40  # more than this share changed at once: lights or IR switched, not movement

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Blob:
    box: Box  # x, y, w, h in the ORIGINAL frame's pixels
    share: float  # area as a share of the frame


class MotionModel:
    """One camera's background model."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.subtractor = cv2.createBackgroundSubtractorMOG2(
            history=HISTORY, varThreshold=VAR_THRESHOLD, detectShadows=False
        )
        self.frames = 0

    @property
    def warm(self) -> bool:
        return self.frames > WARMUP_FRAMES

    def update(self, frame: np.ndarray) -> list[Blob]:
        """Feed a BGR frame; the moving blobs (empty while warming up or after a relight)."""
        height, width = frame.shape[:2]
        small = cv2.cvtColor(cv2.resize(frame, WORK_SIZE, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
        small = cv2.GaussianBlur(small, (5, 5), 0)
        foreground = self.subtractor.apply(small)
        self.frames += 1
        if not self.warm:
            return []
        changed = cv2.countNonZero(foreground) / foreground.size
        if changed > RELIGHT:
            self.reset()
            self.subtractor.apply(small)
            self.frames = 1
            return []
        foreground = cv2.morphologyEx(foreground, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        foreground = cv2.dilate(foreground, np.ones((3, 3), np.uint8))
        contours, _ = cv2.findContours(foreground, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        sx, sy = width / WORK_SIZE[0], height / WORK_SIZE[1]
        blobs = []
        for contour in contours:
            share = cv2.contourArea(contour) / foreground.size
            if MIN_BLOB <= share <= MAX_BLOB:
                x, y, w, h = cv2.boundingRect(contour)
                blobs.append(Blob((int(x * sx), int(y * sy), int(w * sx), int(h * sy)), share))
        return sorted(blobs, key=lambda blob: -blob.share)
