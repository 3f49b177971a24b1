"""The operator's dashboard: stock with expiry warnings, certificate warnings, and the buttons to record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shilian.chain.access import lots_for
from shilian.chain.models import Lot
from shilian.chain.views.incoming import incoming_lines
from shilian.core.access import Perm
from shilian.core.htmx import paginate, render_page, wants_fragment
from shilian.core.xlsx_export import Column, field_column, wants_xlsx, xlsx_response
from shilian.registry.models import Enterprise
from shilian.registry.queries import CERTIFICATE_WARNING_DAYS, certificate_warnings, staff_of
from shilian.registry.workspace import operator_page

SOON_DAYS = 7
EXPIRY_LABELS = {"expired": _("Expired"), "soon": _("Expires soon"), "ok": ""}
STOCK_COLUMNS = (
    field_column(Lot, "product_name", width=20),
    field_column(Lot, "code", width=16),
    field_column(Lot, "quantity_on_hand", width=12),
    field_column(Lot, "unit", width=8),
    field_column(Lot, "produced_on", width=12),
    field_column(Lot, "expires_on", width=12),
    Column(_("Expiry"), lambda lot: EXPIRY_LABELS.get(lot.expiry), 10),
    field_column(Lot, "status", display=True, width=10),
    field_column(Lot, "test_status", display=True, width=10),
    field_column(Lot, "origin", display=True, width=10),
    field_column(Lot, "supplier.name", header=_("supplier"), width=20),
)


def stock_lots(user: Any, enterprise: Enterprise, *, today: dt.date) -> Any:
    """Lots with something on hand, soonest expiry first, each marked expired / soon / ok."""
    soon = today + dt.timedelta(days=SOON_DAYS)
    return (
        lots_for(user, Perm.OPERATE)
        .filter(enterprise=enterprise, quantity_on_hand__gt=0)
        .annotate(
            expiry=Case(
                When(expires_on__lt=today, then=Value("expired")),
                When(expires_on__lte=soon, then=Value("soon")),
                default=Value("ok"),
                output_field=CharField(),
            )
        )
        .order_by(F("expires_on").asc(nulls_last=True), "product_name", "pk")
    )


@operator_page
def dashboard(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    today = timezone.localdate()
    lots = stock_lots(request.user, enterprise, today=today)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        lots = lots.filter(Q(product_name__icontains=q) | Q(code__icontains=q))
    show = request.GET.get("show", "")
    if show == "warnings":
        lots = lots.exclude(expiry="ok")
    if wants_xlsx(request):
        return xlsx_response(lots.select_related("supplier"), STOCK_COLUMNS, filename="stock.xlsx")
    page = paginate(request, lots, 30)
    context: dict[str, Any] = {"enterprise": enterprise, "page": page, "q": q, "show": show, "today": today}
    if not wants_fragment(request):
        context["warnings"] = stock_lots(request.user, enterprise, today=today).aggregate(
            expired=Count("pk", filter=Q(expiry="expired")), soon=Count("pk", filter=Q(expiry="soon"))
        )
        context["incoming"] = incoming_lines(request.user, enterprise)
        staff = staff_of(request.user, enterprise, Perm.OPERATE, today=today)
        context["certificates"] = certificate_warnings(staff, today=today)
        context["certificate_days"] = CERTIFICATE_WARNING_DAYS
    return render_page(request, "chain/dashboard.html", context, partial="stock")
