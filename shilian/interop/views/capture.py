"""``/epcis/capture``: accept a document (202 and the job's URL), list and read capture jobs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from shilian.interop.access import access_capture_job, capture_jobs_for
from shilian.interop.capture.actions import start_capture
from shilian.interop.choices import CaptureBehaviour, CaptureStatus
from shilian.interop.models import CaptureJob
from shilian.interop.problems import EpcisProblem, Exc, query_parameter
from shilian.interop.views.common import capture_headers, endpoint, json_response, read_json_body, user_of

MAX_JOBS = 100


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def job_body(job: CaptureJob) -> dict[str, Any]:
    """The GS1 capture job document."""
    body: dict[str, Any] = {
        "captureID": str(job.pk),
        "createdAt": _iso(job.created_at),
        "running": job.status == CaptureStatus.RUNNING,
        "success": not job.errors,
        "captureErrorBehaviour": job.behaviour,
        "errors": job.errors,
        "eventCount": job.event_count,
        "storedCount": job.stored_count,
        "chainCount": job.chain_count,
    }
    if job.finished_at is not None:
        body["finishedAt"] = _iso(job.finished_at)
    if job.report:
        body["report"] = job.report
    return body


def _behaviour(request: HttpRequest) -> str:
    value = request.headers.get("GS1-Capture-Error-Behaviour", "").strip() or CaptureBehaviour.ROLLBACK
    if value not in CaptureBehaviour.values:
        raise EpcisProblem(
            Exc.VALIDATION,
            400,
            f"GS1-Capture-Error-Behaviour {value!r}: expected rollback or proceed",
            pointer="GS1-Capture-Error-Behaviour",
        )
    return value


@endpoint("GET", "POST", options_headers=capture_headers)
def capture(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if request.method == "GET":
        return _list_jobs(request, user)
    behaviour = _behaviour(request)
    job, _ = start_capture(user, read_json_body(request), behaviour=behaviour)
    response = capture_headers(json_response(None, 202))
    response.content = b""
    response["Location"] = reverse("interop:capture-job", args=[job.pk])
    return response


def _list_jobs(request: HttpRequest, user: Any) -> HttpResponse:
    """The user's capture jobs, newest first (``perPage`` up to 100, ``nextPageToken`` = the
    last captureID of the previous page)."""
    jobs = capture_jobs_for(user).order_by("-pk")
    for name in request.GET:
        if name not in ("perPage", "nextPageToken"):
            raise query_parameter(name, "unknown query parameter")
    try:
        per_page = int(request.GET.get("perPage", "30"))
        after = int(request.GET["nextPageToken"]) if "nextPageToken" in request.GET else None
    except ValueError:
        raise query_parameter("perPage", "expected integers for perPage and nextPageToken") from None
    if not 1 <= per_page <= MAX_JOBS:
        raise query_parameter("perPage", f"must be between 1 and {MAX_JOBS}")
    if after is not None:
        jobs = jobs.filter(pk__lt=after)
    page = list(jobs[: per_page + 1])
    response = json_response([job_body(job) for job in page[:per_page]])
    if len(page) > per_page:
        url = request.build_absolute_uri(f"{request.path}?perPage={per_page}&nextPageToken={page[per_page - 1].pk}")
        response["Link"] = f'<{url}>; rel="next"'
    return response


@endpoint("GET")
def capture_job(request: HttpRequest, capture_id: str) -> HttpResponse:
    return json_response(job_body(access_capture_job(user_of(request), capture_id)))
