"""Shipping (销售出库): lots picked from stock, to a customer or sold at retail."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shilian.chain.actions import ShipLine, ship_lots
from shilian.chain.forms.shipping import ShipForm
from shilian.chain.views.rows import lot_rows, new_row_response, stock_choices, used_rows
from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import apply_domain_error, render_page
from shilian.registry.access import partners_for
from shilian.registry.choices import PartnerKind
from shilian.registry.models import Enterprise
from shilian.registry.workspace import operator_page


@operator_page
@require_http_methods(["GET", "POST"])
def ship(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    customers = partners_for(request.user, Perm.OPERATE).filter(
        enterprise=enterprise, kind__in=[PartnerKind.CUSTOMER, PartnerKind.BOTH]
    )
    rows = lot_rows(request, "lines", stock_choices(request.user, enterprise))
    fragment = new_row_response(request, rows)
    if fragment is not None:
        return fragment
    form = ShipForm(request.POST or None, customers=customers)
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        used = used_rows(rows)
        customer = form.cleaned_data["customer"]
        try:
            ship_lots(
                enterprise,
                lines=[ShipLine(row["lot"], row["quantity"], row["lot"].unit) for _form, row in used],
                customer=customer,
                reference_no=form.cleaned_data["reference_no"],
                occurred_at=timezone.now(),
                acting_user=request.user,
            )
        except DomainError as exc:
            apply_domain_error(exc, form, rows={"lines": [f for f, _row in used]})
        else:
            if customer is None:
                messages.success(request, _("Retail sale recorded."))
            else:
                messages.success(request, _("Shipped to %(customer)s.") % {"customer": customer.name})
            return redirect("chain:dashboard")
    context = {"enterprise": enterprise, "form": form, "rows": rows}
    return render_page(request, "chain/ship.html", context)
