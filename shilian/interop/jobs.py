"""Background work of the interop app: capture jobs (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from shilian.interop.capture.actions import run_capture_job


@task()
def run_capture_job_task(job_id: int) -> None:
    """Capture a queued document. Idempotent: a finished job is left alone."""
    run_capture_job(job_id)
