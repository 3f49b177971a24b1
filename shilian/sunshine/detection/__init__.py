"""Assistive detection (智能识别) on camera frames; see README.md beside this file.

Imported lazily: ``from shilian.sunshine.detection import DetectionRunner`` loads OpenCV, the
pages never do (they use ``detection.config`` and ``detection.stats`` only).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shilian.sunshine.actions.detections import record_hits
    from shilian.sunshine.detection.rules import Analyser, Hit, analyse
    from shilian.sunshine.detection.runner import DetectionRunner

_WHERE = {
    "Analyser": "shilian.sunshine.detection.rules",
    "Hit": "shilian.sunshine.detection.rules",
    "analyse": "shilian.sunshine.detection.rules",
    "DetectionRunner": "shilian.sunshine.detection.runner",
    "record_hits": "shilian.sunshine.actions.detections",
}

__all__ = ["Analyser", "DetectionRunner", "Hit", "analyse", "record_hits"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(name)
