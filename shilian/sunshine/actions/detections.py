"""Detections (智能识别): hits stored as suspicions, then confirmed or dismissed by an inspector.

``record_hits`` is called by the video supervisor's detection runner (no acting user): one
snapshot of the analysed frame and one ``suspected`` Detection per rule, unless the same rule
hit the same camera within the cooldown. Review is a person's: ``review_detection``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.sunshine.actions.snapshots import store_snapshot
from shilian.sunshine.choices import DetectionRule, DetectionStatus, SnapshotPurpose
from shilian.sunshine.detection.config import detection_cooldown
from shilian.sunshine.models import Camera, Detection


class HitLike(Protocol):
    """What ``record_hits`` needs of a hit (``shilian.sunshine.detection.Hit``)."""

    @property
    def rule(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def note(self) -> str: ...


def record_hits(
    camera: Camera,
    hits: Sequence[HitLike],
    jpeg: bytes,
    *,
    now: dt.datetime | None = None,
    cooldown: float | None = None,
) -> list[Detection]:
    """Store the hits of one analysed frame as suspected detections (with its snapshot).

    Writes nothing for no hits, or when every rule hit already has a detection on this
    camera within ``cooldown`` seconds (any status: a dismissed false alarm is not asked
    again every five seconds either). Returns the detections created.
    """
    if not hits:
        return []
    if cooldown is None:
        cooldown = detection_cooldown()
    now = now or timezone.now()
    best: dict[str, HitLike] = {}
    for hit in hits:
        DetectionRule(hit.rule)  # ValueError on an unknown rule: a programming error
        if hit.rule not in best or hit.score > best[hit.rule].score:
            best[hit.rule] = hit
    recent = set(
        Detection.objects.filter(
            camera=camera, rule__in=list(best), detected_at__gt=now - dt.timedelta(seconds=cooldown)
        ).values_list("rule", flat=True)
    )
    fresh = [hit for rule, hit in best.items() if rule not in recent]
    if not fresh:
        return []
    with transaction.atomic():
        snapshot = store_snapshot(camera, jpeg, taken_at=now, purpose=SnapshotPurpose.DETECTION)
        detections = []
        for hit in fresh:
            detection = Detection.objects.create(
                camera=camera, rule=hit.rule, detected_at=now, score=float(hit.score), snapshot=snapshot
            )
            record(
                "sunshine.detection.suspect",
                detection,
                acting_user=None,
                jurisdiction_code=camera.enterprise.jurisdiction_id,
                camera=camera.pk,
                rule=hit.rule,
                score=float(hit.score),
                note=hit.note,
                snapshot=snapshot.pk,
            )
            detections.append(detection)
    return detections


@transaction.atomic
def review_detection(detection: Detection, *, confirmed: bool, acting_user: Any) -> Detection:
    """An inspector's verdict on a suspected detection: confirmed, or dismissed as a false alarm.

    Only a ``suspected`` detection can be reviewed (``already_reviewed`` otherwise, e.g.
    when a colleague was quicker); the row is locked so two verdicts cannot both land.
    """
    status = Detection.objects.select_for_update().values_list("status", flat=True).get(pk=detection.pk)
    if status != DetectionStatus.SUSPECTED:
        raise DomainError(
            "already_reviewed",
            "该识别结果已复核 / this detection has already been reviewed",
            field="status",
        )
    after = DetectionStatus.CONFIRMED if confirmed else DetectionStatus.DISMISSED
    now = timezone.now()
    Detection.objects.filter(pk=detection.pk).update(status=after, reviewed_by=acting_user, reviewed_at=now)
    detection.status, detection.reviewed_by, detection.reviewed_at = after, acting_user, now
    record(
        "sunshine.detection.review",
        detection,
        acting_user=acting_user,
        jurisdiction_code=detection.camera.enterprise.jurisdiction_id,
        camera=detection.camera_id,
        rule=detection.rule,
        before=str(status),
        after=str(after),
    )
    return detection
