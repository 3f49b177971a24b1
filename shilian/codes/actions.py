"""Every write of the codes app: one transaction per action, with its history row."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from shilian.chain.choices import LotStatus
from shilian.chain.models import Lot
from shilian.codes import shortcodes
from shilian.codes.choices import LabelJobStatus, Layout, Symbol
from shilian.codes.digital_link import build_uri
from shilian.codes.errors import CodesErrorCode
from shilian.codes.models import LabelJob, SerialRange, ShortCode
from shilian.codes.queries import gtin_of, short_code_of, uri_for_lot
from shilian.core.errors import DomainError
from shilian.core.history import record

MAX_SERIALS_PER_ISSUE = 1_000_000


def _issue_short_code(lot: Lot, acting_user: Any) -> str:
    """Inside a transaction holding the lot's row lock."""
    for _attempt in range(5):
        code = shortcodes.new_code()
        try:
            with transaction.atomic():
                short = ShortCode.objects.create(lot=lot, enterprise_id=lot.enterprise_id, code=code)
        except IntegrityError:
            if ShortCode.objects.filter(lot=lot).exists():  # pragma: no cover - a concurrent issue won
                return short_code_of(lot) or ""
            continue  # pragma: no cover - 50-bit collision
        record(
            "codes.issue_short_code",
            short,
            acting_user=acting_user,
            jurisdiction_code=lot.enterprise.jurisdiction_id,
            lot=lot.pk,
            code=code,
        )
        return code
    raise RuntimeError("could not draw an unused short code")  # pragma: no cover


def _lock(lot: Lot) -> Lot:
    return Lot.objects.select_for_update(of=("self",)).select_related("enterprise", "product").get(pk=lot.pk)


@transaction.atomic
def ensure_lot_code(lot: Lot, *, acting_user: Any) -> str:
    """The lot's code URI, issuing its short code first when the lot has no GTIN and none
    yet. Idempotent: a lot keeps its code for ever."""
    uri = uri_for_lot(lot)
    if uri is not None:
        return uri
    locked = _lock(lot)
    code = short_code_of(locked) or _issue_short_code(locked, acting_user)
    return build_uri(short=code)


@transaction.atomic
def issue_serials(lot: Lot, count: int, *, acting_user: Any) -> SerialRange:
    """Issue ``count`` item serials for the lot, after the last ones issued (from 1).

    A lot without a GTIN gets its short code too, so that the item codes resolve.
    """
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise DomainError(
            CodesErrorCode.INVALID_COUNT, "数量须为正整数 / count must be a positive whole number", field="count"
        )
    if count > MAX_SERIALS_PER_ISSUE:
        raise DomainError(
            CodesErrorCode.TOO_MANY_SERIALS,
            f"一次最多签发{MAX_SERIALS_PER_ISSUE}个序列号 / at most {MAX_SERIALS_PER_ISSUE} serials at a time",
            field="count",
        )
    locked = _lock(lot)
    if locked.status == LotStatus.RECALLED:
        raise DomainError(
            CodesErrorCode.LOT_RECALLED,
            "该批次已召回，不能再签发追溯码 / the lot is recalled: no new codes",
            field="lot",
        )
    if gtin_of(locked) is None and short_code_of(locked) is None:
        _issue_short_code(locked, acting_user)
    last = SerialRange.objects.filter(lot=locked).aggregate(m=Max("last"))["m"] or 0
    issued = SerialRange.objects.create(
        lot=locked, enterprise_id=locked.enterprise_id, first=last + 1, last=last + count
    )
    record(
        "codes.issue_serials",
        issued,
        acting_user=acting_user,
        jurisdiction_code=locked.enterprise.jurisdiction_id,
        lot=locked.pk,
        first=issued.first,
        last=issued.last,
    )
    return issued


# Label jobs ------------------------------------------------------------------------------

MAX_LABELS_PER_JOB = 100_000


