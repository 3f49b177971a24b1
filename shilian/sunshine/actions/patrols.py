"""Online patrol (线上巡查): pick workshops, record findings, the workshop answers, the inspector closes.

A finding is compliant (closed at once) or an issue with a deadline. An issue is ``open``
until the workshop answers with a photo (``answered``); the inspector then closes it, or
reopens it (``reopened``) and the workshop answers again.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from shilian.core.errors import DomainError
from shilian.core.history import record
from shilian.registry.models import Enterprise, Jurisdiction
from shilian.sunshine.choices import ChecklistItem, FindingResult, FindingStatus
from shilian.sunshine.models import Camera, Finding, FindingReply, Patrol, Snapshot

RANDOM_MAX = 50
PATROL_MAX = 50
NOTE_MAX = 2000
# The statuses in which the workshop still has to act.
WAITING_FOR_WORKSHOP = (FindingStatus.OPEN, FindingStatus.REOPENED)


@dataclass(frozen=True)
class ReplyPhoto:
    """An answer's photo, already checked (type sniffed from its bytes, size limited)."""

    content_type: str
    sha256: str
    data: bytes
    extension: str


def _in(jurisdiction: Jurisdiction, enterprise: Enterprise) -> bool:
    return str(enterprise.jurisdiction_id).startswith(jurisdiction.prefix)


def patrol_candidates(jurisdiction: Jurisdiction) -> Any:
    """Workshops of the jurisdiction subtree with at least one enabled camera (the random pool)."""
    return (
        Enterprise.objects.filter(jurisdiction__code__startswith=jurisdiction.prefix, cameras__enabled=True)
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def start_patrol(
    jurisdiction: Jurisdiction,
    *,
    acting_user: Any,
    enterprises: Iterable[Enterprise] = (),
    random_count: int = 0,
) -> Patrol:
    """A patrol of the workshops picked by hand, or of ``random_count`` picked at random (双随机)
    among the jurisdiction's workshops with cameras. The caller checked the inspector may
    supervise ``jurisdiction``."""
    picked = list({enterprise.pk: enterprise for enterprise in enterprises}.values())
    if picked and random_count:
        raise DomainError(
            "pick_one_way",
            "请手动选择或随机抽取，二选一 / pick workshops or draw at random, not both",
            field="random_count",
        )
    if random_count:
        if not 1 <= random_count <= RANDOM_MAX:
            raise DomainError("bad_count", f"随机抽取1到{RANDOM_MAX}家 / draw 1 to {RANDOM_MAX}", field="random_count")
        pool = list(patrol_candidates(jurisdiction))
        if not pool:
            raise DomainError(
                "no_workshops",
                "辖区内没有接入摄像头的作坊 / no workshop in this area has a camera",
                field="random_count",
            )
        picked = random.SystemRandom().sample(pool, min(random_count, len(pool)))
    if not picked:
        raise DomainError("missing_field", "请选择要巡查的作坊 / pick the workshops to patrol", field="enterprises")
    if len(picked) > PATROL_MAX:
        raise DomainError(
            "bad_count", f"一次最多巡查{PATROL_MAX}家 / at most {PATROL_MAX} per patrol", field="enterprises"
        )
    outside = [enterprise.name for enterprise in picked if not _in(jurisdiction, enterprise)]
    if outside:
        raise DomainError("outside", f"不在辖区内 / not in this area: {'、'.join(outside)}", field="enterprises")
    patrol = Patrol.objects.create(inspector=acting_user, jurisdiction=jurisdiction, random=bool(random_count))
    patrol.enterprises.set(picked)
    record(
        "sunshine.patrol.start",
        patrol,
        acting_user=acting_user,
        jurisdiction_code=jurisdiction.code,
        enterprises=sorted(enterprise.pk for enterprise in picked),
        random=bool(random_count),
    )
    return patrol


@transaction.atomic
def finish_patrol(patrol: Patrol, *, acting_user: Any) -> Patrol:
    if patrol.finished_at is not None:
        raise DomainError("finished", "巡查已结束 / the patrol is already finished", field="patrol")
    patrol.finished_at = timezone.now()
    Patrol.objects.filter(pk=patrol.pk).update(finished_at=patrol.finished_at)
    findings = Finding.objects.filter(patrol=patrol).count()
    record(
        "sunshine.patrol.finish",
        patrol,
        acting_user=acting_user,
        jurisdiction_code=patrol.jurisdiction_id,
        findings=findings,
    )
    return patrol


def _note(note: str, *, required: bool, message: str) -> str:
    note = note.strip()
    if required and not note:
        raise DomainError("missing_field", message, field="note")
    if len(note) > NOTE_MAX:
        raise DomainError("too_long", f"说明最多{NOTE_MAX}字 / at most {NOTE_MAX} characters", field="note")
    return note


@transaction.atomic
def record_finding(
    patrol: Patrol,
    enterprise: Enterprise,
    *,
    item: str,
    result: str,
    acting_user: Any,
    note: str = "",
    deadline: dt.date | None = None,
    camera: Camera | None = None,
    snapshot: Snapshot | None = None,
) -> Finding:
    """One checklist finding of the patrol about one of its workshops."""
    if patrol.finished_at is not None:
        raise DomainError("finished", "巡查已结束 / the patrol is already finished", field="patrol")
    if not patrol.enterprises.filter(pk=enterprise.pk).exists():
        raise DomainError(
            "not_in_patrol", "该作坊不在本次巡查中 / this workshop is not in the patrol", field="enterprise"
        )
    if item not in ChecklistItem.values:
        raise DomainError("bad_choice", "请选择检查项 / pick a checklist item", field="item")
    if result not in FindingResult.values:
        raise DomainError("bad_choice", "请选择结论 / pick a result", field="result")
    if camera is not None and camera.enterprise_id != enterprise.pk:
        raise DomainError("wrong_camera", "摄像头不属于该作坊 / the camera is not this workshop's", field="camera")
    if snapshot is not None and (
        snapshot.camera.enterprise_id != enterprise.pk or (camera and snapshot.camera_id != camera.pk)
    ):
        raise DomainError(
            "wrong_snapshot", "抓拍不属于该摄像头 / the snapshot is not from this camera", field="snapshot"
        )
    if result == FindingResult.ISSUE:
        note, deadline = issue_terms(note, deadline)
        status, closed_at = FindingStatus.OPEN, None
    else:
        note = _note(note, required=False, message="")
        deadline, status, closed_at = None, FindingStatus.CLOSED, timezone.now()
    finding = Finding.objects.create(
        patrol=patrol,
        enterprise=enterprise,
        jurisdiction_code=enterprise.jurisdiction_id,
        camera=camera or (snapshot.camera if snapshot else None),
        snapshot=snapshot,
        item=item,
        result=result,
        note=note,
        deadline=deadline,
        status=status,
        created_by=acting_user,
        closed_at=closed_at,
    )
    record(
        "sunshine.finding.record",
        finding,
        acting_user=acting_user,
        jurisdiction_code=finding.jurisdiction_code,
        patrol=patrol.pk,
        enterprise=enterprise.pk,
        item=item,
        result=result,
        deadline=deadline.isoformat() if deadline else None,
        snapshot=snapshot.pk if snapshot else None,
    )
    return finding


def issue_terms(note: str, deadline: dt.date | None) -> tuple[str, dt.date]:
    """An issue needs a note saying what is wrong and a deadline not in the past."""
    note = _note(note, required=True, message="请写明问题 / say what is wrong")
    if deadline is None:
        raise DomainError("missing_field", "请填写整改期限 / set a deadline to fix it", field="deadline")
    if deadline < timezone.localdate():
        raise DomainError(
            "past_deadline", "整改期限不能早于今天 / the deadline cannot be in the past", field="deadline"
        )
    return note, deadline


def _locked(finding: Finding, allowed: Iterable[str], message: str) -> Finding:
    current = Finding.objects.select_for_update().get(pk=finding.pk)
    if current.status not in allowed:
        raise DomainError("wrong_status", message, field="status")
    return current


def _reply(
    finding: Finding, status: str, *, acting_user: Any, note: str, photo: ReplyPhoto | None = None
) -> FindingReply:
    before = finding.status
    closed_at = timezone.now() if status == FindingStatus.CLOSED else None
    Finding.objects.filter(pk=finding.pk).update(status=status, closed_at=closed_at)
    reply = FindingReply(finding=finding, by=acting_user, status_after=status, note=note)
    if photo is not None:
        # Content-addressed: a rolled-back answer leaves at most a file the same photo reuses.
        path = f"findings/{photo.sha256[:2]}/{photo.sha256}.{photo.extension}"
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(photo.data))
        reply.photo.name = path
        reply.photo_sha256 = photo.sha256
    reply.save()
    record(
        f"sunshine.finding.{status}",
        finding,
        acting_user=acting_user,
        jurisdiction_code=finding.jurisdiction_code,
        before=before,
        after=status,
        reply=reply.pk,
        photo=photo.sha256 if photo else None,
    )
    finding.status, finding.closed_at = status, closed_at
    return reply


