"""What the consumer page shows about one lot, read with three narrow statements.

Raw SQL over the columns the page needs (no model instances: the ORM costs ten times the
query here). ``lot_version`` is the page's cache version; ``load_page`` reads everything
else: the lot with its enterprise, product and supplier (one row), the lot's live test
results and recall, and its inputs one level back with their receipts and certificates.
Document files are never exposed, only their kind and number.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from shilian.chain.choices import DocumentKind, EdgeKind, EventType, InspectionKind, LineRole, LotStatus
from shilian.chain.queries.trace import as_date, as_datetime

# Evidence a consumer may see named (kind and number only): not invoices.
PUBLIC_DOCUMENT_KINDS = (DocumentKind.CERTIFICATE, DocumentKind.TEST_REPORT, DocumentKind.LICENCE)

# The version: how many event lines the lot has, and their id sum. Event lines are
# append-only and every chain action writes one for each lot it changes (a recall for
# every downstream lot it marks, a void for every lot of the voided event), so any
# committed event on the lot changes the count. Counting (not MAX(id)) keeps it right on
# PostgreSQL, where a transaction holding a lower id may commit after one holding a
# higher id. What the page shows of the inputs is fixed when the lot is made (receipts
# recorded before its production), so events on the inputs need not count.
_VERSION_SQL = "SELECT COUNT(*), COALESCE(SUM(id), 0) FROM chain_eventline WHERE lot_id = %s"

_LOT_SQL = """
SELECT l.id, l.code, l.product_name, l.produced_on, l.expires_on, l.status, l.test_status, l.origin,
       e.name, e.licence_no, e.address, e.contact_phone, j.name, j.name_en,
       p.name, p.specification, p.ingredients, p.standard, p.storage, p.gtin, p.shelf_life_days,
       s.name, p.enterprise_id, l.enterprise_id, sc.code
FROM chain_lot l
JOIN registry_enterprise e ON e.id = l.enterprise_id
JOIN registry_jurisdiction j ON j.code = e.jurisdiction_id
LEFT JOIN catalog_product p ON p.id = l.product_id
LEFT JOIN registry_partner s ON s.id = l.supplier_id
LEFT JOIN codes_shortcode sc ON sc.lot_id = l.id
WHERE l.id = %s
"""

_EVENTS_SQL = f"""
SELECT ev.id, ev.event_type, ev.occurred_at, ev.detail, ev.reference_no, r.reference, r.reason
FROM chain_eventline el
JOIN chain_traceevent ev ON ev.id = el.event_id
LEFT JOIN chain_recall r ON r.id = ev.recall_id
WHERE el.lot_id = %s AND ev.event_type IN ('{EventType.INSPECT}', '{EventType.RECALL}')
  AND NOT EXISTS (SELECT 1 FROM chain_traceevent v WHERE v.voids_id = ev.id)
ORDER BY ev.occurred_at, ev.id
"""

# One row per input edge × live receipt × public document. The receipt of a lot shipped
# on the platform is the edge's own event; of an ingredient bought in, the input lot's
# receive events recorded before the production was (later deliveries of the same lot
# code, even backdated ones, do not change this page).
_KINDS = ", ".join(f"'{kind}'" for kind in PUBLIC_DOCUMENT_KINDS)
_SOURCES_SQL = f"""
SELECT src.id, src.product_name, src.code, src.origin, ed.kind, se.name, sp.name, rev.id, rev.occurred_at,
       d.kind, d.number
FROM chain_lotedge ed
JOIN chain_lot src ON src.id = ed.src_id
JOIN registry_enterprise se ON se.id = src.enterprise_id
JOIN chain_traceevent used ON used.id = ed.event_id
LEFT JOIN registry_partner sp ON sp.id = src.supplier_id
LEFT JOIN chain_traceevent rev ON rev.event_type = '{EventType.RECEIVE}'
  AND NOT EXISTS (SELECT 1 FROM chain_traceevent v WHERE v.voids_id = rev.id)
  AND (
    (ed.kind = '{EdgeKind.SHIP}' AND rev.id = ed.event_id)
    OR (ed.kind = '{EdgeKind.TRANSFORM}' AND rev.recorded_at <= used.recorded_at AND rev.id IN (
        SELECT rl.event_id FROM chain_eventline rl WHERE rl.lot_id = src.id AND rl.role = '{LineRole.OUTPUT}'))
  )
