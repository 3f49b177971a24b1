"""Faces in a frame (res10 SSD) and, for each, the probability that it wears no mask."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from shilian.sunshine.detection.nets import NET_LOCK, face_net, mask_net

FACE_INPUT = (300, 300)
FACE_MEAN = (104.0, 177.0, 123.0)
MASK_INPUT = (224, 224)
MIN_FACE_PIXELS = 12  # a smaller crop says nothing about a mask

Box = tuple[int, int, int, int]  # x, y, width, height in the frame's pixels


@dataclass(frozen=True)
class Face:
    box: Box
    confidence: float


def detect_faces(frame: np.ndarray, min_confidence: float) -> list[Face]:
    """Faces found by the res10 SSD with at least ``min_confidence``, best first."""
    height, width = frame.shape[:2]
    blob = cv2.dnn.blobFromImage(cv2.resize(frame, FACE_INPUT), 1.0, FACE_INPUT, FACE_MEAN)
    with NET_LOCK:
        net = face_net()
        net.setInput(blob)
        out = net.forward()
    faces = []
    for row in out[0, 0]:
        confidence = float(row[2])
        if confidence < min_confidence:
            continue
        x0, y0, x1, y1 = (np.clip(row[3:7], 0.0, 1.0) * [width, height, width, height]).astype(int)
        if x1 - x0 >= MIN_FACE_PIXELS and y1 - y0 >= MIN_FACE_PIXELS:
            faces.append(Face((int(x0), int(y0), int(x1 - x0), int(y1 - y0)), confidence))
    return sorted(faces, key=lambda face: -face.confidence)


def no_mask_probabilities(frame: np.ndarray, faces: list[Face]) -> list[float]:
    """For each face, p(no mask) from the MobileNetV2 classifier (MobileNetV2 scaling to [-1, 1])."""
    if not faces:
        return []
    crops = [cv2.resize(frame[y : y + h, x : x + w], MASK_INPUT) for x, y, w, h in (face.box for face in faces)]
    blob = cv2.dnn.blobFromImages(crops, 1 / 127.5, MASK_INPUT, (127.5, 127.5, 127.5), swapRB=True)
    with NET_LOCK:
        net = mask_net()
        net.setInput(blob)
        out = net.forward()
    return [float(row[1]) for row in out.reshape(len(faces), 2)]
