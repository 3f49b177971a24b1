"""Capture actions: accepting a document as a capture job, running the job, capturing one
event. Validation (JSON Schema and CBV checks) happens once, when the document arrives;
the job computes IDs, refuses duplicates, applies the chain operations and stores.

A retried identical document (same bytes, same user, same error behaviour) gets the job of
the first attempt back and is not captured again, unless that job stored nothing (it
failed with rollback): then the retry is a new attempt.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shilian.core.bulk import collection_paused
from shilian.core.epcis.validation import Problem, validate_document
from shilian.core.history import record
from shilian.interop.access import may_capture
from shilian.interop.capture.document import Document, read_document, read_event
from shilian.interop.capture.pipeline import Captured, CaptureRefused, capture, prepare
from shilian.interop.choices import CaptureBehaviour, CaptureStatus
from shilian.interop.models import CaptureJob, EpcisEvent
from shilian.interop.problems import EpcisProblem, Exc, event_pointer, validation

logger = logging.getLogger(__name__)

DEFAULT_CAPTURE_LIMIT = 10_000  # events per document


def capture_limit() -> int:
    """``GS1-EPCIS-Capture-Limit``: the most events one capture may carry."""
    return int(getattr(settings, "SHILIAN_EPCIS_CAPTURE_LIMIT", DEFAULT_CAPTURE_LIMIT))


def file_size_limit() -> int:
    """``GS1-EPCIS-Capture-File-Size-Limit``: the largest document, in bytes (at most what
    Django reads into memory for a request body, ``DATA_UPLOAD_MAX_MEMORY_SIZE``)."""
    ceiling = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2**31 - 1
    return min(int(getattr(settings, "SHILIAN_EPCIS_CAPTURE_FILE_SIZE_LIMIT", ceiling)), ceiling)


def too_large(detail: str) -> EpcisProblem:
    return EpcisProblem(Exc.CAPTURE_LIMIT, 413, detail)


def check_may_capture(user: Any) -> None:
    if not may_capture(user):
        raise EpcisProblem(
            Exc.SECURITY,
            403,
            "只有主体经营者可以采集事件 / only an operator of an enterprise (or an admin) may capture",
        )


def _problem_of(doc: Document, problem: Problem) -> dict[str, Any]:
    """A validation problem as an RFC 7807 error entry naming the event and field."""
    if problem.event_index is None:
        return validation(problem.message, pointer=problem.pointer or "/").body()
    pointer = event_pointer(problem.event_index, problem.pointer, list_path=doc.list_pointer)
    return validation(
        f"event {problem.event_index} {problem.pointer or '/'}: {problem.message}",
        event_index=problem.event_index,
        pointer=pointer,
    ).body()


def _refusal(doc: Document, problems: list[Problem]) -> EpcisProblem:
    errors = tuple(_problem_of(doc, p) for p in problems)
    first = problems[0]
    where = f"event {first.event_index} " if first.event_index is not None else ""
    return validation(
        f"{len(problems)} problem(s); first: {where}{first.pointer or '/'}: {first.message}",
        event_index=first.event_index,
        pointer=errors[0].get("pointer", ""),
        errors=errors,
    )


@collection_paused()
def start_capture(user: Any, data: bytes, *, behaviour: str = CaptureBehaviour.ROLLBACK) -> tuple[CaptureJob, bool]:
    """Accept a document for capture: (its job, whether it is new). EpcisProblem when it
    cannot be accepted at all: 403, 413, 400 (malformed, or invalid with rollback).

    The document is read and validated before the transaction, which only writes the job.
    """
    check_may_capture(user)
    behaviour = CaptureBehaviour(behaviour)
    if len(data) > file_size_limit():
        raise too_large(f"文档超过 {file_size_limit()} 字节 / the document exceeds {file_size_limit()} bytes")
    digest = hashlib.sha256(data).hexdigest()
    earlier = _earlier_job(user, digest, behaviour)
    if earlier is not None:
        return earlier, False
    doc = read_document(data)
    if len(doc.events) > capture_limit():
        raise too_large(
            f"文档含 {len(doc.events)} 个事件，上限 {capture_limit()} / {len(doc.events)} events, the limit is {capture_limit()}"
        )
    problems = validate_document(doc.raw)
    if problems and (behaviour == CaptureBehaviour.ROLLBACK or any(p.event_index is None for p in problems)):
        raise _refusal(doc, problems)
    with transaction.atomic():
        earlier = _earlier_job(user, digest, behaviour)  # a retry that raced this one
        if earlier is not None:
            return earlier, False
        job = CaptureJob.objects.create(
            behaviour=behaviour,
            created_by=user,
            document_sha256=digest,
            document_size=len(data),
            payload=data.decode(),
            event_count=len(doc.events),
            errors=[_problem_of(doc, p) for p in problems],
        )
        record(
            "interop.capture_job", job, acting_user=user, events=len(doc.events), behaviour=behaviour, size=len(data)
        )
        job_id = job.pk
        from shilian.interop.jobs import run_capture_job_task  # noqa: PLC0415 — jobs imports this module

        transaction.on_commit(lambda: run_capture_job_task.enqueue(job_id))
    return job, True


def _earlier_job(user: Any, digest: str, behaviour: str) -> CaptureJob | None:
    """The job of an identical earlier document, unless it failed having stored nothing."""
    return (
        CaptureJob.objects.filter(created_by=user, document_sha256=digest, behaviour=behaviour)
        .exclude(status=CaptureStatus.FAILED, stored_count=0)
        .order_by("-pk")
        .first()
    )


@collection_paused()
def run_capture_job(job_id: int) -> CaptureJob | None:
    """Capture a job's document. Idempotent: a finished job is left alone."""
    job = CaptureJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != CaptureStatus.RUNNING:
        return job
    rollback = job.behaviour == CaptureBehaviour.ROLLBACK
    errors: list[dict[str, Any]] = list(job.errors)
    skip = {e["eventIndex"] for e in errors if isinstance(e.get("eventIndex"), int)}
    try:
        doc = read_document(job.payload.encode())
        candidates = prepare(doc, skip)
        with transaction.atomic():
            done = capture(doc, candidates, user=job.created_by, rollback=rollback, job_id=job.pk)
            _finish(job, done, errors)
            record(
                "interop.capture",
                job,
                acting_user=job.created_by,
                stored=job.stored_count,
                chain=job.chain_count,
                refused=len(job.errors),
            )
    except CaptureRefused as refused:
        _finish(job, Captured(errors=refused.errors), errors)
    except IntegrityError:  # a capture running at the same time stored the same event first
        _finish(job, Captured(errors=[_concurrent()]), errors)
    except Exception:
        logger.exception("capture job %s failed", job_id)
        problem = EpcisProblem(
            Exc.IMPLEMENTATION, 500, "内部错误，已记录 / internal error while capturing; it was logged"
        )
        _finish(job, Captured(errors=[problem]), errors)
        raise
    return job


