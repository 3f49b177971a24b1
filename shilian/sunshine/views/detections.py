"""Inspector review of assistive detections (智能识别复核): list, detail, confirm / dismiss, snapshot.

Every row is fetched through ``access.detections_for`` / ``access_detection`` (SUPERVISE: the
inspectors of the camera's area and admins); the page gate answers 404 to everyone else.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import paginate, render_page, wants_fragment
from shilian.registry.workspace import inspector_page
from shilian.sunshine.access import access_detection, detections_for
from shilian.sunshine.actions.detections import finding_of, raise_finding, review_detection
from shilian.sunshine.choices import DetectionRule, DetectionStatus
from shilian.sunshine.detection.stats import false_positive_rates

PER_PAGE = 20
STATUS_FILTERS = ("suspected", "confirmed", "dismissed", "all")


@require_safe
@inspector_page
def detection_list(request: HttpRequest) -> HttpResponse:
    """Suspected hits first (filter by status and rule), with each rule's false-positive rate."""
    scoped = detections_for(request.user, Perm.SUPERVISE)
    status = request.GET.get("status", DetectionStatus.SUSPECTED)
    if status not in STATUS_FILTERS:
        status = DetectionStatus.SUSPECTED
    rule = request.GET.get("rule", "")
    if rule not in DetectionRule.values:
        rule = ""
    rows = scoped
    if status != "all":
        rows = rows.filter(status=status)
    if rule:
        rows = rows.filter(rule=rule)
    rows = rows.select_related("camera__enterprise", "snapshot", "reviewed_by").order_by("-detected_at", "-pk")
    context = {
        "page": paginate(request, rows, PER_PAGE),
        "rates": false_positive_rates(scoped),
        "status": status,
        "rule": rule,
        "statuses": [(value, _status_label(value)) for value in STATUS_FILTERS],
        "rules": DetectionRule.choices,
    }
    return render_page(request, "sunshine/detections.html", context, partial="results")


def _status_label(value: str) -> str:
    return _("All") if value == "all" else str(DetectionStatus(value).label)


@require_safe
@inspector_page
def detection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detection = access_detection(request.user, pk, Perm.SUPERVISE)
    context = {"detection": detection, "finding": finding_of(detection), "today": timezone.localdate()}
    return render_page(request, "sunshine/detections_detail.html", context)


@require_POST
@inspector_page
def detection_finding(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A confirmed detection becomes a finding for the workshop (note and deadline)."""
    detection = access_detection(request.user, pk, Perm.SUPERVISE)
    note = request.POST.get("note", "")
    try:
        deadline = dt.date.fromisoformat(request.POST.get("deadline", ""))
    except ValueError:
        deadline = None
    try:
        finding = raise_finding(detection, note=note, deadline=deadline, acting_user=request.user)
    except DomainError as exc:
        context = {
            "detection": detection,
            "finding": finding_of(detection),
            "today": timezone.localdate(),
            "error": exc.message,
            "error_field": exc.field,
            "note": note,
        }
        return render_page(request, "sunshine/detections_detail.html", context, status=400)
    messages.success(request, _("The workshop has been asked to fix it."))
    return redirect("sunshine:inspector_finding", pk=finding.pk)


@require_POST
@inspector_page
def detection_review(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Confirm (``verdict=confirm``) or dismiss (``verdict=dismiss``); htmx gets the card back."""
    detection = access_detection(request.user, pk, Perm.SUPERVISE)
    verdict = request.POST.get("verdict")
    error = None
    if verdict not in ("confirm", "dismiss"):
        error = _("Choose confirm or dismiss.")
    else:
        try:
            detection = review_detection(detection, confirmed=verdict == "confirm", acting_user=request.user)
        except DomainError as exc:
            error = exc.message
    if wants_fragment(request):
        detection = access_detection(request.user, pk, Perm.SUPERVISE)
        context = {"detection": detection, "error": error}
        return render_page(request, "sunshine/detections_card.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Confirmed.") if verdict == "confirm" else _("Dismissed as a false alarm."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = ""
    if target:
        return redirect(target)
    return redirect("sunshine:detection_detail", pk=detection.pk)


@require_safe
@inspector_page
def detection_snapshot(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The analysed frame kept with the detection (JPEG)."""
    detection = access_detection(request.user, pk, Perm.SUPERVISE)
    try:
        handle = default_storage.open(str(detection.snapshot.image.name), "rb")
    except FileNotFoundError:
        raise Http404("snapshot") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
