"""Inspector pages around enterprises and lots: an enterprise's lots and events, finding a lot."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from shilian.chain.access import events_for, find_lot, lots_for
from shilian.chain.forms.lots import LotSearchForm
from shilian.chain.models import Lot
from shilian.core.access import Perm
from shilian.core.errors import NotFoundError
from shilian.core.htmx import paginate, render_page
from shilian.core.xlsx_export import field_column, wants_xlsx, xlsx_response
from shilian.registry.access import access_enterprise
from shilian.registry.queries import staff_of
from shilian.registry.workspace import inspector_page

SEARCH_MAX = 50  # lots listed for a lot number or a product name

RECENT_EVENTS = 20
LOT_COLUMNS = (
    field_column(Lot, "product_name", width=20),
    field_column(Lot, "code", width=16),
    field_column(Lot, "quantity_on_hand", width=12),
    field_column(Lot, "quantity_in", width=12),
    field_column(Lot, "unit", width=8),
    field_column(Lot, "origin", display=True, width=10),
    field_column(Lot, "produced_on", width=12),
    field_column(Lot, "expires_on", width=12),
    field_column(Lot, "status", display=True, width=10),
    field_column(Lot, "test_status", display=True, width=10),
    field_column(Lot, "created_at", width=18),
)


@inspector_page
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An enterprise's lots, recent records and staff health certificates."""
    enterprise = access_enterprise(request.user, pk, Perm.SUPERVISE)
    lots = lots_for(request.user, Perm.SUPERVISE).filter(enterprise=enterprise).order_by("-created_at", "-pk")
    if wants_xlsx(request):
        return xlsx_response(lots, LOT_COLUMNS, filename=f"lots-{enterprise.uscc}.xlsx")
    page = paginate(request, lots, 25)
    events = (
        events_for(request.user, Perm.SUPERVISE)
        .filter(enterprise=enterprise)
        .select_related("partner", "counterparty", "recorded_by")
        .order_by("-occurred_at", "-pk")[:RECENT_EVENTS]
    )
    today = timezone.localdate()
    staff = staff_of(request.user, enterprise, Perm.SUPERVISE, today=today)
    context = {"subject": enterprise, "page": page, "events": events, "staff": staff, "today": today}
    return render_page(request, "chain/enterprise.html", context, partial="lots")


@inspector_page
def find_lot_page(request: HttpRequest) -> HttpResponse:
    """A lot by its id, lgtin URN or Digital Link; else the lots in the inspector's jurisdiction
    with that printed lot number (批号) or a product name containing the words. One match opens it."""
    form = LotSearchForm(request.GET or None)
    status, matches = 200, None
    if form.is_valid():
        text = form.cleaned_data["ref"].strip()
        try:
            return redirect("chain:inspector_lot", pk=find_lot(request.user, text, Perm.SUPERVISE).pk)
        except ValueError:  # not an identifier: a lot number or a product name
            missing = _("No lot with this lot number or product name in your jurisdiction.")
        except NotFoundError:
            missing, status = _("No such lot in your jurisdiction."), 404
        matches = list(
            lots_for(request.user, Perm.SUPERVISE)
            .filter(Q(code__iexact=text) | Q(product_name__icontains=text))
            .select_related("enterprise")
            .order_by("-pk")[: SEARCH_MAX + 1]
        )
        if len(matches) == 1:
            return redirect("chain:inspector_lot", pk=matches[0].pk)
        if not matches:
            form.add_error("ref", missing)
        else:
            status = 200
    more = matches is not None and len(matches) > SEARCH_MAX
    context = {"form": form, "matches": matches[:SEARCH_MAX] if matches else matches, "more": more, "shown": SEARCH_MAX}
    return render_page(request, "chain/find_lot.html", context, status=status)
