"""Detection settings: from Django settings if set there, else the environment, else the default.

Light on purpose (no OpenCV): the actions and the pages import it.
"""

from __future__ import annotations

import os

from django.conf import settings


def _setting(name: str, default: float) -> float:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if value in (None, ""):
        return default
    number = float(value)
    if number <= 0:
        raise ValueError(f"{name} must be a positive number of seconds")
    return number


def detection_interval() -> float:
    """Seconds between two analyses of one camera (``SHILIAN_DETECTION_INTERVAL_S``, default 5)."""
    return _setting("SHILIAN_DETECTION_INTERVAL_S", 5.0)


def detection_cooldown() -> float:
    """Seconds before the same rule may hit the same camera again (``SHILIAN_DETECTION_COOLDOWN_S``, 600)."""
    return _setting("SHILIAN_DETECTION_COOLDOWN_S", 600.0)


def unattended_after() -> float:
    """Seconds without anybody at a staffed workstation before it is reported (``SHILIAN_UNATTENDED_AFTER_S``, 600)."""
    return _setting("SHILIAN_UNATTENDED_AFTER_S", 600.0)
