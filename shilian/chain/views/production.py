"""Production (生产加工): input lots picked from stock, one output lot made."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shilian.catalog.access import products_for
from shilian.chain.actions import InputSpec, OutputSpec, record_transformation
from shilian.chain.choices import LineRole
from shilian.chain.forms.production import ProduceForm
from shilian.chain.views.rows import input_choices, lot_rows, new_row_response, used_rows
from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import apply_domain_error, render_page
from shilian.registry.models import Enterprise
from shilian.registry.workspace import operator_page


@operator_page
@require_http_methods(["GET", "POST"])
def produce(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    products = products_for(request.user, Perm.OPERATE).filter(enterprise=enterprise, active=True)
    rows = lot_rows(request, "inputs", input_choices(request.user, enterprise))
    fragment = new_row_response(request, rows)
    if fragment is not None:
        return fragment
    form = ProduceForm(request.POST or None, products=products)
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        data = form.cleaned_data
        used = used_rows(rows)
        product = data["product"]
        try:
            event = record_transformation(
                enterprise,
                inputs=[InputSpec(row["lot"], row["quantity"], row["lot"].unit) for _form, row in used],
                outputs=[
                    OutputSpec(
                        product,
                        data["quantity"],
                        data["unit"] or product.unit,
                        lot_code=data["lot_code"],
                        produced_on=data["produced_on"],
                        expires_on=data["expires_on"],
                    )
                ],
                occurred_at=timezone.now(),
                acting_user=request.user,
            )
        except DomainError as exc:
            apply_domain_error(exc, form, rows={"inputs": [f for f, _row in used]}, aliases={"outputs[0]": ""})
        else:
            lot = event.lines.select_related("lot").get(role=LineRole.OUTPUT).lot
            messages.success(request, _("Made lot %(code)s of %(product)s.") % {"code": lot.code, "product": lot.product_name})
            return redirect("chain:operator_lot", pk=lot.pk)
    context = {"enterprise": enterprise, "form": form, "rows": rows}
    return render_page(request, "chain/produce.html", context)