@transaction.atomic
def answer_finding(finding: Finding, *, photo: ReplyPhoto | None, acting_user: Any, note: str = "") -> FindingReply:
    """The workshop says what it fixed, with a photo of it."""
    current = _locked(finding, WAITING_FOR_WORKSHOP, "该问题不在待整改状态 / this finding is not waiting for an answer")
    if photo is None:
        raise DomainError("missing_field", "请上传整改后的照片 / add a photo of the fix", field="photo")
    note = _note(note, required=False, message="")
    reply = _reply(current, FindingStatus.ANSWERED, acting_user=acting_user, note=note, photo=photo)
    finding.status = current.status
    return reply


@transaction.atomic
def close_finding(finding: Finding, *, acting_user: Any, note: str = "") -> FindingReply:
    """The inspector accepts the fix (or saw it fixed on camera) and closes the finding."""
    current = _locked(
        finding,
        (FindingStatus.OPEN, FindingStatus.ANSWERED, FindingStatus.REOPENED),
        "该问题已关闭 / this finding is already closed",
    )
    note = _note(note, required=False, message="")
    reply = _reply(current, FindingStatus.CLOSED, acting_user=acting_user, note=note)
    finding.status, finding.closed_at = current.status, current.closed_at
    return reply


@transaction.atomic
def reopen_finding(finding: Finding, *, acting_user: Any, note: str, deadline: dt.date | None = None) -> FindingReply:
    """The answer does not show a fix: back to the workshop, saying why (a new deadline if given)."""
    current = _locked(
        finding, (FindingStatus.ANSWERED,), "只能退回已回复的问题 / only an answered finding can be reopened"
    )
    note = _note(note, required=True, message="请写明退回原因 / say why the answer is not enough")
    if deadline is not None:
        if deadline < timezone.localdate():
            raise DomainError(
                "past_deadline", "整改期限不能早于今天 / the deadline cannot be in the past", field="deadline"
            )
        Finding.objects.filter(pk=current.pk).update(deadline=deadline)
        current.deadline = finding.deadline = deadline
    reply = _reply(current, FindingStatus.REOPENED, acting_user=acting_user, note=note)
    finding.status = current.status
    return reply
