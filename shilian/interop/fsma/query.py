"""The rows of the FSMA 204 electronic sortable spreadsheet (21 CFR 1.1455(c)(3)(ii)).

One row per critical tracking event × lot: every line of every receiving, transformation
and shipping event in scope, with the key data elements the rule asks for that event
(§ 1.1345 receiving, § 1.1340 shipping, § 1.1350 transformation) as columns:

- the event: its id (a transformation spans one row per input and per output lot; the id
  ties them together), the CTE, whether the lot went in or came out, the date and time;
- the lot: traceability lot code (TLC), GTIN, product description (name and specification),
  quantity and unit of measure, production and expiry dates;
- the places, each as a location description (§ 1.1310: business name, address, phone) and
  an identifier (GLN, else the unified social credit code): the TLC source (see
  ``places``), where the event happened, where the food came from (receiving: the immediate
  previous source) and went to (shipping: the immediate subsequent recipient);
- the reference documents: attached documents' kinds and numbers, the event's document
  number, else the platform's own record (a "database record" in the rule's words).

Harvesting, cooling, initial packing and first land-based receiving have no event of their
own in the chain yet: a farm's lots enter as its receipts from growers, or as the outputs of a
transformation, and appear as such.

Voided events and the corrections voiding them are left out: the sheet shows what happened.
Sales at retail (shipments with no customer) stay in as "Retail sale", which the rule does not
count as shipping, so that they can be filtered either way. Inspections, recalls and disposals
are not critical tracking events.

Rows stream: the lines are read with one query in chunks, and each chunk's places and
documents with a few more, so an export of 100,000 rows holds a chunk in memory, not the sheet.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from shilian.chain.choices import EventType, LineRole
from shilian.chain.models import Document, EventLine
from shilian.core.access import Perm
from shilian.interop.fsma.places import Place, Places, chunks
from shilian.registry.access import enterprise_filter

CHUNK = 2000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float


# Bilingual headers: the sheet goes to inspectors here and to importers' regulators abroad.
COLUMNS: tuple[Column, ...] = (
    Column("event_id", "事件编号 Event ID", 10),
    Column("cte", "关键追踪事件 Critical tracking event", 18),
    Column("lot_role", "投入/产出 Input/output", 10),
    Column("date", "日期 Date", 12),
    Column("time", "时间 Time", 8),
    Column("tlc", "追溯批号 Traceability lot code", 18),
    Column("gtin", "GTIN", 16),
    Column("product", "产品描述 Product description", 24),
    Column("quantity", "数量 Quantity", 12),
    Column("unit", "单位 Unit of measure", 10),
    Column("produced_on", "生产日期 Production date", 12),
    Column("expires_on", "保质期至 Expiry date", 12),
    Column("tlc_source", "批号来源 TLC source location", 36),
    Column("tlc_source_ref", "批号来源代码 TLC source reference", 26),
    Column("location", "事件地点 Event location", 36),
    Column("location_id", "事件地点代码 Event location identifier", 26),
    Column("ship_from", "发货地 Ship-from (immediate previous source)", 36),
    Column("ship_from_id", "发货地代码 Ship-from identifier", 26),
    Column("ship_to", "收货地 Ship-to (immediate subsequent recipient)", 36),
    Column("ship_to_id", "收货地代码 Ship-to identifier", 26),
    Column("reference_type", "参考单据类型 Reference document type", 20),
    Column("reference_no", "参考单据编号 Reference document number", 20),
    Column("division", "辖区代码 Division code", 11),
)
KEYS = tuple(column.key for column in COLUMNS)
HEADERS = tuple(column.header for column in COLUMNS)

RECEIVING = "进货 Receiving"
TRANSFORMATION = "生产加工 Transformation"
SHIPPING = "销售出库 Shipping"
RETAIL = "零售 Retail sale"
INPUT = "投入 Input"
OUTPUT = "产出 Output"
RETAIL_PLACE = Place("零售消费者 Consumers (retail)")
DOCUMENT_KINDS = {
    "certificate": "合格证明 Certificate",
    "invoice": "票据 Invoice",
    "test_report": "检验报告 Test report",
    "licence": "许可证 Licence",
    "other": "其他 Other",
}
EVENT_DOCUMENTS: dict[str, str] = {  # what the event's own document number is, by event type
    EventType.RECEIVE: "票据 Invoice",
    EventType.SHIP: "送货单 Delivery note",
    EventType.TRANSFORM: "生产记录 Production record",
}
PLATFORM_RECORD = "追溯平台记录 Database record"
CTE_TYPES = (EventType.RECEIVE, EventType.TRANSFORM, EventType.SHIP)

_FIELDS = (
    "event_id",
    "role",
    "quantity",
    "unit",
    "lot_id",
    "event__event_type",
    "event__occurred_at",
    "event__enterprise_id",
    "event__partner_id",
    "event__counterparty_id",
    "event__reference_no",
    "event__room",
    "lot__code",
    "lot__product_name",
    "lot__product__specification",
    "lot__product__gtin",
    "lot__produced_on",
    "lot__expires_on",
    "lot__enterprise_id",
    "lot__origin",
    "lot__source_key",
)


@dataclass(frozen=True)
class FsmaQuery:
    """What an FSMA 204 request asks for: a date range and/or traceability lot codes, and
    optionally one enterprise or one jurisdiction subtree (GB/T 2260 code prefix)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    lot_codes: tuple[str, ...] = ()
    enterprise_id: int | None = None
    division_prefix: str = ""


