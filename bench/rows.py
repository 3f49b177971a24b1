"""The rows of a generated province, table by table, as shilian's actions would write them.

Values are plain Python: datetimes as UTC text (the way Django stores them on SQLite;
PostgreSQL is told its session zone is UTC), quantities as floats (multiples of 0.25,
exact in binary), JSON as text. ``PRODUCERS`` lists the tables in load order.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator

from bench.province import (
    BASE_TIME,
    DAY,
    E_SHIP,
    INPUT,
    KINDS,
    PRODUCED,
    RECEIVE,
    SHIP,
    TRANSFORM,
    Province,
)

EVENT_TYPES = {RECEIVE: "receive", TRANSFORM: "transform", SHIP: "ship"}
KIND_VALUE = {k[0]: k[1] for k in KINDS}

COLUMNS = {
    "registry_jurisdiction": ("code", "name", "name_en", "level", "parent_id", "prefix"),
    "registry_enterprise": (
        "id",
        "name",
        "uscc",
        "licence_no",
        "kind",
        "address",
        "jurisdiction_id",
        "gln",
        "contact_phone",
        "created_at",
    ),
    "registry_partner": ("id", "enterprise_id", "name", "kind", "uscc", "linked_enterprise_id", "contact", "address", "gln"),
    "catalog_product": (
        "id",
        "enterprise_id",
        "name",
        "specification",
        "gtin",
        "kind",
        "category",
        "unit",
        "shelf_life_days",
        "ingredients",
        "storage",
        "standard",
        "active",
        "created_at",
    ),
    "chain_lot": (
        "id",
        "enterprise_id",
        "product_id",
        "product_name",
        "code",
        "source_key",
        "unit",
        "origin",
        "produced_on",
        "expires_on",
        "supplier_id",
        "status",
        "test_status",
        "quantity_on_hand",
        "quantity_in",
        "created_at",
    ),
    "chain_traceevent": (
        "id",
        "event_type",
        "enterprise_id",
        "occurred_at",
        "recorded_at",
        "recorded_by_id",
        "room",
        "partner_id",
        "counterparty_id",
        "shipment_id",
        "voids_id",
        "recall_id",
        "reference_no",
        "detail",
    ),
    "chain_eventline": ("id", "event_id", "enterprise_id", "lot_id", "role", "quantity", "unit"),
    "chain_lotedge": (
        "id", "src_id", "dst_id", "kind", "event_id", "quantity", "dst_enterprise", "dst_unit", "dst_on_hand", "dst_shipped"
    ),
    "chain_lotshipment": (
        "id",
        "event_id",
        "lot_id",
        "enterprise_id",
        "partner_id",
        "counterparty_id",
        "occurred_at",
        "quantity",
        "unit",
        "received",
    ),
    "bench_edge": ("src", "dst"),
    "bench_lot": ("id", "enterprise_id", "qty", "level", "bulk"),
    "bench_ship": ("lot", "event", "enterprise_id", "customer", "qty", "received"),
}


def stamp(seconds: int) -> str:
    """UTC, as Django stores an aware datetime on SQLite (PostgreSQL is told the zone is UTC)."""
    return (BASE_TIME + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def day(seconds: int) -> str:
    return (BASE_TIME + dt.timedelta(seconds=seconds)).date().isoformat()


def qty(milli: int) -> float:
    return milli / 1000  # multiples of 0.25: exact in binary


# -- row producers ---------------------------------------------------------------------------
def jurisdiction_rows(p: Province) -> Iterator[tuple]:
    for code, name, name_en, parent, prefix in p.jurisdictions:
        level = "township" if len(code) == 9 else {2: "province", 4: "city"}.get(len(prefix), "county")
        yield (code, name, name_en, level, parent, prefix)


def enterprise_rows(p: Province) -> Iterator[tuple]:
    created = stamp(0)
    for e in p.enterprises:
        yield (
            e.id,
            e.name,
            e.uscc,
            f"JY{e.id:012d}",
            KIND_VALUE[e.kind],
            f"{e.name}路{e.id}号",
            e.jurisdiction,
            "",
            f"0576-{e.id:07d}",
            created,
        )


def partner_rows(p: Province) -> Iterator[tuple]:
    for i, (ent, name, kind, linked) in enumerate(p.partners, 1):
        yield (i, ent, name, kind, "", linked or None, "", "", "")


def product_rows(p: Province) -> Iterator[tuple]:
    created = stamp(0)
    for i, (ent, name, kind, category, shelf) in enumerate(p.products, 1):
        yield (i, ent, name, "", None, kind, category, "kg", shelf, "", "", "", True, created)


def lot_rows(p: Province) -> Iterator[tuple]:
    shelf = [row[4] for row in p.products]
    for i in range(p.lot_count):
        lot_id = i + 1
        original = p.lot_name_of[i]
        product = p.lot_product[i]
        made = p.lot_t[original - 1]
        produced_on = day(made)
        expires_on = day(made + shelf[product - 1] * DAY) if p.lot_level[original - 1] != 0 else None
        if p.lot_src[i]:
            source_key = f"lot:{p.lot_src[i]}"
        else:
            source_key = f"partner:{p.lot_supplier[i]}" if p.lot_supplier[i] else ""
        yield (
            lot_id,
            p.lot_ent[i],
            product,
            p.products[product - 1][1],
            f"L{original}",
            source_key,
            "kg",
            "produced" if p.lot_origin[i] == PRODUCED else "received",
            produced_on,
            expires_on,
            p.lot_supplier[i] or None,
            "active",
            "untested",
            qty(p.lot_on_hand[i]),
            qty(p.lot_in[i]),
            stamp(p.lot_t[i]),
        )


def event_rows(p: Province) -> Iterator[tuple]:
    details = {
        RECEIVE: json.dumps({"acceptance": {}}),
        TRANSFORM: json.dumps({}),
        (SHIP, 0): json.dumps({"retail": False}),
        (SHIP, 1): json.dumps({"retail": True}),
    }
    for i in range(len(p.ev_type)):
        kind = p.ev_type[i]
        t = stamp(p.ev_t[i])
        detail = details[(SHIP, p.ev_retail[i])] if kind == SHIP else details[kind]
        yield (
            i + 1,
            EVENT_TYPES[kind],
            p.ev_ent[i],
            t,
            t,
            None,
            "",
            p.ev_partner[i] or None,
            p.ev_counterparty[i] or None,
            p.ev_shipment[i] or None,
            None,
            None,
            "",
            detail,
        )


def line_rows(p: Province) -> Iterator[tuple]:
    for j in range(len(p.ln_event)):
        event = p.ln_event[j]
        yield (
            j + 1,
            event,
            p.ev_ent[event - 1],
            p.ln_lot[j],
            "input" if p.ln_role[j] == INPUT else "output",
            qty(p.ln_qty[j]),
            "kg",
        )


def shipped_lots(p: Province) -> set[int]:
    """The lots with a row in the shipment projection (a line of a ship event)."""
    return {p.ln_lot[j] for j in range(len(p.ln_event)) if p.ev_type[p.ln_event[j] - 1] == SHIP}


def edge_rows(p: Province) -> Iterator[tuple]:
    shipped = shipped_lots(p)
    for k in range(len(p.ed_src)):
        yield (
            k + 1,
            p.ed_src[k],
            p.ed_dst[k],
            "ship" if p.ed_kind[k] == E_SHIP else "transform",
            p.ed_event[k],
            qty(p.ed_qty[k]),
            p.lot_ent[p.ed_dst[k] - 1],  # the arrow's copy of the lot it leads to (LotEdge.dst_*)
            "kg",
            qty(p.lot_on_hand[p.ed_dst[k] - 1]),
            p.ed_dst[k] in shipped,
        )


def lot_shipment_rows(p: Province) -> Iterator[tuple]:
    """The shipment projection: one row per lot per ship event; on-platform receipts are complete."""
    n = 0
    for j in range(len(p.ln_event)):
        event = p.ln_event[j]
        if p.ev_type[event - 1] != SHIP:
            continue
        n += 1
        counterparty = p.ev_counterparty[event - 1]
        amount = qty(p.ln_qty[j])
        yield (
            n,
            event,
            p.ln_lot[j],
            p.ev_ent[event - 1],
            p.ev_partner[event - 1] or None,
            counterparty or None,
            stamp(p.ev_t[event - 1]),
            amount,
            "kg",
            amount if counterparty else 0.0,
        )


def bench_ship_rows(p: Province) -> Iterator[tuple]:
    """The same shipments as plain rows: the destination as one number (the receiving
    enterprise, minus the partner off the platform, 0 at retail)."""
    for j in range(len(p.ln_event)):
        event = p.ln_event[j]
        if p.ev_type[event - 1] != SHIP:
            continue
        counterparty, partner = p.ev_counterparty[event - 1], p.ev_partner[event - 1]
        amount = qty(p.ln_qty[j])
        customer = counterparty or (-partner if partner else 0)
        yield (p.ln_lot[j], event, p.ev_ent[event - 1], customer, amount, amount if counterparty else 0.0)


def bench_edge_rows(p: Province) -> Iterator[tuple]:
    return zip(p.ed_src, p.ed_dst, strict=True)


def bench_lot_rows(p: Province) -> Iterator[tuple]:
    for i in range(p.lot_count):
        yield (i + 1, p.lot_ent[i], qty(p.lot_on_hand[i]), p.lot_level[i], p.lot_bulk[i])


PRODUCERS: list[tuple[str, Callable[[Province], Iterable[tuple]]]] = [
    ("registry_jurisdiction", jurisdiction_rows),
    ("registry_enterprise", enterprise_rows),
    ("registry_partner", partner_rows),
    ("catalog_product", product_rows),
    ("chain_lot", lot_rows),
    ("chain_traceevent", event_rows),
    ("chain_eventline", line_rows),
    ("chain_lotedge", edge_rows),
    ("chain_lotshipment", lot_shipment_rows),
    ("bench_edge", bench_edge_rows),
    ("bench_lot", bench_lot_rows),
    ("bench_ship", bench_ship_rows),
]
