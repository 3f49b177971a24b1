"""Chain events as EPCIS 2.0: what the pages recorded, readable through /epcis/events.

| chain event | EPCIS event |
|---|---|
| receive | ObjectEvent OBSERVE, bizStep ``receiving``, disposition ``in_progress``; source: the supplier, destination: the enterprise (``owning_party``) |
| ship | ObjectEvent OBSERVE, bizStep ``shipping`` / disposition ``in_transit``; a retail sale (no customer): ``retail_selling`` / ``retail_sold`` |
| transform | TransformationEvent, bizStep ``commissioning``: inputs and outputs; ILMD ``cbvmda:productionDate`` / ``cbvmda:itemExpirationDate`` (when every output shares them) and ``shilian:lots`` (each output's dates) |
| inspect | ObjectEvent OBSERVE, bizStep ``inspecting``, disposition ``conformant`` / ``non_conformant``, the result in ``shilian:inspection`` |
| recall | ObjectEvent OBSERVE, bizStep ``holding``, disposition ``recalled``, ``persistentDisposition`` set ``recalled``, ``shilian:recall`` / ``shilian:reason`` |
| dispose | ObjectEvent OBSERVE, bizStep ``destroying``, disposition ``destroyed``, ``shilian:reason`` |
| void | an error declaration: the voided event's EPCIS event again (same eventID), with ``errorDeclaration`` (reason ``incorrect_data``, ``shilian:reason``) |

Quantities are in ``quantityList`` (inputs/outputs for transformations) in the lot's unit
(UN/ECE Rec. 20 codes, ``mapping.vocab.UNIT_TO_UOM``). Our extensions live in the namespace
``https://shilian.org/epcis/`` (prefix ``shilian``, declared in the event's context).

Identifier scheme:

- a lot whose product has a GTIN: its ``urn:epc:class:lgtin:`` class (GS1 company prefix
  length from GS1's table, 7 for the Chinese 69x prefixes when unknown);
- any other lot: ``urn:shilian:lot:{lot id}`` — a class URI of this platform, stable for the
  lot's life (a trace code issued later does not change it);
- an enterprise with a GLN: ``urn:epc:id:sgln:….0`` as readPoint / bizLocation and
  ``urn:epc:id:pgln:…`` as party; without one: ``urn:shilian:uscc:{credit code}`` for both;
- an off-platform partner: ``urn:epc:id:pgln:…`` when its GLN is known, else
  ``urn:shilian:uscc:{credit code}`` when known, else ``urn:shilian:partner:{partner id}``;
  an on-platform partner: its enterprise's party id.

Every event carries ``shilian:traceEvent`` (the chain event's id), so that two identical
operations at the same moment stay two events with two hash IDs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shilian.chain.choices import EventType, LineRole
from shilian.chain.models import EventLine, Lot, TraceEvent
from shilian.core.epcis.identifiers import epc_urn, lgtin_for_lot
from shilian.interop.capture.document import GS1_CONTEXT
from shilian.interop.mapping.vocab import SHILIAN_NS, UNIT_TO_UOM
from shilian.registry.models import Enterprise, Partner

CONTEXT: list[Any] = [{"shilian": SHILIAN_NS}]
DOCUMENT_CONTEXT: list[Any] = [GS1_CONTEXT, *CONTEXT]


def _time(value: dt.datetime) -> tuple[str, str]:
    """(eventTime, eventTimeZoneOffset) in the site's zone."""
    local = timezone.localtime(value)
    offset = local.strftime("%z")
    return local.isoformat(timespec="milliseconds"), f"{offset[:3]}:{offset[3:]}"


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def lot_class(lot: Lot) -> str:
    gtin = lot.product.gtin if lot.product is not None else None
    if gtin:
        try:
            return lgtin_for_lot(gtin, lot.code)
        except ValueError:
            pass
    return f"urn:shilian:lot:{lot.pk}"


def enterprise_location(enterprise: Enterprise) -> str:
    if enterprise.gln:
        return epc_urn(f"https://id.gs1.org/414/{enterprise.gln}")
    return f"urn:shilian:uscc:{enterprise.uscc}"


def enterprise_party(enterprise: Enterprise) -> str:
    if enterprise.gln:
        return epc_urn(f"https://id.gs1.org/417/{enterprise.gln}")
    return f"urn:shilian:uscc:{enterprise.uscc}"


def partner_party(partner: Partner) -> str:
    if partner.linked_enterprise is not None:
        return enterprise_party(partner.linked_enterprise)
    if partner.gln:
        return epc_urn(f"https://id.gs1.org/417/{partner.gln}")
    if partner.uscc:
        return f"urn:shilian:uscc:{partner.uscc}"
    return f"urn:shilian:partner:{partner.pk}"


def _quantities(lines: list[EventLine], role: str) -> list[dict[str, Any]]:
    return [
        {"epcClass": lot_class(line.lot), "quantity": _number(line.quantity), "uom": UNIT_TO_UOM.get(line.unit, "H87")}
        for line in lines
        if line.role == role
    ]


def _counterpart(event: TraceEvent) -> str | None:
    if event.partner is not None:
        return partner_party(event.partner)
    if event.counterparty is not None:
        return enterprise_party(event.counterparty)
    return None


