"""Rows of lots picked from stock (production inputs, shipment lines), added with htmx.

Without JavaScript the "add a lot" link reloads the page with one more row
(``?rows=N``); with htmx the same URL answers with just the new row, and swaps the
formset's TOTAL_FORMS and the link itself out of band.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shilian.chain.access import lots_for
from shilian.chain.choices import LotOrigin, LotStatus
from shilian.chain.forms.fields import MAX_ROWS, BaseLotRowFormSet, lot_row_formset
from shilian.core.access import Perm
from shilian.core.htmx import wants_fragment
from shilian.registry.models import Enterprise


def stock_choices(user: Any, enterprise: Enterprise) -> Any:
    """Lots that can be shipped: in stock and not recalled, soonest expiry first (an expired one
    only back to its supplier: the action says so)."""
    return (
        lots_for(user, Perm.OPERATE)
        .filter(enterprise=enterprise, quantity_on_hand__gt=0, status=LotStatus.ACTIVE)
        .order_by(F("expires_on").asc(nulls_last=True), "product_name", "pk")
    )


def input_choices(user: Any, enterprise: Enterprise) -> Any:
    """Lots that can go into production: in stock, not recalled, not past their date; the raw
    materials received before the workshop's own products, soonest expiry first."""
    today = timezone.localdate()
    return (
        stock_choices(user, enterprise)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .alias(made_here=Case(When(origin=LotOrigin.RECEIVED, then=Value(0)), default=Value(1)))
        .order_by("made_here", F("expires_on").asc(nulls_last=True), "product_name", "pk")
    )


def requested_rows(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("rows", "1")), MAX_ROWS))
    except ValueError:
        return 1


def lot_rows(request: HttpRequest, prefix: str, lots: Any) -> BaseLotRowFormSet:
    """The bound rows on POST; otherwise ``?rows=`` empty rows, the first preset by ``?lot=``."""
    formset_class = lot_row_formset(requested_rows(request))
    if request.method == "POST":
        return formset_class(request.POST, prefix=prefix, form_kwargs={"lots": lots})
    rows = formset_class(prefix=prefix, form_kwargs={"lots": lots})
    preset = request.GET.get("lot", "")
    if preset.isdigit():
        rows.forms[0].initial = {"lot": int(preset)}
    return rows


def new_row_response(request: HttpRequest, rows: BaseLotRowFormSet) -> HttpResponse | None:
    """The htmx answer to "add a lot", or None when the whole page is wanted."""
    if request.method != "GET" or "rows" not in request.GET or not wants_fragment(request):
        return None
    return render(request, "chain/_lot_rows.html#new_row", {"rows": rows})


def used_rows(rows: BaseLotRowFormSet) -> list[tuple[Any, Any]]:
    """(form, cleaned data) for each filled row, in order."""
    return [(form, form.cleaned_data) for form in rows.filled()]
