"""Receiving (进货): goods from a supplier, or a shipment sent on the platform in one tap."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shilian.catalog.access import products_for
from shilian.chain.access import access_incoming_shipment
from shilian.chain.actions import receive_lot
from shilian.chain.forms.receiving import ReceiveForm, ReceiveShipmentForm
from shilian.chain.views.incoming import incoming_lines
from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import apply_domain_error, render_page
from shilian.registry.access import partners_for
from shilian.registry.choices import PartnerKind
from shilian.registry.models import Enterprise
from shilian.registry.workspace import operator_page


def _form(request: HttpRequest, enterprise: Enterprise, *, bound: bool) -> ReceiveForm:
    products = products_for(request.user, Perm.OPERATE).filter(enterprise=enterprise, active=True)
    suppliers = partners_for(request.user, Perm.OPERATE).filter(
        enterprise=enterprise, kind__in=[PartnerKind.SUPPLIER, PartnerKind.BOTH]
    )
    if bound:
        return ReceiveForm(request.POST, request.FILES, products=products, suppliers=suppliers)
    # A scan of a code that names no open shipment sends what the code told (receive by scanning).
    prefill = ("product_name", "lot_code", "produced_on", "expires_on", "supplier")
    initial = {k: request.GET[k] for k in prefill if request.GET.get(k)}
    return ReceiveForm(products=products, suppliers=suppliers, initial=initial)


def _page(request: HttpRequest, enterprise: Enterprise, form: ReceiveForm, **extra: Any) -> HttpResponse:
    context = {"enterprise": enterprise, "form": form, "incoming": incoming_lines(request.user, enterprise), **extra}
    return render_page(request, "chain/receive.html", context)


@operator_page
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    form = _form(request, enterprise, bound=request.method == "POST")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = receive_lot(
                enterprise,
                acting_user=request.user,
                occurred_at=timezone.now(),
                quantity=data["quantity"],
                unit=data["unit"],
                lot_code=data["lot_code"],
                product=data["product"],
                product_name=(data["product_name"] or "").strip(),
                supplier=data["supplier"],
                produced_on=data["produced_on"],
                expires_on=data["expires_on"],
                attachments=form.attachments(),
                acceptance=form.acceptance(),
                reference_no=data["invoice_no"],
            )
        except DomainError as exc:
            apply_domain_error(exc, form)
        else:
            lot = event.lines.get().lot
            messages.success(request, _("Received %(lot)s.") % {"lot": lot})
            # receiving by scanning goes straight back to the scanner for the next item
            after = request.POST.get("next", "")
            if after and url_has_allowed_host_and_scheme(after, {request.get_host()}, request.is_secure()):
                return redirect(after)
            return redirect("chain:operator_lot", pk=lot.pk)
    return _page(request, enterprise, form)


@operator_page
@require_POST
def receive_shipment(request: HttpRequest, enterprise: Enterprise, pk: int) -> HttpResponse:
    """Book in one lot of a shipment sent to this enterprise, with its lot code and dates."""
    shipment = access_incoming_shipment(request.user, pk)
    if shipment.counterparty_id != enterprise.pk:
        raise Http404("shipment")
    tap = ReceiveShipmentForm(request.POST)
    error = ""
    if tap.is_valid():
        line = shipment.lines.select_related("lot").filter(lot_id=tap.cleaned_data["lot"]).first()
        if line is None:
            raise Http404("shipment line")
        try:
            event = receive_lot(
                enterprise,
                acting_user=request.user,
                occurred_at=timezone.now(),
                quantity=tap.cleaned_data["quantity"],
                unit=line.unit,
                shipment=shipment,
                source_lot=line.lot,
            )
        except DomainError as exc:
            error = exc.message
        else:
            lot = event.lines.get().lot
            messages.success(request, _("Received %(lot)s.") % {"lot": lot})
            # receiving by scanning goes straight back to the scanner for the next item
            after = request.POST.get("next", "")
            if after and url_has_allowed_host_and_scheme(after, {request.get_host()}, request.is_secure()):
                return redirect(after)
            return redirect("chain:operator_lot", pk=lot.pk)
    else:
        error = " ".join(str(m) for errors in tap.errors.values() for m in errors)
    return _page(request, enterprise, _form(request, enterprise, bound=False), tap_error={"event": shipment.pk, "lot": request.POST.get("lot"), "message": error})