def render(event: TraceEvent, lines: list[EventLine]) -> dict[str, Any]:
    """The EPCIS event of a chain event (not a void: see ``render_void``). ``lines`` are the
    event's lines with ``lot`` and ``lot.product`` loaded."""
    when, offset = _time(event.occurred_at)
    here = enterprise_location(event.enterprise)
    out: dict[str, Any] = {"type": "ObjectEvent", "eventTime": when, "eventTimeZoneOffset": offset}
    kind = event.event_type
    if kind == EventType.TRANSFORM:
        out["type"] = "TransformationEvent"
        out["inputQuantityList"] = _quantities(lines, LineRole.INPUT)
        out["outputQuantityList"] = _quantities(lines, LineRole.OUTPUT)
        out["bizStep"] = "commissioning"
        ilmd = _ilmd([line.lot for line in lines if line.role == LineRole.OUTPUT])
        if ilmd:
            out["ilmd"] = ilmd
    else:
        out["action"] = "OBSERVE"
        role = {EventType.RECEIVE: LineRole.OUTPUT, EventType.SHIP: LineRole.INPUT, EventType.DISPOSE: LineRole.INPUT}
        out["quantityList"] = _quantities(lines, role.get(EventType(kind), LineRole.OBJECT))
        out.update(_object_fields(event))
    out["readPoint"] = {"id": here}
    out["bizLocation"] = {"id": here}
    out.update(_parties(event))
    if event.reference_no:
        out["shilian:referenceNo"] = event.reference_no
    out["shilian:traceEvent"] = event.pk
    return out


def _object_fields(event: TraceEvent) -> dict[str, Any]:
    detail = event.detail or {}
    kind = event.event_type
    if kind == EventType.RECEIVE:
        return {"bizStep": "receiving", "disposition": "in_progress"}
    if kind == EventType.SHIP:
        if _counterpart(event) is None:
            return {"bizStep": "retail_selling", "disposition": "retail_sold"}
        return {"bizStep": "shipping", "disposition": "in_transit"}
    if kind == EventType.DISPOSE:
        return {"bizStep": "destroying", "disposition": "destroyed", "shilian:reason": str(detail.get("reason", ""))}
    if kind == EventType.INSPECT:
        passed = detail.get("passed")
        inspection = {
            "shilian:kind": str(detail.get("kind", "")),
            "shilian:passed": passed,
            "shilian:items": [
                {f"shilian:{k}": v for k, v in item.items()}
                for item in detail.get("items") or []
                if isinstance(item, dict)
            ],
            "shilian:lab": str(detail.get("lab", "")),
            "shilian:reportNo": event.reference_no,
        }
        fields: dict[str, Any] = {"bizStep": "inspecting", "shilian:inspection": inspection}
        if isinstance(passed, bool):
            fields["disposition"] = "conformant" if passed else "non_conformant"
        return fields
    if kind == EventType.RECALL:
        return {
            "bizStep": "holding",
            "disposition": "recalled",
            "persistentDisposition": {"set": ["recalled"]},
            "shilian:recall": event.reference_no,
            "shilian:reason": str(detail.get("reason", "")),
        }
    raise ValueError(f"no EPCIS rendering for a {kind} event here")


def _parties(event: TraceEvent) -> dict[str, Any]:
    own = enterprise_party(event.enterprise)
    other = _counterpart(event)
    if event.event_type == EventType.RECEIVE:
        out: dict[str, Any] = {"destinationList": [{"type": "owning_party", "destination": own}]}
        if other is not None:
            out["sourceList"] = [{"type": "owning_party", "source": other}]
        return out
    if event.event_type == EventType.SHIP:
        out = {"sourceList": [{"type": "owning_party", "source": own}]}
        if other is not None:
            out["destinationList"] = [{"type": "owning_party", "destination": other}]
        return out
    return {}


def _ilmd(lots: list[Lot]) -> dict[str, Any]:
    if not lots:
        return {}
    out: dict[str, Any] = {}
    produced = {lot.produced_on for lot in lots}
    expires = {lot.expires_on for lot in lots}
    first_produced, first_expires = lots[0].produced_on, lots[0].expires_on
    if len(produced) == 1 and first_produced is not None:
        out["cbvmda:productionDate"] = first_produced.isoformat()
    if len(expires) == 1 and first_expires is not None:
        out["cbvmda:itemExpirationDate"] = first_expires.isoformat()
    out["shilian:lots"] = [
        {
            "shilian:epcClass": lot_class(lot),
            **({"shilian:producedOn": lot.produced_on.isoformat()} if lot.produced_on else {}),
            **({"shilian:expiresOn": lot.expires_on.isoformat()} if lot.expires_on else {}),
        }
        for lot in lots
    ]
    return out


def render_void(void: TraceEvent, voided_body: dict[str, Any]) -> dict[str, Any]:
    """The error declaration a void is: the voided event's EPCIS event (as stored, without
    its recordTime) with ``errorDeclaration``."""
    when, _ = _time(void.occurred_at)
    out = {k: v for k, v in voided_body.items() if k != "recordTime"}
    out["errorDeclaration"] = {
        "declarationTime": when,
        "reason": "incorrect_data",
        "shilian:reason": str((void.detail or {}).get("reason", "")),
        "shilian:voidEvent": void.pk,
    }
    return out
