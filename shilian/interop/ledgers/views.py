"""Ledger import pages (/w/import/): download the template, upload the filled-in file, see
every error by row and column or a preview, confirm, and the rows are recorded, all or none."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shilian.catalog.access import products_for
from shilian.chain.access import lots_for
from shilian.chain.choices import LotOrigin, LotStatus
from shilian.core.access import Perm
from shilian.core.htmx import render_page
from shilian.core.xlsx_export import XLSX_CONTENT_TYPE
from shilian.interop.ledgers import payload
from shilian.interop.ledgers.actions import already_imported, import_ledger
from shilian.interop.ledgers.columns import FIELDS, TITLES, LedgerImportError, LedgerKind, RowError, header_text
from shilian.interop.ledgers.forms import ConfirmForm, UploadForm
from shilian.interop.ledgers.plan import plan_ledger
from shilian.interop.ledgers.reader import MAX_ROWS, read_ledger
from shilian.interop.ledgers.template import StockLine, build_template
from shilian.registry.access import partners_for
from shilian.registry.choices import PartnerKind
from shilian.registry.models import Enterprise
from shilian.registry.workspace import operator_page

TEMPLATE_NAMES = {LedgerKind.RECEIVING: "receiving-ledger.xlsx", LedgerKind.SHIPPING: "shipping-ledger.xlsx"}


def _kind(value: str) -> LedgerKind:
    try:
        return LedgerKind(value)
    except ValueError:
        raise Http404("ledger") from None


@operator_page
@require_GET
def import_index(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    kinds = [{"kind": kind.value, "title": TITLES[kind]} for kind in LedgerKind]
    return render_page(
        request, "interop/ledgers_index.html", {"enterprise": enterprise, "kinds": kinds, "max_rows": MAX_ROWS}
    )


@operator_page
@require_GET
def import_template(request: HttpRequest, enterprise: Enterprise, kind: str) -> HttpResponse:
    ledger = _kind(kind)
    products = products_for(request.user, Perm.OPERATE).filter(enterprise=enterprise, active=True)
    side = PartnerKind.SUPPLIER if ledger is LedgerKind.RECEIVING else PartnerKind.CUSTOMER
    partners = partners_for(request.user, Perm.OPERATE).filter(enterprise=enterprise, kind__in=[side, PartnerKind.BOTH])
    names: list[str] = []
    if ledger is LedgerKind.RECEIVING:  # its own products, and what it has bought in before (raw materials)
        bought = (
            lots_for(request.user, Perm.OPERATE)
            .filter(enterprise=enterprise, origin=LotOrigin.RECEIVED)
            .order_by()
            .values_list("product_name", flat=True)
            .distinct()
        )
        names = sorted({*products.values_list("name", flat=True), *bought[:2000]})
    stock: list[StockLine] = []
    if ledger is LedgerKind.SHIPPING:
        lots = (
            lots_for(request.user, Perm.OPERATE)
            .filter(enterprise=enterprise, quantity_on_hand__gt=0, status=LotStatus.ACTIVE)
            .order_by(F("expires_on").asc(nulls_last=True), "product_name", "pk")
        )
        stock = [
            StockLine(*row)
            for row in lots.values_list("product_name", "code", "quantity_on_hand", "unit", "expires_on")[:5000]
        ]
    body = build_template(
        ledger,
        products=names,
        partners=list(partners.values_list("name", flat=True)),
        stock=stock,
        today=timezone.localdate(),
    )
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_NAMES[ledger]}"'
    response["Cache-Control"] = "private, no-store"
    return response


@operator_page
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, enterprise: Enterprise, kind: str) -> HttpResponse:
    """GET: the upload form. POST: the file read and checked; the error report, or the preview."""
    ledger = _kind(kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = _context(enterprise, ledger, form=form)
    if request.method != "POST":
        return render_page(request, "interop/ledgers_upload.html", context)
    if not form.is_valid():
        return render_page(request, "interop/ledgers_upload.html", context, status=400)
    data: bytes = form.cleaned_data["file"]
    try:
        parsed = read_ledger(data, ledger)
    except LedgerImportError as exc:
        return _report(request, context, exc.errors)
    plan = plan_ledger(enterprise, parsed, user=request.user)
    if not plan.ok:
        return _report(request, context, plan.errors, rows=len(parsed.rows))
    sha256 = hashlib.sha256(data).hexdigest()
    token = secrets.token_urlsafe(16)
    context.update(
        plan=plan,
        confirm=ConfirmForm(
            initial={"payload": payload.dump(parsed, enterprise_id=enterprise.pk, token=token, sha256=sha256)}
        ),
        earlier=already_imported(enterprise, sha256=sha256),
    )
    return render_page(request, "interop/ledgers_preview.html", context)


@operator_page
@require_POST
def import_confirm(request: HttpRequest, enterprise: Enterprise, kind: str) -> HttpResponse:
    ledger = _kind(kind)
    form = ConfirmForm(request.POST)
    context = _context(enterprise, ledger, form=UploadForm())
    if not form.is_valid():
        return _report(request, context, [RowError(None, "", _("The preview is missing: upload the file again."))])
    try:
        parsed, token, sha256 = payload.load(form.cleaned_data["payload"], enterprise_id=enterprise.pk, kind=ledger)
        events = import_ledger(enterprise, parsed, acting_user=request.user, token=token, sha256=sha256)
    except LedgerImportError as exc:
        return _report(request, context, exc.errors)
    messages.success(
        request,
        _("%(title)s imported: %(rows)d rows, %(events)d records.")
        % {"title": TITLES[ledger], "rows": len(parsed.rows), "events": len(events)},
    )
    return redirect("chain:dashboard")


def _context(enterprise: Enterprise, ledger: LedgerKind, **extra: Any) -> dict[str, Any]:
    return {
        "enterprise": enterprise,
        "kind": ledger.value,
        "title": TITLES[ledger],
        "headers": [header_text(spec) for spec in FIELDS[ledger]],
        "max_rows": MAX_ROWS,
        **extra,
    }


def _report(request: HttpRequest, context: dict[str, Any], errors: list[RowError], *, rows: int = 0) -> HttpResponse:
    """The error report: nothing was written; each error with its row and column."""
    context.update(errors=errors, rows=rows)
    return render_page(request, "interop/ledgers_upload.html", context, status=400)
