"""Operator pages for a lot's codes: the labels form, background label jobs, symbol downloads."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from shilian.chain.access import access_lot
from shilian.chain.models import Lot
from shilian.codes.access import access_label_job, label_jobs_for
from shilian.codes.actions import check_label_request, ensure_lot_code, issue_serials, start_label_job
from shilian.codes.choices import LabelJobStatus, Layout, Symbol, SymbolFormat
from shilian.codes.digital_link import element_string
from shilian.codes.forms import LabelForm
from shilian.codes.labels import lot_labels_pdf
from shilian.codes.labels.fonts import label_font
from shilian.codes.queries import key_for_lot, serial_ranges, uri_for_key
from shilian.codes.symbols import encode, to_pdf, to_png, to_svg
from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import apply_domain_error, render_page
from shilian.registry.models import Enterprise
from shilian.registry.workspace import operator_page

# Up to this many labels the PDF comes back in the response (≈0.2 s); more go to the worker.
DIRECT_LIMIT = 500
CONTENT_TYPES = {SymbolFormat.SVG: "image/svg+xml", SymbolFormat.PNG: "image/png", SymbolFormat.PDF: "application/pdf"}


def _own_lot(request: HttpRequest, enterprise: Enterprise, pk: int) -> Lot:
    lot = access_lot(request.user, pk, Perm.OPERATE)
    if lot.enterprise_id != enterprise.pk:
        raise Http404("lot")
    return lot


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _direct_labels(lot: Lot, request: dict[str, Any], acting_user: Any) -> bytes:
    label_font()  # a missing font is said before anything is issued
    if request["serials"]:
        issued = issue_serials(lot, request["serials"], acting_user=acting_user)
        return lot_labels_pdf(lot, layout=request["layout"], symbol=request["symbol"], serial_range=issued)
    ensure_lot_code(lot, acting_user=acting_user)
    return lot_labels_pdf(lot, layout=request["layout"], symbol=request["symbol"], copies=request["copies"])


@operator_page
@require_http_methods(["GET", "POST"])
def lot_labels(request: HttpRequest, enterprise: Enterprise, pk: int) -> HttpResponse:
    """Print labels for a lot: small jobs come back as a PDF, large ones run in the background."""
    lot = _own_lot(request, enterprise, pk)
    form = LabelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        wanted = form.request()
        try:
            total = check_label_request(lot, **wanted)
            if total > DIRECT_LIMIT:
                job = start_label_job(lot, acting_user=request.user, **wanted)
                return redirect("codes:label_job", pk=job.pk)
            pdf = _direct_labels(lot, wanted, request.user)
        except DomainError as exc:
            apply_domain_error(exc, form, aliases={"lot": "", "SHILIAN_LABEL_FONT": ""})
        else:
            return _pdf_response(pdf, f"labels-{lot.code}.pdf")
    key = key_for_lot(lot)
    context = {
        "enterprise": enterprise,
        "lot": lot,
        "form": form,
        "uri": uri_for_key(key) if key is not None else None,
        "has_gtin": key is not None and key.gtin is not None,
        "ranges": serial_ranges(lot),
        "jobs": label_jobs_for(request.user).filter(lot=lot).select_related("requested_by")[:10],
        "formats": SymbolFormat,
        "symbols": Symbol,
        "layouts": Layout,
    }
    return render_page(request, "codes/lot_labels.html", context)


@operator_page
@require_POST
def issue_lot_code(request: HttpRequest, enterprise: Enterprise, pk: int) -> HttpResponse:
    """Give a lot without a GTIN its short trace code (idempotent)."""
    lot = _own_lot(request, enterprise, pk)
    ensure_lot_code(lot, acting_user=request.user)
    return redirect("codes:lot_labels", pk=lot.pk)


@operator_page
def lot_symbol(request: HttpRequest, enterprise: Enterprise, pk: int, fmt: str) -> HttpResponse:
    """The lot code as SVG, PNG or PDF (``?symbol=datamatrix`` for GS1 DataMatrix)."""
    lot = _own_lot(request, enterprise, pk)
    if fmt not in SymbolFormat.values:
        raise Http404("format")
    symbol = request.GET.get("symbol", Symbol.QR)
    if symbol not in Symbol.values:
        raise Http404("symbol")
    key = key_for_lot(lot)
    if key is None or (symbol == Symbol.DATAMATRIX and key.gtin is None):
        raise Http404("no code")
    data = element_string(key) if symbol == Symbol.DATAMATRIX else uri_for_key(key)
    matrix = encode(data, Symbol(symbol))
    body: bytes | str
    if fmt == SymbolFormat.SVG:
        body = to_svg(matrix)
    elif fmt == SymbolFormat.PNG:
        body = to_png(matrix, scale=8)
    else:
        body = to_pdf(matrix, title=f"{lot.product_name} {lot.code}")
    response = HttpResponse(body, content_type=CONTENT_TYPES[SymbolFormat(fmt)])
    response["Content-Disposition"] = f'attachment; filename="{lot.code}-{symbol}.{fmt}"'
    return response


@operator_page
def label_job(request: HttpRequest, enterprise: Enterprise, pk: int) -> HttpResponse:
    """A background label job: the progress bar (polled by htmx) and the download once done."""
    job = access_label_job(request.user, pk)
    if job.enterprise_id != enterprise.pk:
        raise Http404("label job")
    context = {
        "enterprise": enterprise,
        "job": job,
        "running": job.status in (LabelJobStatus.QUEUED, LabelJobStatus.RUNNING),
    }
    return render_page(request, "codes/label_job.html", context, partial="progress")


@operator_page
def label_job_file(request: HttpRequest, enterprise: Enterprise, pk: int) -> FileResponse:
    job = access_label_job(request.user, pk)
    if job.enterprise_id != enterprise.pk or job.status != LabelJobStatus.DONE or not job.file:
        raise Http404("label job")
    return FileResponse(
        job.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"labels-{job.lot.code}-{job.pk}.pdf",
    )
