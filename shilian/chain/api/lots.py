"""Lots (批次) and stock (库存)."""

import datetime as dt
from typing import Annotated, Any

from django.db.models import F
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from shilian.chain.access import access_lot, lots_for
from shilian.chain.api.common import find, with_event_detail
from shilian.chain.choices import LotStatus
from shilian.chain.models import EventLine, TraceEvent
from shilian.chain.schemas import EXPIRY_WARNING_DAYS, EventOut, LotOut, StockLotOut
from shilian.core.api import PROBLEMS, ApiRequest
from shilian.registry.access import access_enterprise

router = Router(tags=["chain 批次与库存"])

_LOT_RELATED = ("enterprise", "product", "supplier")


@router.get("/lots", response={200: list[LotOut], **PROBLEMS})
@paginate(LimitOffsetPagination)
def list_lots(
    request: ApiRequest,
    enterprise: int | None = None,
    status: LotStatus | None = None,
    product: int | None = None,
    q: Annotated[str | None, Query(description="lot codes starting with this")] = None,
) -> Any:
    """Lots of the enterprises the user may view, newest first."""
    qs = lots_for(request.auth).select_related(*_LOT_RELATED).order_by("-created_at", "-pk")
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise)
    if status:
        qs = qs.filter(status=status)
    if product is not None:
        qs = qs.filter(product_id=product)
    if q:
        qs = qs.filter(code__startswith=q.strip())
    return qs


@router.get("/lots/lookup", response={200: LotOut, **PROBLEMS})
def lookup_lot(
    request: ApiRequest,
    ref: Annotated[str, Query(description="lot id, urn:epc:class:lgtin:… or GS1 Digital Link URI")],
) -> Any:
    """A lot by any reference; the form to use for Digital Link URIs (no path escaping)."""
    return find(request.auth, ref, field="ref")


@router.get("/lots/{int:lot_id}/events", response={200: list[EventOut], **PROBLEMS})
@paginate(LimitOffsetPagination)
def lot_history(request: ApiRequest, lot_id: int) -> Any:
    """The lot's history: every event with a line on it, oldest first, voided ones flagged."""
    lot = access_lot(request.auth, lot_id)
    events = TraceEvent.objects.filter(pk__in=EventLine.objects.filter(lot=lot).values("event_id"))
    return with_event_detail(events).order_by("occurred_at", "pk")


@router.get("/lots/{path:ref}", response={200: LotOut, **PROBLEMS})
def get_lot(request: ApiRequest, ref: str) -> Any:
    """A lot by id, ``urn:epc:class:lgtin:…`` or a URL-encoded Digital Link URI."""
    return find(request.auth, ref, field="ref")


@router.get("/stock", response={200: list[StockLotOut], **PROBLEMS})
@paginate(LimitOffsetPagination)
def stock(
    request: ApiRequest,
    enterprise: int,
    expiring: Annotated[bool, Query(description=f"only lots expired or expiring within {EXPIRY_WARNING_DAYS} days")] = False,
) -> Any:
    """The enterprise's stock: lots with quantity on hand, soonest expiry first."""
    holder = access_enterprise(request.auth, enterprise)
    qs = (
        lots_for(request.auth)
        .filter(enterprise=holder, quantity_on_hand__gt=0)
        .select_related(*_LOT_RELATED)
        .order_by(F("expires_on").asc(nulls_last=True), "product_name", "code", "pk")
    )
    if expiring:
        qs = qs.filter(expires_on__lte=timezone.localdate() + dt.timedelta(days=EXPIRY_WARNING_DAYS))
    return qs
