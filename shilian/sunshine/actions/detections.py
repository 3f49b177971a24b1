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
from shilian.sunshine.actions.patrols import issue_terms
from shilian.sunshine.actions.snapshots import store_snapshot
from shilian.sunshine.choices import (
    ChecklistItem,
    DetectionRule,
    DetectionStatus,
    FindingResult,
    FindingStatus,
    SnapshotPurpose,
)
from shilian.sunshine.detection.config import detection_cooldown
from shilian.sunshine.models import Camera, Detection, Finding

# The checklist item a confirmed detection is a finding about.
RULE_ITEM = {
    DetectionRule.NO_MASK: ChecklistItem.CAPS_MASKS,
    DetectionRule.UNATTENDED: ChecklistItem.OTHER,
    DetectionRule.AFTER_HOURS_MOTION: ChecklistItem.PESTS,
}


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


def finding_of(detection: Detection) -> Finding | None:
    """The finding raised from a detection (it carries the detection's snapshot)."""
    return Finding.objects.filter(snapshot_id=detection.snapshot_id).first()


@transaction.atomic
def raise_finding(detection: Detection, *, note: str, deadline: dt.date | None, acting_user: Any) -> Finding:
    """A confirmed detection becomes an issue for the workshop to fix, with its snapshot as evidence.

    The workshop sees it with its patrol findings and answers with a photo; the inspector closes
    or reopens it. Once per detection.
    """
    status = Detection.objects.select_for_update().values_list("status", flat=True).get(pk=detection.pk)
    if status != DetectionStatus.CONFIRMED:
        raise DomainError("not_confirmed", "请先确认该识别结果 / confirm the detection first", field="status")
    if finding_of(detection) is not None:
        raise DomainError(
            "already_raised", "已为该识别结果下发整改 / a finding was already raised for it", field="detection"
        )
    note, deadline = issue_terms(note, deadline)
    enterprise = detection.camera.enterprise
    finding = Finding.objects.create(
        patrol=None,
        enterprise=enterprise,
        jurisdiction_code=enterprise.jurisdiction_id,
        camera=detection.camera,
        snapshot=detection.snapshot,
        item=RULE_ITEM[DetectionRule(detection.rule)],
        result=FindingResult.ISSUE,
        note=note,
        deadline=deadline,
        status=FindingStatus.OPEN,
        created_by=acting_user,
    )
    record(
        "sunshine.finding.record",
        finding,
        acting_user=acting_user,
        jurisdiction_code=finding.jurisdiction_code,
        detection=detection.pk,
        enterprise=enterprise.pk,
        item=finding.item,
        result=finding.result,
        deadline=deadline.isoformat(),
        snapshot=detection.snapshot_id,
    )
    return finding
