"""Catalog pages: an operator's products."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shilian.catalog.access import products_for
from shilian.catalog.actions import create_product
from shilian.catalog.forms import ProductForm
from shilian.catalog.models import Product
from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import apply_domain_error
from shilian.core.xlsx_export import field_column, wants_xlsx, xlsx_response
from shilian.registry.models import Enterprise
from shilian.registry.workspace import operator_page

PRODUCT_COLUMNS = (
    field_column(Product, "name", width=20),
    field_column(Product, "specification", width=14),
    field_column(Product, "gtin", width=16),
    field_column(Product, "kind", display=True, width=12),
    field_column(Product, "category", display=True, width=12),
    field_column(Product, "unit", width=8),
    field_column(Product, "shelf_life_days", width=10),
    field_column(Product, "storage", width=20),
    field_column(Product, "standard", width=16),
    field_column(Product, "ingredients", width=30),
    field_column(Product, "active", width=8),
)


@operator_page
@require_http_methods(["GET", "POST"])
def product_list(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    """The enterprise's products, and a form to add one."""
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = create_product(
                enterprise,
                name=data["name"],
                specification=data["specification"],
                gtin=data["gtin"] or None,
                kind=data["kind"],
                category=data["category"],
                unit=data["unit"],
                shelf_life_days=data["shelf_life_days"],
                storage=data["storage"],
                standard=data["standard"],
                acting_user=request.user,
            )
        except DomainError as exc:
            apply_domain_error(exc, form)
        else:
            messages.success(request, _("Product %(name)s added.") % {"name": product})
            return redirect("catalog:product_list")
    products = products_for(request.user, Perm.OPERATE).filter(enterprise=enterprise)
    if request.method == "GET" and wants_xlsx(request):
        return xlsx_response(products.order_by("name", "pk"), PRODUCT_COLUMNS, filename="products.xlsx")
    return render(request, "catalog/products.html", {"enterprise": enterprise, "products": products, "form": form})
