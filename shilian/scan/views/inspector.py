"""Inspector pages (``/r/``): consumer reports, scan statistics, suspected counterfeits."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from shilian.core.htmx import paginate, render_page
from shilian.registry.workspace import inspector_page
from shilian.scan.access import access_report, flags_for, reports_for, scans_for
from shilian.scan.queries.stats import scan_stats

FLAGS_SHOWN = 50


@inspector_page
def report_list(request: HttpRequest) -> HttpResponse:
    """Consumer reports about enterprises in the inspector's jurisdiction, newest first."""
    reports = reports_for(request.user).select_related("lot", "enterprise").order_by("-created_at", "-pk")
    page = paginate(request, reports, 25)
    return render_page(request, "scan/inspector_reports.html", {"page": page}, partial="results")


@inspector_page
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_report(request.user, pk)
    return render_page(request, "scan/inspector_report.html", {"report": report})


@inspector_page
def report_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A report's photo, for the inspectors who may see the report (never public)."""
    report = access_report(request.user, pk)
    if not report.photo:
        raise Http404("no photo")
    response = FileResponse(report.photo.open("rb"), content_type=report.photo_type)
    response["Cache-Control"] = "private, no-store"
    return response


@inspector_page
def scan_overview(request: HttpRequest) -> HttpResponse:
    """Scans per product and per town over the last two weeks, and suspected counterfeits."""
    stats = scan_stats(scans_for(request.user))
    flags = flags_for(request.user).select_related("lot", "enterprise").order_by("-raised_at", "-pk")[:FLAGS_SHOWN]
    return render_page(request, "scan/inspector_scans.html", {"stats": stats, "flags": flags})
