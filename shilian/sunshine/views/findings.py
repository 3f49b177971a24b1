"""Findings pages: the workshop's (/w/findings/, answer with a photo) and the inspectors'
(/r/findings/, close or send back)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import apply_domain_error, paginate, render_page
from shilian.registry.models import Enterprise
from shilian.registry.workspace import inspector_page, operator_page
from shilian.sunshine.access import access_finding, findings_for
from shilian.sunshine.actions.patrols import answer_finding, close_finding, reopen_finding
from shilian.sunshine.choices import FindingStatus
from shilian.sunshine.forms import AnswerForm, ReviewForm
from shilian.sunshine.models import Finding
from shilian.sunshine.views.wall import area_filter

# Waiting for the workshop first, then waiting for review, then closed.
_ORDER = Case(
    When(status__in=[FindingStatus.OPEN, FindingStatus.REOPENED], then=Value(0)),
    When(status=FindingStatus.ANSWERED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
STATUS_FILTERS = {
    "waiting": [FindingStatus.OPEN, FindingStatus.REOPENED],
    "answered": [FindingStatus.ANSWERED],
    "closed": [FindingStatus.CLOSED],
}


def _listed(findings: Any, request: HttpRequest) -> tuple[Any, str]:
    chosen = request.GET.get("status", "")
    if chosen in STATUS_FILTERS:
        findings = findings.filter(status__in=STATUS_FILTERS[chosen])
    else:
        chosen = ""
    rows = (
        findings.select_related("enterprise", "camera")
        .annotate(rank=_ORDER)
        .order_by("rank", "deadline", "-created_at", "-pk")
    )
    return rows, chosen


def _detail_context(finding: Finding) -> dict[str, Any]:
    return {"finding": finding, "replies": list(finding.replies.select_related("by").order_by("at", "pk"))}


@operator_page
def workshop_findings(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    rows, chosen = _listed(findings_for(request.user, Perm.OPERATE).filter(enterprise=enterprise), request)
    page = paginate(request, rows, 25)
    context = {
        "enterprise": enterprise,
        "page": page,
        "chosen": chosen,
        "operator": True,
        "today": timezone.localdate(),
    }
    return render_page(request, "sunshine/finding_list.html", context, partial="results")


@operator_page
@require_http_methods(["GET", "POST"])
def workshop_finding(request: HttpRequest, enterprise: Enterprise, pk: int) -> HttpResponse:
    finding = access_finding(request.user, pk, Perm.OPERATE)
    if finding.enterprise_id != enterprise.pk:
        access_finding(request.user, 0, Perm.OPERATE)  # the one not-found answer
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            answer_finding(
                finding, photo=form.cleaned_data["photo"], note=form.cleaned_data["note"], acting_user=request.user
            )
        except DomainError as exc:
            apply_domain_error(exc, form, aliases={"status": ""})
        else:
            messages.success(request, _("Answer sent to the inspector."))
            return redirect("sunshine:workshop_finding", pk=finding.pk)
    context = {"enterprise": enterprise, "form": form, "operator": True, **_detail_context(finding)}
    return render_page(request, "sunshine/finding_detail.html", context, status=400 if form.errors else 200)


@inspector_page
def inspector_findings(request: HttpRequest) -> HttpResponse:
    areas, area = area_filter(request)
    findings = findings_for(request.user, Perm.SUPERVISE)
    if area:
        prefix = next(a.prefix for a in areas if a.code == area)
        findings = findings.filter(jurisdiction_code__startswith=prefix)
    rows, chosen = _listed(findings, request)
    page = paginate(request, rows, 25)
    context = {
        "page": page,
        "chosen": chosen,
        "areas": areas,
        "area": area,
        "operator": False,
        "today": timezone.localdate(),
    }
    return render_page(request, "sunshine/finding_list.html", context, partial="results")


@inspector_page
@require_http_methods(["GET", "POST"])
def inspector_finding(request: HttpRequest, pk: int) -> HttpResponse:
    finding = access_finding(request.user, pk, Perm.SUPERVISE)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "close":
                close_finding(finding, note=data["note"], acting_user=request.user)
            else:
                reopen_finding(finding, note=data["note"], deadline=data["deadline"], acting_user=request.user)
        except DomainError as exc:
            apply_domain_error(exc, form, aliases={"status": ""})
        else:
            done = _("Finding closed.") if data["decision"] == "close" else _("Finding sent back to the workshop.")
            messages.success(request, done)
            return redirect("sunshine:inspector_finding", pk=finding.pk)
    context = {"form": form, "operator": False, **_detail_context(finding)}
    return render_page(request, "sunshine/finding_detail.html", context, status=400 if form.errors else 200)
