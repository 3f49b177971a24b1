"""The chain's access funnel: the one scoped fetch of lots, events, recalls and documents."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.db.models import F as models_F

from shilian.chain.choices import EventType
from shilian.chain.lotref import parse_lot_ref
from shilian.chain.models import Document, Lot, LotShipment, Recall, TraceEvent
from shilian.core.access import Perm
from shilian.core.db import bound_cursor
from shilian.core.errors import NotFoundError
from shilian.registry.access import can, enterprise_filter, scope_for
from shilian.registry.models import Enterprise


def lots_for(user: Any, perm: str = Perm.VIEW) -> Any:
    return Lot.objects.filter(enterprise_filter(user, perm, prefix="enterprise__"))


def events_for(user: Any, perm: str = Perm.VIEW) -> Any:
    return TraceEvent.objects.filter(enterprise_filter(user, perm, prefix="enterprise__"))


def recalls_for(user: Any) -> Any:
    scope = scope_for(user)
    if scope.is_admin:
        return Recall.objects.all()
    q = Q(pk__in=[])
    for prefix in scope.division_prefixes:  # started in their jurisdiction, or reaching a holder in it
        q |= Q(jurisdiction_code__startswith=prefix) | Q(events__enterprise__jurisdiction__code__startswith=prefix)
    q |= Q(events__enterprise_id__in=sorted(scope.enterprise_ids))
    return Recall.objects.filter(q).distinct()


def access_lot(user: Any, pk: int | str, perm: str = Perm.VIEW) -> Lot:
    """The lot, if the user may ``perm`` its enterprise; one NotFoundError for missing and forbidden."""
    try:
        lot = Lot.objects.select_related("enterprise", "enterprise__jurisdiction", "product", "supplier").get(pk=int(pk))
    except (Lot.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("lot") from None
    if not can(user, perm, lot.enterprise):
        raise NotFoundError("lot")
    return lot


def access_lot_id(user: Any, pk: int | str, perm: str = Perm.VIEW) -> int:
    """``access_lot`` for callers that need only the id (the trace and impact endpoints): the
    same check on one narrow row, without building the lot, its enterprise and its product."""
    try:
        lot_id = int(pk)
    except (ValueError, TypeError):
        raise NotFoundError("lot") from None
    with bound_cursor(prepare=True) as cursor:  # raw: compiling the ORM query cost more than running it
        cursor.execute(_LOT_HOLDER, [lot_id])
        row = cursor.fetchone()
    if row is None or not scope_for(user).allows(Perm(perm), enterprise_id=row[0], division_code=row[1]):
        raise NotFoundError("lot")
    return lot_id


_LOT_HOLDER = (
    "SELECT e.id, e.jurisdiction_id FROM chain_lot l JOIN registry_enterprise e ON e.id = l.enterprise_id "
    "WHERE l.id = %s"
)


def access_event(user: Any, pk: int | str, perm: str = Perm.VIEW) -> TraceEvent:
    try:
        event = TraceEvent.objects.select_related("enterprise").get(pk=int(pk))
    except (TraceEvent.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("event") from None
    if not can(user, perm, event.enterprise):
        raise NotFoundError("event")
    return event


def access_incoming_shipment(user: Any, pk: int | str) -> TraceEvent:
    """A shipment sent to one of the user's enterprises (so that they may receive it)."""
    try:
        event = TraceEvent.objects.select_related("enterprise", "counterparty").get(pk=int(pk), event_type="ship")
    except (TraceEvent.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("shipment") from None
    if event.counterparty is None or not can(user, Perm.OPERATE, event.counterparty):
        raise NotFoundError("shipment")
    return event


def incoming_shipments_for(user: Any, enterprise: Enterprise) -> Any:
    """Shipments sent on the platform to ``enterprise`` that the user may receive as it.

    Only when the user may operate the enterprise (none otherwise); voided shipments are
    left out, and so are shipments whose every line is booked in (the ``LotShipment``
    projection keeps what was received; voiding a receipt reopens it).
    """
    open_lines = LotShipment.objects.filter(event_id=OuterRef("pk"), quantity__gt=models_F("received"))
    return TraceEvent.objects.filter(
        enterprise_filter(user, Perm.OPERATE, prefix="counterparty__"),
        event_type=EventType.SHIP,
        counterparty=enterprise,
        voided_by__isnull=True,
    ).filter(Exists(open_lines))


def access_recall(user: Any, pk: int | str) -> Recall:
    try:
        return recalls_for(user).select_related("root_lot", "root_lot__enterprise").get(pk=int(pk))
    except (Recall.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("recall") from None


def recall_impact_for(user: Any, recall: Recall) -> dict[str, Any]:
    """The part of a recall's frozen impact the user may see. Admins and inspectors see all of it:
    a recall, like a trace, crosses jurisdictions and needs every holder. An operator sees their own
    enterprises' holdings and the shipments out of or into them, not other holders' stock or customers."""
    impact: dict[str, Any] = recall.impact or {}
    scope = scope_for(user)
    if scope.is_admin or scope.is_inspector:
        return impact
    mine = scope.enterprise_ids
    holders = [h for h in impact.get("holders", []) if h["enterprise"] in mine]
    customers = [c for c in impact.get("customers", []) if c["from"] in mine or c.get("counterparty") in mine]
    return {"lots": sum(h["lots"] for h in holders), "holders": holders, "customers": customers}


def access_document(user: Any, pk: int | str) -> Document:
    try:
        document = Document.objects.select_related("enterprise").get(pk=int(pk))
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("document") from None
    if not can(user, Perm.VIEW, document.enterprise):
        raise NotFoundError("document")
    return document


def find_lot(user: Any, ref: str, perm: str = Perm.VIEW) -> Lot:
    """A lot by any reference form (see ``chain.lotref``), through the same funnel.

    A GTIN + lot code names the producer's lot: the one whose product carries the GTIN
    and whose enterprise owns the product. ValueError for a malformed reference.
    """
    return access_lot(user, _lot_id(ref), perm)


def find_lot_id(user: Any, ref: str, perm: str = Perm.VIEW) -> int:
    """``find_lot`` for callers that need only the id (see ``access_lot_id``)."""
    return access_lot_id(user, _lot_id(ref), perm)


def _lot_id(ref: str) -> int:
    parsed = parse_lot_ref(ref)
    if parsed.lot_id is not None:
        return parsed.lot_id
    row = (
        Lot.objects.filter(product__gtin=parsed.gtin, code=parsed.lot_code)
        .filter(enterprise_id=models_F("product__enterprise_id"))
        .values_list("pk", flat=True)
        .first()
    )
    if row is None:
        raise NotFoundError("lot")
    return int(row)