def _finish(job: CaptureJob, done: Captured, earlier: list[dict[str, Any]]) -> None:
    job.errors = sorted(
        earlier + [p.body() for p in done.errors], key=lambda e: (e.get("eventIndex", -1), e.get("pointer", ""))
    )
    job.stored_count = len(done.events)
    job.chain_count = done.chain_count
    job.status = CaptureStatus.FAILED if job.errors else CaptureStatus.SUCCESS
    job.finished_at = timezone.now()
    job.payload = ""
    job.report = {"storedOnly": {str(k): v for k, v in sorted(done.stored_only.items())}} if done.stored_only else {}
    job.save(update_fields=["errors", "stored_count", "chain_count", "status", "finished_at", "payload", "report"])


def capture_event(user: Any, data: bytes) -> tuple[CaptureJob, EpcisEvent]:
    """Capture one event now (``POST /epcis/events``): all or nothing, EpcisProblem when refused."""
    check_may_capture(user)
    if len(data) > file_size_limit():
        raise too_large(f"事件超过 {file_size_limit()} 字节 / the event exceeds {file_size_limit()} bytes")
    doc = read_event(data)
    problems = validate_document(doc.raw)
    if problems:
        raise _single_refusal(problems)
    candidates = prepare(doc)
    with transaction.atomic():
        job = CaptureJob.objects.create(
            created_by=user, document_sha256=hashlib.sha256(data).hexdigest(), document_size=len(data), event_count=1
        )
        try:
            with transaction.atomic():
                done = capture(doc, candidates, user=user, rollback=True, job_id=job.pk)
        except IntegrityError:
            raise _concurrent() from None
        except CaptureRefused as refused:
            first = refused.errors[0]
            first.pointer = first.pointer.removeprefix(event_pointer(0, list_path=doc.list_pointer))
            first.event_index = None
            raise first from None
        _finish(job, done, [])
        record("interop.capture", job, acting_user=user, stored=job.stored_count, chain=job.chain_count, refused=0)
    return job, EpcisEvent.objects.get(pk=done.events[0])


def _concurrent() -> EpcisProblem:
    return EpcisProblem(
        Exc.ALREADY_EXISTS,
        409,
        "与同时进行的采集冲突，请重试 / a capture running at the same time stored some of these events first; retry",
    )


def _single_refusal(problems: list[Problem]) -> EpcisProblem:
    """Problems of a bare event: pointers within the event."""
    errors = tuple(
        validation(p.message, pointer=(p.pointer or "/") if p.event_index is not None else "/").body() for p in problems
    )
    first = problems[0]
    return validation(
        f"{len(problems)} problem(s); first: {first.pointer or '/'}: {first.message}",
        pointer=first.pointer or "/",
        errors=errors,
    )