LEFT JOIN chain_document d ON d.event_id = rev.id AND d.kind IN ({_KINDS})
WHERE ed.dst_id = %s
ORDER BY src.id, rev.occurred_at, rev.id, d.id
"""


@dataclass
class Source:
    """One input lot: what it was, who supplied it, when it came in, with which certificates."""

    lot_id: int
    product_name: str
    code: str
    supplier: str  # "" when made in house
    in_house: bool
    received_on: list[dt.date] = field(default_factory=list)
    certificates: list[tuple[str, str]] = field(default_factory=list)  # (kind, number)


@dataclass(frozen=True)
class TestResult:
    official: bool
    passed: bool
    on: dt.date
    lab: str
    report_no: str


@dataclass(frozen=True)
class RecallNotice:
    reference: str
    reason: str
    on: dt.date


@dataclass
class LotPage:
    """Everything the consumer page and the linkset say about a lot."""

    lot_id: int
    version: str
    code: str
    product_name: str
    produced_on: dt.date | None
    expires_on: dt.date | None
    recalled: bool
    test_status: str
    received: bool
    enterprise: str
    licence_no: str
    address: str
    phone: str
    town: str
    town_en: str
    specification: str = ""
    ingredients: str = ""
    standard: str = ""
    storage: str = ""
    gtin: str = ""
    shelf_life_days: int | None = None
    supplier: str = ""
    gtin_owner: bool = False  # the GTIN is the lot's own enterprise's: its codes carry it
    short_code: str = ""
    sources: list[Source] = field(default_factory=list)
    tests: list[TestResult] = field(default_factory=list)
    recall: RecallNotice | None = None


def lot_version(lot_id: int) -> str:
    """The page's version: changes with every event on the lot."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [lot_id])
        count, total = cursor.fetchone()
    return f"{count}.{total}"


def _local_date(value: Any) -> dt.date:
    return timezone.localtime(as_datetime(value)).date()


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return value if isinstance(value, dict) else {}


def load_page(lot_id: int, *, version: str | None = None) -> LotPage | None:
    """The page data of a lot (None when there is no such lot): three statements, and
    the version first unless the caller just read it."""
    if version is None:
        version = lot_version(lot_id)
    with connection.cursor() as cursor:
        cursor.execute(_LOT_SQL, [lot_id])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(_EVENTS_SQL, [lot_id])
        events = cursor.fetchall()
        cursor.execute(_SOURCES_SQL, [lot_id])
        sources = cursor.fetchall()
    page = LotPage(
        lot_id=row[0],
        version=version,
        code=row[1],
        product_name=row[14] or row[2],
        produced_on=as_date(row[3]),
        expires_on=as_date(row[4]),
        recalled=row[5] == LotStatus.RECALLED,
        test_status=row[6],
        received=row[7] == "received",
        enterprise=row[8],
        licence_no=row[9],
        address=row[10],
        phone=row[11],
        town=row[12],
        town_en=row[13],
        specification=row[15] or "",
        ingredients=row[16] or "",
        standard=row[17] or "",
        storage=row[18] or "",
        gtin=row[19] or "",
        shelf_life_days=row[20],
        supplier=row[21] or "",
        gtin_owner=row[22] is not None and row[22] == row[23],
        short_code=row[24] or "",
    )
    for _id, event_type, occurred_at, detail, reference_no, recall_ref, recall_reason in events:
        if event_type == EventType.RECALL:
            if page.recall is None:  # the recall that marked this lot
                page.recall = RecallNotice(recall_ref or reference_no, recall_reason or "", _local_date(occurred_at))
            continue
        data = _json(detail)
        page.tests.append(
            TestResult(
                official=data.get("kind") == InspectionKind.OFFICIAL,
                passed=data.get("passed") is True,
                on=_local_date(occurred_at),
                lab=str(data.get("lab") or ""),
                report_no=reference_no or "",
            )
        )
    page.sources = _sources(sources)
    return page


def _sources(rows: list[tuple[Any, ...]]) -> list[Source]:
    by_lot: dict[int, Source] = {}
    seen_receipts: set[tuple[int, int]] = set()
    for src_id, name, code, origin, edge_kind, shipper, partner, receipt_id, received_at, doc_kind, doc_no in rows:
        source = by_lot.get(src_id)
        if source is None:
            shipped = edge_kind == EdgeKind.SHIP
            in_house = not shipped and origin != "received"
            supplier = shipper if shipped else (partner or "")
            source = by_lot[src_id] = Source(src_id, name, code, "" if in_house else supplier, in_house)
        if receipt_id is not None and (src_id, receipt_id) not in seen_receipts:
            seen_receipts.add((src_id, receipt_id))
            day = _local_date(received_at)
            if day not in source.received_on:
                source.received_on.append(day)
        if doc_kind is not None and (doc_kind, doc_no or "") not in source.certificates:
            source.certificates.append((doc_kind, doc_no or ""))
    return list(by_lot.values())