def check_label_request(lot: Lot, *, layout: str, symbol: str, serials: int, copies: int) -> int:
    """The number of labels asked for, or a DomainError naming the field that is wrong."""
    if layout not in Layout.values:
        raise DomainError(CodesErrorCode.INVALID_LAYOUT, f"未知版式 / unknown layout {layout!r}", field="layout")
    if symbol not in Symbol.values:
        raise DomainError(CodesErrorCode.INVALID_LAYOUT, f"未知码制 / unknown symbol {symbol!r}", field="symbol")
    if symbol == Symbol.DATAMATRIX and gtin_of(lot) is None:
        raise DomainError(
            CodesErrorCode.DATAMATRIX_NEEDS_GTIN,
            "GS1 DataMatrix 需要商品条码(GTIN)，无GTIN的批次请用二维码 / GS1 DataMatrix needs a GTIN: use QR",
            field="symbol",
        )
    total = serials if serials else copies
    if not isinstance(total, int) or isinstance(total, bool) or total < 1:
        raise DomainError(
            CodesErrorCode.INVALID_COUNT, "数量须为正整数 / count must be a positive whole number", field="count"
        )
    if total > MAX_LABELS_PER_JOB:
        raise DomainError(
            CodesErrorCode.INVALID_COUNT,
            f"一次最多打印{MAX_LABELS_PER_JOB}枚标签 / at most {MAX_LABELS_PER_JOB} labels at a time",
            field="count",
        )
    if lot.status == LotStatus.RECALLED:
        raise DomainError(
            CodesErrorCode.LOT_RECALLED, "该批次已召回，不能再打印标签 / the lot is recalled: no labels", field="lot"
        )
    return total


@transaction.atomic
def start_label_job(
    lot: Lot, *, layout: str, symbol: str = Symbol.QR, serials: int = 0, copies: int = 1, acting_user: Any
) -> LabelJob:
    """Queue a label PDF for the background worker: issues the serials (or the lot's code)
    now, in this transaction, and enqueues the drawing once it commits."""
    from shilian.codes.jobs import draw_label_job  # noqa: PLC0415 — the job module calls these actions

    total = check_label_request(lot, layout=layout, symbol=symbol, serials=serials, copies=copies)
    issued = issue_serials(lot, serials, acting_user=acting_user) if serials else None
    if issued is None:
        ensure_lot_code(lot, acting_user=acting_user)
    job = LabelJob.objects.create(
        lot=lot,
        enterprise_id=lot.enterprise_id,
        requested_by=acting_user,
        layout=layout,
        symbol=symbol,
        serial_range=issued,
        copies=1 if serials else copies,
        total=total,
    )
    record(
        "codes.start_label_job",
        job,
        acting_user=acting_user,
        jurisdiction_code=lot.enterprise.jurisdiction_id,
        lot=lot.pk,
        layout=layout,
        symbol=symbol,
        total=total,
    )
    job_id = job.pk
    transaction.on_commit(lambda: draw_label_job.enqueue(job_id))
    return job


def mark_label_job_running(job: LabelJob) -> None:
    LabelJob.objects.filter(pk=job.pk).update(status=LabelJobStatus.RUNNING, done=0, error="")


def record_label_progress(job: LabelJob, done: int) -> None:
    LabelJob.objects.filter(pk=job.pk).update(done=min(done, job.total))


@transaction.atomic
def finish_label_job(job: LabelJob, pdf: bytes) -> LabelJob:
    """Store the drawn PDF and mark the job done."""
    job.file.save(f"labels-{job.lot_id}-{job.pk}.pdf", ContentFile(pdf), save=False)
    job.status = LabelJobStatus.DONE
    job.done = job.total
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "done", "finished_at"])
    return job


def fail_label_job(job: LabelJob, error: str) -> None:
    LabelJob.objects.filter(pk=job.pk).update(
        status=LabelJobStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )
