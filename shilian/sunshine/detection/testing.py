"""Synthetic camera frames for the detection tests and the bench (no downloaded data sets).

``kitchen`` draws a 640x360 processing room (tiles, a steel counter, sensor noise); a real
photograph of a face (``tests/detection_data/hopper.jpg``, public domain) is pasted into it,
with or without a drawn surgical mask; ``storeroom`` is a dark storage room where a small
"rodent" blob can be drawn.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

FACE_PHOTO = Path(__file__).resolve().parents[1] / "tests" / "detection_data" / "hopper.jpg"
# The face inside FACE_PHOTO (x, y, w, h), as res10 finds it.
FRAME_SIZE = (640, 360)


def face_photo(*, masked: bool = False) -> np.ndarray:
    """The face photograph (155x180 BGR), optionally wearing a drawn light-blue surgical mask."""
    photo = cv2.imread(str(FACE_PHOTO))
    if photo is None:
        raise FileNotFoundError(FACE_PHOTO)
    if masked:
        draw_mask(photo)
    return photo


def draw_mask(photo: np.ndarray) -> None:
    """Draw a light-blue surgical mask from below the glasses to the chin, with ear loops."""
    top, left, right, bottom = 90, 33, 121, 160
    middle = (left + right) // 2
    outline = np.array(
        [[left + 5, top + 8], [middle, top], [right - 5, top + 8], [right, top + 38],
         [right - 15, bottom - 8], [middle, bottom], [left + 15, bottom - 8], [left, top + 38]]
    )  # fmt: skip
    overlay: np.ndarray = np.zeros(photo.shape[:2], np.uint8)
    cv2.fillPoly(overlay, [outline], 255)
    overlay = cv2.GaussianBlur(overlay, (5, 5), 0).astype(np.uint8)
    fabric = np.empty_like(photo)
    for row in range(photo.shape[0]):  # lit from above: the lower part is shaded
        shade = 1.0 - 0.25 * max(0, row - top) / (bottom - top)
        fabric[row, :] = (int(235 * shade), int(205 * shade), int(160 * shade))
    alpha = (overlay.astype(np.float32) / 255.0)[..., None]
    np.copyto(photo, (photo * (1 - alpha) + fabric * alpha).astype(np.uint8))
    cv2.line(photo, (left + 4, top + 10), (14, top - 6), (225, 225, 225), 2)  # ear loops
    cv2.line(photo, (right - 4, top + 10), (140, top - 6), (225, 225, 225), 2)


def kitchen(seed: int = 0) -> np.ndarray:
    """An empty processing room: wall tiles, a steel counter, some sensor noise."""
    rng = np.random.default_rng(seed)
    width, height = FRAME_SIZE
    frame = np.full((height, width, 3), (200, 205, 208), np.uint8)
    for x in range(0, width, 40):
        cv2.line(frame, (x, 0), (x, 200), (170, 175, 178), 1)
    for y in range(0, 200, 40):
        cv2.line(frame, (0, y), (width, y), (170, 175, 178), 1)
    cv2.rectangle(frame, (0, 230), (width, height), (150, 150, 155), -1)  # counter
    cv2.rectangle(frame, (60, 250), (180, 300), (90, 120, 160), -1)  # a cutting board
    cv2.rectangle(frame, (420, 240), (560, 290), (120, 120, 120), -1)  # a tray
    noise = rng.normal(0, 3, frame.shape)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


def with_person(frame: np.ndarray, *, masked: bool, at: tuple[int, int] = (250, 40)) -> np.ndarray:
    """The frame with the face photograph pasted at ``at`` (top-left), masked or not."""
    out = frame.copy()
    photo = face_photo(masked=masked)
    x, y = at
    h, w = photo.shape[:2]
    out[y : y + h, x : x + w] = photo
    return out


def storeroom(seed: int = 0, *, rodent_at: tuple[int, int] | None = None) -> np.ndarray:
    """A dark storage room with shelves and strong sensor noise; optionally a small moving blob."""
    rng = np.random.default_rng(seed)
    width, height = FRAME_SIZE
    frame = np.full((height, width, 3), 28, np.uint8)
    for y in (90, 180, 270):
        cv2.rectangle(frame, (40, y), (600, y + 12), (60, 60, 62), -1)  # shelves
    cv2.rectangle(frame, (80, 40), (160, 90), (50, 55, 60), -1)  # boxes
    cv2.rectangle(frame, (300, 130), (380, 180), (48, 52, 58), -1)
    if rodent_at is not None:
        cv2.ellipse(frame, rodent_at, (14, 7), 0, 0, 360, (95, 95, 100), -1)
    noise = rng.normal(0, 6, frame.shape)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


def jpeg(frame: np.ndarray, quality: int = 80) -> bytes:
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return data.tobytes()
