"""Rebuilding the lot projections from the events, and the check that compares them.

The events are the record; ``Lot.quantity_on_hand``, ``quantity_in``, ``status``,
``test_status`` and the ``LotEdge`` rows are projections the actions keep in the same
transaction. :func:`rebuild_projections` recomputes them from the live events with
GROUP BY queries over id ranges (a few statements per range, never one per lot) and
returns every difference; :func:`repair_projections` writes the rebuilt values.

"Live" means not voided and not itself a void: a void event's lines mirror the
reversal of the event it voids, so both sides drop out. The check reads range by range
without one snapshot: run while events are being recorded, it can report a difference
that a second run does not (the repair recomputes inside its own transaction).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery, Sum

from shilian.chain.choices import EdgeKind, EventType, LineRole, LotStatus, TestStatus
from shilian.chain.models import EventLine, Lot, LotEdge, LotShipment, TraceEvent
from shilian.chain.queries.trace import dec
from shilian.core.history import record

LOT_FIELDS = ("quantity_on_hand", "quantity_in", "status", "test_status")
ARROW_FIELDS = ("dst_enterprise", "dst_unit", "dst_on_hand", "dst_shipped")  # LotEdge's copies of its dst lot
CHUNK = 5000
ZERO = Decimal("0.000")


@dataclass(frozen=True)
class EdgeKey:
    """One arrow of the lot graph as an event makes it."""

    event_id: int
    src_id: int
    dst_id: int
    kind: str


@dataclass(frozen=True)
class Difference:
    """A projection value that does not match the events.

    For a lot field, ``stored`` and ``rebuilt`` are the values. For a lot-graph edge
    (``edge`` set, ``lot_id`` its source lot) they are the edge quantities, a tuple,
    empty when the edge is missing on that side.
    """

    lot_id: int
    field: str
    stored: Any
    rebuilt: Any
    edge: EdgeKey | None = None
    shipment: tuple[int, int] | None = None  # (event id, lot id) of a LotShipment row
    arrow: bool = False  # LotEdge's copies of the lot (``lot_id``) on the arrows leading into it

    def describe(self) -> str:
        if self.edge is None:
            return f"lot {self.lot_id}  {self.field}: stored {self.stored}, rebuilt {self.rebuilt}"
        return (
            f"lot {self.lot_id}  {self.field}: stored {_quantities(self.stored)}, "
            f"rebuilt {_quantities(self.rebuilt)}"
        )


def sync_arrows(lot_ids: Iterable[int | None]) -> None:
    """Copy each lot's enterprise, unit and quantity on hand onto the arrows leading into it,
    and whether it has shipments out.

    Called in the transaction of every change of a lot's stock, of its shipments or of the
    edges into it (after the lot's own UPDATE and the shipment rows: the copies are read from
    the rows, never from Python).
    """
    ids = sorted({pk for pk in lot_ids if pk is not None})
    lot = Lot.objects.filter(pk=OuterRef("dst_id"))
    for start in range(0, len(ids), CHUNK):
        LotEdge.objects.filter(dst_id__in=ids[start : start + CHUNK]).update(
            dst_enterprise=Subquery(lot.values("enterprise_id")[:1]),
            dst_unit=Subquery(lot.values("unit")[:1]),
            dst_on_hand=Subquery(lot.values("quantity_on_hand")[:1]),
            dst_shipped=Exists(LotShipment.objects.filter(lot_id=OuterRef("dst_id"))),
        )


def _quantities(values: tuple[Decimal, ...]) -> str:
    return " + ".join(str(v) for v in values) if values else "—"


def _ranges(model: Any) -> Iterator[tuple[int, int]]:
    bounds = model.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    start = bounds["low"]
    while start <= bounds["high"]:
        yield start, start + CHUNK
        start += CHUNK


# -- lots ---------------------------------------------------------------------------

_LIVE = Q(event__voided_by__isnull=True) & ~Q(event__event_type=EventType.VOID)


def _rebuilt_lots(low: int, high: int) -> dict[int, dict[str, Any]]:
    rows = (
        EventLine.objects.filter(_LIVE, lot_id__gte=low, lot_id__lt=high)
        .values("lot_id")
        .annotate(
            q_out=Sum("quantity", filter=Q(role=LineRole.OUTPUT)),
            q_in=Sum("quantity", filter=Q(role=LineRole.INPUT)),
            recalls=Count("pk", filter=Q(event__event_type=EventType.RECALL)),
            failed=Count("pk", filter=Q(event__event_type=EventType.INSPECT, event__detail__passed=False)),
            passed=Count("pk", filter=Q(event__event_type=EventType.INSPECT, event__detail__passed=True)),
            shipped=Count("pk", filter=Q(event__event_type=EventType.SHIP)),
        )
        .order_by()
    )
    out = {}
    for row in rows:
        added = dec(row["q_out"] or 0)
        taken = dec(row["q_in"] or 0)
        if row["failed"]:  # a failed live result is sticky (see actions.inspection.test_status_of)
            test_status = TestStatus.FAILED.value
        elif row["passed"]:
            test_status = TestStatus.PASSED.value
        else:
            test_status = TestStatus.UNTESTED.value
        out[row["lot_id"]] = {
            "quantity_on_hand": added - taken,
            "quantity_in": added,
            "status": (LotStatus.RECALLED if row["recalls"] else LotStatus.ACTIVE).value,
            "test_status": test_status,
            "shipped": row["shipped"] > 0,  # not a lot field: what the arrows into the lot say
        }
    return out


_EMPTY_LOT = {
    "quantity_on_hand": ZERO,
    "quantity_in": ZERO,
    "status": LotStatus.ACTIVE.value,
    "test_status": TestStatus.UNTESTED.value,
    "shipped": False,
}


def _lot_differences(low: int, high: int, rebuilt: dict[int, dict[str, Any]]) -> list[Difference]:
    differences = []
    stored_rows = Lot.objects.filter(pk__gte=low, pk__lt=high).values_list("pk", *LOT_FIELDS).order_by("pk")
    for pk, *stored in stored_rows:
        expected = rebuilt.get(pk, _EMPTY_LOT)
        for field, value in zip(LOT_FIELDS, stored, strict=True):
            if isinstance(value, Decimal):
                value = dec(value)
            if value != expected[field]:
                differences.append(Difference(pk, field, value, expected[field]))
    return differences


# -- edges --------------------------------------------------------------------------

_NOT_VOIDED = "NOT EXISTS (SELECT 1 FROM chain_traceevent v WHERE v.voids_id = ev.id)"

# Transform: each input lot → each output lot, the quantity taken from the input.
_TRANSFORM_EDGES = (
    "SELECT ev.id, i.lot_id, o.lot_id, i.quantity FROM chain_traceevent ev "
    "JOIN chain_eventline i ON i.event_id = ev.id AND i.role = %s "
    "JOIN chain_eventline o ON o.event_id = ev.id AND o.role = %s "
    f"WHERE ev.event_type = %s AND ev.id >= %s AND ev.id < %s AND {_NOT_VOIDED}"
)

# Ship: the shipper's lot (the shipment line the received lot's source key names)
# → the received lot, the quantity received. One row per receive line.
_SHIP_EDGES = (
    "SELECT DISTINCT ev.id, rl.id, s.id, rl.lot_id, rl.quantity FROM chain_traceevent ev "
    "JOIN chain_eventline rl ON rl.event_id = ev.id AND rl.role = %s "
    "JOIN chain_lot d ON d.id = rl.lot_id "
    "JOIN chain_eventline sl ON sl.event_id = ev.shipment_id "
    "JOIN chain_lot s ON s.id = sl.lot_id AND d.source_key = ('lot:' || CAST(s.id AS TEXT)) "
    f"WHERE ev.event_type = %s AND ev.shipment_id IS NOT NULL AND ev.id >= %s AND ev.id < %s AND {_NOT_VOIDED}"
)


def _rebuilt_edges(low: int, high: int) -> dict[EdgeKey, list[Decimal]]:
    out: dict[EdgeKey, list[Decimal]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_TRANSFORM_EDGES, [LineRole.INPUT.value, LineRole.OUTPUT.value, EventType.TRANSFORM.value, low, high])
        for event_id, src, dst, quantity in cursor.fetchall():
            out[EdgeKey(event_id, src, dst, EdgeKind.TRANSFORM.value)].append(dec(quantity))
        cursor.execute(_SHIP_EDGES, [LineRole.OUTPUT.value, EventType.RECEIVE.value, low, high])
        for event_id, _line, src, dst, quantity in cursor.fetchall():
            out[EdgeKey(event_id, src, dst, EdgeKind.SHIP.value)].append(dec(quantity))
    return out


def _stored_edges(low: int, high: int) -> dict[EdgeKey, list[Decimal]]:
    out: dict[EdgeKey, list[Decimal]] = defaultdict(list)
    rows = LotEdge.objects.filter(event_id__gte=low, event_id__lt=high).values_list(
        "event_id", "src_id", "dst_id", "kind", "quantity"
    )
    for event_id, src, dst, kind, quantity in rows:
        out[EdgeKey(event_id, src, dst, kind)].append(dec(quantity))
    return out


def _edge_differences(low: int, high: int) -> list[Difference]:
    stored = _stored_edges(low, high)
    rebuilt = _rebuilt_edges(low, high)
    differences = []
    for key in sorted(stored.keys() | rebuilt.keys(), key=lambda k: (k.event_id, k.src_id, k.dst_id, k.kind)):
        have, want = tuple(sorted(stored.get(key, ()))), tuple(sorted(rebuilt.get(key, ())))
        if have != want:
            field = f"edge {key.kind} → lot {key.dst_id} (event {key.event_id})"
            differences.append(Difference(key.src_id, field, have, want, edge=key))
    return differences


# -- arrows: what each edge copies of the lot it leads to ----------------------------

_SHIPPED = "EXISTS (SELECT 1 FROM chain_lotshipment s WHERE s.lot_id = e.dst_id)"
_ARROWS = (
    "SELECT e.dst_id, e.dst_enterprise, e.dst_unit, e.dst_on_hand, e.dst_shipped, l.enterprise_id, l.unit, "
    f"l.quantity_on_hand, {_SHIPPED} FROM chain_lotedge e JOIN chain_lot l ON l.id = e.dst_id "
    "WHERE e.dst_id >= %s AND e.dst_id < %s AND (e.dst_enterprise <> l.enterprise_id OR e.dst_unit <> l.unit "
    f"OR e.dst_on_hand <> l.quantity_on_hand OR e.dst_shipped <> {_SHIPPED})"
)


def _arrow_differences(low: int, high: int, rebuilt: dict[int, dict[str, Any]]) -> list[Difference]:
    """Arrows whose copy of their lot differs from the lot (its stock as the events give it;
    a lot whose stored stock is wrong is reported as a lot difference, and the repair copies
    it onto its arrows; whether it has live ship events, where the shipment rows may be
    wrong: the repair rebuilds those first). One difference per lot."""
    with connection.cursor() as cursor:
        cursor.execute(_ARROWS, [low, high])
        rows = cursor.fetchall()
    seen: dict[int, Difference] = {}
    for dst, enterprise, unit, on_hand, shipped, want_enterprise, want_unit, _stored_on_hand, _stored_shipped in rows:
        events = rebuilt.get(dst, _EMPTY_LOT)
        want = (want_enterprise, want_unit, events["quantity_on_hand"], events["shipped"])
        have = (enterprise, unit, dec(on_hand), bool(shipped))
        if dst not in seen and have != want:
            seen[dst] = Difference(dst, "arrows into the lot (enterprise, unit, on hand, shipped)", have, want, arrow=True)
    return [seen[dst] for dst in sorted(seen)]


# -- shipments ----------------------------------------------------------------------

# Each line of a live ship event, with what live receipts of it booked in from that lot.
_SHIPMENTS = (
    "SELECT ev.id, l.lot_id, ev.enterprise_id, ev.partner_id, ev.counterparty_id, l.quantity, "
    "(SELECT COALESCE(SUM(rl.quantity), 0) FROM chain_traceevent rv "
    " JOIN chain_eventline rl ON rl.event_id = rv.id "
    " JOIN chain_lot d ON d.id = rl.lot_id AND d.source_key = ('lot:' || CAST(l.lot_id AS TEXT)) "
    " WHERE rv.shipment_id = ev.id AND NOT EXISTS (SELECT 1 FROM chain_traceevent x WHERE x.voids_id = rv.id)) "
    "FROM chain_traceevent ev JOIN chain_eventline l ON l.event_id = ev.id "
    f"WHERE ev.event_type = %s AND ev.id >= %s AND ev.id < %s AND {_NOT_VOIDED}"
)
SHIPMENT_FIELDS = ("enterprise_id", "partner_id", "counterparty_id", "quantity", "received")


def _shipment_differences(low: int, high: int) -> list[Difference]:
    with connection.cursor() as cursor:
        cursor.execute(_SHIPMENTS, [EventType.SHIP.value, low, high])
        rebuilt = {
            (event_id, lot_id): (enterprise_id, partner_id, counterparty_id, dec(quantity), dec(received))
            for event_id, lot_id, enterprise_id, partner_id, counterparty_id, quantity, received in cursor.fetchall()
        }
    stored = {
        (event_id, lot_id): (enterprise_id, partner_id, counterparty_id, dec(quantity), dec(received))
        for event_id, lot_id, enterprise_id, partner_id, counterparty_id, quantity, received in LotShipment.objects.filter(
            event_id__gte=low, event_id__lt=high
        ).values_list("event_id", "lot_id", *SHIPMENT_FIELDS)
    }
    return [
        Difference(lot_id, f"shipment (event {event_id})", stored.get((event_id, lot_id)), rebuilt.get((event_id, lot_id)),
                   shipment=(event_id, lot_id))
        for event_id, lot_id in sorted(stored.keys() | rebuilt.keys())
        if stored.get((event_id, lot_id)) != rebuilt.get((event_id, lot_id))
    ]


def _repair_shipment(diff: Difference) -> None:
    assert diff.shipment is not None
    event_id, lot_id = diff.shipment
    LotShipment.objects.filter(event_id=event_id, lot_id=lot_id).delete()
    if diff.rebuilt is not None:
        enterprise_id, partner_id, counterparty_id, quantity, received = diff.rebuilt
        event = TraceEvent.objects.only("occurred_at").get(pk=event_id)
        LotShipment.objects.create(
            event_id=event_id,
            lot_id=lot_id,
            enterprise_id=enterprise_id,
            partner_id=partner_id,
            counterparty_id=counterparty_id,
            occurred_at=event.occurred_at,
            quantity=quantity,
            unit=Lot.objects.values_list("unit", flat=True).get(pk=lot_id),
            received=received,
        )


# -- the check and the repair ------------------------------------------------------


def rebuild_projections() -> list[Difference]:
    """Every difference between the stored projections and the ones the events give."""
    differences: list[Difference] = []
    for low, high in _ranges(Lot):
        rebuilt = _rebuilt_lots(low, high)
        differences.extend(_lot_differences(low, high, rebuilt))
        differences.extend(_arrow_differences(low, high, rebuilt))
    for low, high in _ranges(TraceEvent):
        differences.extend(_edge_differences(low, high))
        differences.extend(_shipment_differences(low, high))
    return differences


@transaction.atomic
def repair_projections(*, acting_user: Any) -> list[Difference]:
    """Rebuild inside one transaction and write the rebuilt values; returns what changed."""
    differences = rebuild_projections()
    by_lot: dict[int, dict[str, Any]] = defaultdict(dict)
    edges_by_event: dict[int, list[Difference]] = defaultdict(list)
    for diff in differences:
        if diff.shipment is not None:
            _repair_shipment(diff)
            record(
                "chain.projection.repair",
                Lot.objects.get(pk=diff.lot_id),
                acting_user=acting_user,
                field=diff.field,
                before=[str(v) for v in diff.stored or ()],
                after=[str(v) for v in diff.rebuilt or ()],
            )
        elif diff.arrow:
            record(
                "chain.projection.repair",
                Lot.objects.get(pk=diff.lot_id),
                acting_user=acting_user,
                field=diff.field,
                before=[str(v) for v in diff.stored],
                after=[str(v) for v in diff.rebuilt],
            )
        elif diff.edge is None:
            by_lot[diff.lot_id][diff.field] = diff
        else:
            edges_by_event[diff.edge.event_id].append(diff)
    lots = Lot.objects.select_related("enterprise").in_bulk(list(by_lot))
    for lot_id, fields in by_lot.items():
        Lot.objects.filter(pk=lot_id).update(**{name: d.rebuilt for name, d in fields.items()})
        record(
            "chain.projection.repair",
            lots[lot_id],
            acting_user=acting_user,
            jurisdiction_code=lots[lot_id].enterprise.jurisdiction_id,
            before={name: str(d.stored) for name, d in fields.items()},
            after={name: str(d.rebuilt) for name, d in fields.items()},
        )
    events = TraceEvent.objects.select_related("enterprise").in_bulk(list(edges_by_event))
    for event_id, diffs in edges_by_event.items():
        for diff in diffs:
            key = diff.edge
            if key is None:
                continue
            LotEdge.objects.filter(event_id=key.event_id, src_id=key.src_id, dst_id=key.dst_id, kind=key.kind).delete()
            LotEdge.objects.bulk_create(
                [
                    LotEdge(event_id=key.event_id, src_id=key.src_id, dst_id=key.dst_id, kind=key.kind, quantity=q)
                    for q in diff.rebuilt
                ]
            )
        record(
            "chain.projection.repair",
            events[event_id],
            acting_user=acting_user,
            jurisdiction_code=events[event_id].enterprise.jurisdiction_id,
            edges=[
                {"src": d.lot_id, "dst": d.edge.dst_id, "kind": d.edge.kind,
                 "before": [str(q) for q in d.stored], "after": [str(q) for q in d.rebuilt]}
                for d in diffs
                if d.edge is not None
            ],
        )
    # last: the arrows copy the lots as now repaired, and the repaired edges get their copies
    sync_arrows([d.lot_id for d in differences if d.edge is None] + [d.edge.dst_id for d in differences if d.edge])
    return differences
