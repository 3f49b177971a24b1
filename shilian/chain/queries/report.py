"""Trace and recall reports for people and the API, with the jurisdiction rule applied.

An enterprise outside the user's scope that a trace reaches appears with its name,
kind and jurisdiction only (a recall needs to know who holds what); its other data
(credit code, licence, address, phone) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shilian.catalog.models import Product
from shilian.chain.access import recall_impact_for
from shilian.chain.lotref import lot_identifiers
from shilian.chain.models import Lot, Recall
from shilian.chain.queries.trace import Direction, TraceLot, TraceResult, trace
from shilian.core.access import Perm
from shilian.registry.access import scope_for
from shilian.registry.models import Enterprise, Partner


@dataclass
class EnterpriseCard:
    id: int
    name: str
    kind: str
    jurisdiction_code: str
    jurisdiction_name: str
    in_scope: bool
    uscc: str | None = None
    licence_no: str | None = None
    address: str | None = None
    contact_phone: str | None = None


LotCard = TraceLot  # a reached lot as reports show it (the report fills in ``gtin``)


@dataclass
class PartnerCard:
    id: int
    name: str
    on_platform: bool
    enterprise_id: int | None


@dataclass
class TraceReport:
    direction: str
    root_id: int
    lots: dict[int, LotCard]
    children: dict[int, list[int]]
    enterprises: dict[int, EnterpriseCard]
    holders: list[dict[str, Any]]
    shipments: list[dict[str, Any]] = field(default_factory=list)
    suppliers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "lots": len(self.lots),
            "enterprises": len(self.enterprises),
            "holders": len(self.holders),
            "shipments": len(self.shipments),
            "suppliers": len(self.suppliers),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "root": self.root_id,
            "counts": self.counts,
            "lots": [dict(vars(lot)) for lot in self.lots.values()],  # scalars only: no deepcopy
            "edges": [{"from": a, "to": b} for a, kids in self.children.items() for b in kids],
            "enterprises": [dict(vars(e)) for e in self.enterprises.values()],
            "holders": self.holders,
            "shipments": self.shipments,
            "suppliers": self.suppliers,
        }


def enterprise_cards(user: Any, ids: set[int]) -> dict[int, EnterpriseCard]:
    scope = scope_for(user)
    cards = {}
    rows = Enterprise.objects.filter(pk__in=ids).values_list(  # plain rows: no model instance per enterprise
        "pk", "name", "kind", "jurisdiction_id", "jurisdiction__name", "uscc", "licence_no", "address", "contact_phone"
    )
    for pk, name, kind, code, division, uscc, licence_no, address, phone in rows:
        visible = scope.allows(Perm.VIEW, enterprise_id=pk, division_code=code)
        cards[pk] = EnterpriseCard(
            id=pk,
            name=name,
            kind=kind,
            jurisdiction_code=code,
            jurisdiction_name=division,
            in_scope=visible,
            uscc=uscc if visible else None,
            licence_no=licence_no if visible else None,
            address=address if visible else None,
            contact_phone=phone if visible else None,
        )
    return cards


def partner_cards(ids: set[int]) -> dict[int, PartnerCard]:
    return {
        p.pk: PartnerCard(p.pk, p.name, p.linked_enterprise_id is not None, p.linked_enterprise_id)
        for p in Partner.objects.filter(pk__in=ids)
    }


def build_trace_report(user: Any, lot: Lot, direction: Direction) -> TraceReport:
    result: TraceResult = trace([lot.pk], direction)
    gtins = dict(
        Product.objects.filter(pk__in={x.product_id for x in result.lots.values() if x.product_id}).values_list(
            "pk", "gtin"
        )
    )
    lots = result.lots
    for x in lots.values():
        if x.product_id:
            x.gtin = gtins.get(x.product_id)
            x.epc_class, x.digital_link = lot_identifiers(x.gtin, x.code)
    enterprises = enterprise_cards(user, result.enterprise_ids)
    holders = [
        {"enterprise": eid, "unit": unit, "quantity": qty}
        for eid, by_unit in sorted(result.holders().items())
        for unit, qty in sorted(by_unit.items())
    ]
    partner_ids = {s.partner_id for s in result.shipments if s.partner_id}
    supplier_ids = {x.supplier_id for x in result.lots.values() if x.supplier_id and direction is Direction.BACKWARD}
    partners = partner_cards(partner_ids | supplier_ids)
    shipments = [
        {
            "event": s.event_id,
            "from_enterprise": s.enterprise_id,
            "lot": s.lot_id,
            "customer": partners[s.partner_id].name if s.partner_id else None,
            "to_enterprise": s.counterparty_id,
            "retail": s.retail,
            "quantity": s.quantity,
            "in_transit": s.in_transit,
            "unit": s.unit,
            "occurred_at": s.occurred_at,
        }
        for s in result.shipments
    ]
    suppliers = []
    if direction is Direction.BACKWARD:
        reached_from_inside = {dst for _src, dst, _kind in result.edges}
        for x in result.lots.values():
            if x.supplier_id and x.id not in reached_from_inside:
                card = partners[x.supplier_id]
                suppliers.append({"partner": card.name, "on_platform": card.on_platform, "lot": x.id, "enterprise": x.enterprise_id})
    return TraceReport(
        direction=direction.value,
        root_id=lot.pk,
        lots=lots,
        children=dict(result.children()),
        enterprises=enterprises,
        holders=holders,
        shipments=shipments,
        suppliers=suppliers,
    )


NOTICE_COLUMNS = ["type", "enterprise", "jurisdiction", "contact", "lots", "quantity", "in_transit", "unit", "action"]


def recall_notice_rows(user: Any, recall: Recall) -> list[dict[str, Any]]:
    """Who must act on a recall, with quantities: holders first, then shipments out (the part the
    user may see: ``recall_impact_for``)."""
    impact = recall_impact_for(user, recall)
    ids = {h["enterprise"] for h in impact.get("holders", [])}
    ids |= {s["from"] for s in impact.get("customers", [])}
    ids |= {s["counterparty"] for s in impact.get("customers", []) if s.get("counterparty")}
    cards = enterprise_cards(user, ids)
    partners = partner_cards({s["partner"] for s in impact.get("customers", []) if s.get("partner")})
    rows: list[dict[str, Any]] = []
    for h in impact.get("holders", []):
        card = cards[h["enterprise"]]
        rows.append(
            {
                "type": "holder",
                "enterprise": card.name,
                "jurisdiction": card.jurisdiction_name,
                "contact": card.contact_phone or "",
                "lots": h["lots"],
                "quantity": h["quantity"],
                "in_transit": "0",
                "unit": h["unit"],
                "action": "停止销售、封存并退回或销毁 / stop sale, quarantine, return or destroy",
            }
        )
    for s in impact.get("customers", []):
        shipper = cards[s["from"]]
        if s.get("retail"):
            target, action = "零售消费者 / retail consumers", "发布召回公告 / publish a recall notice"
        elif s.get("counterparty"):
            target = cards[s["counterparty"]].name
            action = "收货方停止销售 / receiver stops sale"
        else:
            target = partners[s["partner"]].name if s.get("partner") else ""
            action = "通知客户退回 / notify the customer to return goods"
        rows.append(
            {
                "type": "shipment",
                "enterprise": f"{shipper.name} → {target}",
                "jurisdiction": shipper.jurisdiction_name,
                "contact": shipper.contact_phone or "",
                "lots": s.get("shipments", 1),
                "quantity": s["quantity"],
                "in_transit": s.get("in_transit", "0"),
                "unit": s["unit"],
                "action": action,
            }
        )
    return rows