def fsma_lines(user: Any, query: FsmaQuery, perm: str = Perm.VIEW) -> Any:
    """The event lines in the sheet, scoped to what the user may ``perm``, in event order."""
    lines = EventLine.objects.filter(
        enterprise_filter(user, perm, prefix="enterprise__"),
        event__event_type__in=CTE_TYPES,
        event__voided_by__isnull=True,
    )
    if query.date_from is not None:
        lines = lines.filter(event__occurred_at__gte=_day_start(query.date_from))
    if query.date_to is not None:
        lines = lines.filter(event__occurred_at__lt=_day_start(query.date_to + dt.timedelta(days=1)))
    if query.lot_codes:
        lines = lines.filter(lot__code__in=sorted(set(query.lot_codes)))
    if query.enterprise_id is not None:
        lines = lines.filter(enterprise_id=query.enterprise_id)
    if query.division_prefix:
        lines = lines.filter(Q(enterprise__jurisdiction__code__startswith=query.division_prefix))
    return lines.order_by("event__occurred_at", "event_id", "role", "pk")


def fsma_rows(
    user: Any, query: FsmaQuery, perm: str = Perm.VIEW, *, limit: int | None = None
) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows, values in ``KEYS`` order: dates as dates, quantities as Decimals,
    blanks as None."""
    lines = fsma_lines(user, query, perm).values_list(*_FIELDS)
    if limit is not None:
        lines = lines[:limit]
    places = Places()
    for chunk in _batched(lines.iterator(chunk_size=CHUNK), CHUNK):
        places.load(
            enterprise_ids={pk for row in chunk for pk in (row[7], row[9])},
            partner_ids={row[8] for row in chunk},
            lots={(row[4], row[18], row[19], row[20]) for row in chunk},
        )
        documents = _documents(sorted({row[0] for row in chunk}))
        for row in chunk:
            yield _row(row, places, documents.get(row[0], ()))


def fsma_dicts(
    user: Any, query: FsmaQuery, perm: str = Perm.VIEW, *, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """The same rows as dicts keyed by ``KEYS`` (for a JSON answer)."""
    for row in fsma_rows(user, query, perm, limit=limit):
        yield dict(zip(KEYS, row, strict=True))


def _row(row: Sequence[Any], places: Places, documents: Sequence[tuple[str, str]]) -> tuple[Any, ...]:
    (event_id, role, quantity, unit, lot_id, event_type, occurred_at, enterprise_id, partner_id, counterparty_id,
     reference_no, room, code, product_name, specification, gtin, produced_on, expires_on, _, _, _) = row  # fmt: skip
    here = places.enterprise(enterprise_id)
    source = places.tlc_source(lot_id)
    lot_role = None
    ship_from = ship_to = None
    if event_type == EventType.RECEIVE:
        cte = RECEIVING
        ship_from = places.enterprise(counterparty_id) if counterparty_id else places.partner(partner_id)
        ship_to = here
    elif event_type == EventType.SHIP:
        ship_from = here
        if counterparty_id:
            cte, ship_to = SHIPPING, places.enterprise(counterparty_id)
        elif partner_id:
            cte, ship_to = SHIPPING, places.partner(partner_id)
        else:
            cte, ship_to = RETAIL, RETAIL_PLACE
    else:
        cte = TRANSFORMATION
        lot_role = INPUT if role == LineRole.INPUT else OUTPUT
    local = timezone.localtime(occurred_at)
    reference_type, reference_number = _references(event_id, event_type, reference_no, documents)
    location = f"{here.description}（{room}）" if room else here.description
    return (
        event_id,
        cte,
        lot_role,
        local.date(),
        local.strftime("%H:%M"),
        code,
        gtin or None,
        f"{product_name} {specification}" if specification else product_name,
        quantity,
        unit,
        produced_on,
        expires_on,
        source.description or None,
        source.identifier or None,
        location or None,
        here.identifier or None,
        ship_from.description or None if ship_from else None,
        ship_from.identifier or None if ship_from else None,
        ship_to.description or None if ship_to else None,
        ship_to.identifier or None if ship_to else None,
        reference_type,
        reference_number,
        here.division or None,
    )


def _references(
    event_id: int, event_type: str, reference_no: str, documents: Sequence[tuple[str, str]]
) -> tuple[str, str]:
    """Reference document types and numbers, ``；``-separated in the same order."""
    kinds = [DOCUMENT_KINDS.get(kind, kind) for kind, _ in documents]
    numbers = [number or "—" for _, number in documents]
    if reference_no and reference_no not in numbers:
        kinds.append(EVENT_DOCUMENTS.get(event_type, PLATFORM_RECORD))
        numbers.append(reference_no)
    if not kinds:
        return PLATFORM_RECORD, str(event_id)
    return "；".join(kinds), "；".join(numbers)


def _documents(event_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for part in chunks(event_ids):
        rows = Document.objects.filter(event_id__in=part).order_by("pk").values_list("event_id", "kind", "number")
        for event_id, kind, number in rows:
            out[event_id].append((kind, number))
    return out


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _batched(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk
