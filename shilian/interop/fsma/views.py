"""FSMA 204 sheet pages: operators export their enterprise's records (/w/fsma/), inspectors
their jurisdiction's (/r/fsma/). The page previews the first rows and counts them; the same
URL with ``format=xlsx`` or ``format=csv`` downloads the whole sheet."""

from __future__ import annotations

import itertools
from typing import Any

from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone

from shilian.core.access import Perm
from shilian.core.htmx import render_page
from shilian.core.xlsx_export import file_response, spooled
from shilian.interop.fsma.export import csv_chunks, write_xlsx
from shilian.interop.fsma.forms import FsmaForm, InspectorFsmaForm
from shilian.interop.fsma.query import KEYS, FsmaQuery, fsma_lines, fsma_rows
from shilian.registry.access import access_enterprise
from shilian.registry.models import Enterprise
from shilian.registry.workspace import inspector_page, operator_page

PREVIEW_ROWS = 20
FORMATS = ("xlsx", "csv")


@operator_page
def operator_sheet(request: HttpRequest, enterprise: Enterprise) -> HttpResponseBase:
    form = FsmaForm(_params(request))
    query = form.fsma_query(enterprise_id=enterprise.pk) if form.is_valid() else None
    context = {"enterprise": enterprise, "scope_name": enterprise.name}
    return _sheet(request, form, query, Perm.OPERATE, stem=enterprise.uscc, context=context)


@inspector_page
def inspector_sheet(request: HttpRequest) -> HttpResponseBase:
    subject = None
    if request.GET.get("enterprise"):  # one enterprise (linked from its page): within the jurisdiction
        subject = access_enterprise(request.user, request.GET["enterprise"], Perm.SUPERVISE)
    initial = {"enterprise": subject.pk if subject else None, "jurisdiction": request.GET.get("jurisdiction", "")}
    form = InspectorFsmaForm(_params(request), user=request.user, initial=initial)
    query = None
    context: dict[str, Any] = {"inspector": True, "subject": subject, "scope_name": subject.name if subject else ""}
    stem = subject.uscc if subject else "jurisdiction"
    if form.is_valid():
        division = form.division_prefix()
        query = form.fsma_query(enterprise_id=subject.pk if subject else None, division_prefix=division)
        if subject is None and form.cleaned_data.get("jurisdiction"):
            context["scope_name"] = stem = form.cleaned_data["jurisdiction"]
    return _sheet(request, form, query, Perm.SUPERVISE, stem=stem, context=context)


def _params(request: HttpRequest) -> Any:
    """Bound once the request names dates or lot codes (a first visit shows the empty form)."""
    return request.GET if any(key in request.GET for key in ("date_from", "date_to", "lot_codes")) else None


def _sheet(
    request: HttpRequest,
    form: FsmaForm,
    query: FsmaQuery | None,
    perm: Perm,
    *,
    stem: str,
    context: dict[str, Any],
) -> HttpResponseBase:
    fmt = request.GET.get("format", "")
    if query is not None and fmt in FORMATS:
        return _download(request, query, perm, fmt, stem=stem, scope=context.get("scope_name") or "")
    context["form"] = form
    if query is not None:
        context["count"] = fsma_lines(request.user, query, perm).count()
        rows = fsma_rows(request.user, query, perm, limit=PREVIEW_ROWS)
        context["preview"] = [dict(zip(KEYS, row, strict=True)) for row in itertools.islice(rows, PREVIEW_ROWS)]
        params = request.GET.copy()
        params.pop("format", None)
        context["downloads"] = {fmt: f"?{_with(params, fmt)}" for fmt in FORMATS}
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render_page(request, "interop/fsma.html", context, status=status)


def _with(params: Any, fmt: str) -> str:
    params = params.copy()
    params["format"] = fmt
    return str(params.urlencode())


def _download(
    request: HttpRequest, query: FsmaQuery, perm: Perm, fmt: str, *, stem: str, scope: str
) -> HttpResponseBase:
    rows = fsma_rows(request.user, query, perm)
    name = _filename(stem, query, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
    body = spooled()
    write_xlsx(rows, body, query=query, scope=scope)
    return file_response(body, filename=name)


def _filename(stem: str, query: FsmaQuery, fmt: str) -> str:
    """ASCII only: ``fsma204-<credit code or division>-<from>-<to>.<fmt>``."""
    start = query.date_from.strftime("%Y%m%d") if query.date_from else "start"
    end = query.date_to.strftime("%Y%m%d") if query.date_to else timezone.localdate().strftime("%Y%m%d")
    safe = "".join(ch for ch in stem if ch.isascii() and ch.isalnum()) or "shilian"
    return f"fsma204-{safe}-{start}-{end}.{fmt}"
