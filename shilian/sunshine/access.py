"""The sunshine app's access funnel: who may see which camera, recording, snapshot and finding.

Operators see and manage their own enterprise's cameras; inspectors see every camera of
their jurisdiction subtree, at any hour; consumers (anonymous) see a camera only when the
workshop made it public and it is within its working hours (``consumer_may_watch``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from shilian.core.access import Perm
from shilian.core.errors import NotFoundError
from shilian.registry.access import enterprise_filter, scope_for
from shilian.sunshine.models import Camera, Detection, Finding, Patrol


def cameras_for(user: Any, perm: str = Perm.VIEW) -> Any:
    return Camera.objects.filter(enterprise_filter(user, perm, prefix="enterprise__"))


def access_camera(user: Any, pk: int | str, perm: str = Perm.VIEW) -> Camera:
    """The camera, if the user may ``perm`` its enterprise; one NotFoundError for missing and forbidden."""
    try:
        return cameras_for(user, perm).select_related("enterprise").get(pk=int(pk))
    except (Camera.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("camera") from None


def within_working_hours(camera: Camera, when: datetime | None = None) -> bool:
    local = timezone.localtime(when or timezone.now())
    if str(local.isoweekday()) not in camera.work_days:
        return False
    if camera.work_start == camera.work_end:
        return True  # the same start and end: around the clock on working days
    now = local.time()
    if camera.work_start < camera.work_end:
        return camera.work_start <= now < camera.work_end
    return now >= camera.work_start or now < camera.work_end  # a night shift over midnight


def consumer_may_watch(camera: Camera, when: datetime | None = None) -> bool:
    """A consumer sees a camera only if it is enabled, public, and within its working hours."""
    return camera.enabled and camera.public and within_working_hours(camera, when)


def findings_for(user: Any, perm: str = Perm.VIEW) -> Any:
    """Findings of the user's own enterprises (operators) or jurisdiction subtree (inspectors)."""
    return Finding.objects.filter(
        scope_for(user).q(Perm(perm), enterprise_field="enterprise", division_field="jurisdiction_code")
    )


def access_finding(user: Any, pk: int | str, perm: str = Perm.VIEW) -> Finding:
    try:
        return findings_for(user, perm).select_related("enterprise", "camera", "snapshot").get(pk=int(pk))
    except (Finding.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("finding") from None


def detections_for(user: Any, perm: str = Perm.SUPERVISE) -> Any:
    return Detection.objects.filter(enterprise_filter(user, perm, prefix="camera__enterprise__"))


def access_detection(user: Any, pk: int | str, perm: str = Perm.SUPERVISE) -> Detection:
    try:
        return detections_for(user, perm).select_related("camera", "snapshot").get(pk=int(pk))
    except (Detection.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("detection") from None


def patrols_for(user: Any) -> Any:
    """Patrols of the areas the user supervises (by the patrol's jurisdiction)."""
    return Patrol.objects.filter(
        scope_for(user).q(Perm.SUPERVISE, enterprise_field="pk", division_field="jurisdiction__code")
    )


def access_patrol(user: Any, pk: int | str) -> Patrol:
    try:
        return patrols_for(user).select_related("jurisdiction", "inspector").get(pk=int(pk))
    except (Patrol.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("patrol") from None
