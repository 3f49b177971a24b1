"""Background work of the codes app: drawing large label PDFs (django-tasks)."""

from __future__ import annotations

import logging
import time

from django_tasks import task

from shilian.codes.actions import fail_label_job, finish_label_job, mark_label_job_running, record_label_progress
from shilian.codes.choices import LabelJobStatus
from shilian.codes.labels import lot_labels_pdf
from shilian.codes.models import LabelJob
from shilian.core.errors import DomainError

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5


@task()
def draw_label_job(job_id: int) -> None:
    """Draw a queued label job's PDF, counting progress as pages are drawn. Idempotent:
    a finished job is left alone; a re-run of an unfinished one starts over."""
    job = (
        LabelJob.objects.select_related("lot", "lot__enterprise", "lot__product", "serial_range")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.status == LabelJobStatus.DONE:
        return
    mark_label_job_running(job)
    last = time.monotonic()

    def progress(done: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_SECONDS:
            record_label_progress(job, done)
            last = now

    try:
        pdf = lot_labels_pdf(
            job.lot,
            layout=job.layout,
            symbol=job.symbol,
            serial_range=job.serial_range,
            copies=job.copies,
            progress=progress,
        )
    except DomainError as exc:
        fail_label_job(job, exc.message)
        return
    except Exception as exc:
        logger.exception("label job %s failed", job_id)
        fail_label_job(job, f"{type(exc).__name__}: {exc}")
        raise
    finish_label_job(job, pdf)
