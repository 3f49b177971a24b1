"""Helpers for the mapping and round-trip tests (this module holds no tests): a food chain
with GLNs and GTINs, and builders of EPCIS 2.0 events that name its lots."""

from __future__ import annotations

import itertools
from typing import Any

from shilian.catalog.models import Product
from shilian.chain.models import EventLine, Lot, LotEdge, LotShipment, TraceEvent
from shilian.core.identifiers import gtin_check_digit
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.registry.actions import register_enterprise
from shilian.registry.models import Enterprise, Jurisdiction, Partner

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"shilian": "https://shilian.org/epcis/"}]
_seq = itertools.count(1)

# The farm is off the platform: a GLN nobody registered.
FARM_GLN = "6912345000017"


def gln(n: int) -> str:
    """A valid GLN under the 6901234 company prefix (7 digits, as GS1 China gives 690 prefixes)."""
    body = f"6901234{n:05d}"
    return body + gtin_check_digit(body)


def gtin(n: int) -> str:
    body = f"06901234{n:05d}"
    return body + gtin_check_digit(body)


def sgln(value: str) -> str:
    """``urn:epc:id:sgln:`` of a GLN with a 7-digit company prefix."""
    return f"urn:epc:id:sgln:{value[:7]}.{value[7:12]}.0"


def pgln(value: str) -> str:
    return f"urn:epc:id:pgln:{value[:7]}.{value[7:12]}"


def lgtin(value: str, lot: str) -> str:
    """``urn:epc:class:lgtin:`` of a GTIN-14 with a 7-digit company prefix."""
    return f"urn:epc:class:lgtin:{value[1:8]}.{value[0]}{value[8:13]}.{lot}"


def dl(value: str, lot: str) -> str:
    return f"https://id.gs1.org/01/{value}/10/{lot}"


def enterprise_with_gln(kind: str, name: str, number: int, jurisdiction: str = "331081102") -> Enterprise:
    f.ensure_jurisdictions()
    n = next(_seq) + 5000
    return register_enterprise(
        name=name,
        uscc=f.make_uscc(n),
        kind=kind,
        jurisdiction=Jurisdiction.objects.get(pk=jurisdiction),
        acting_user=None,
        gln=gln(number),
    )


def chain_world() -> dict[str, Any]:
    """A processor and a shop on the platform (with GLNs), a farm off it; the processor's
    catalog has the farm's pork (bought in, GTIN 1) and its own sausage (GTIN 2)."""
    processor = enterprise_with_gln("manufacturer", "温岭肉制品厂", 1)
    shop = enterprise_with_gln("retailer", "石塘超市", 2)
    pork = f.make_product(processor, name="生猪肉", gtin=gtin(1), unit="kg", kind="raw_material")
    sausage = f.make_product(processor, name="香肠", gtin=gtin(2), unit="kg", shelf_life_days=90)
    return {
        "processor": processor,
        "shop": shop,
        "pork": pork,
        "sausage": sausage,
        "operator": f.make_operator(processor),
        "shop_operator": f.make_operator(shop),
        "admin": f.make_admin(),
    }


def quantity(epc_class: str, amount: Any, uom: str | None = "KGM") -> dict[str, Any]:
    item: dict[str, Any] = {"epcClass": epc_class, "quantity": amount}
    if uom is not None:
        item["uom"] = uom
    return item


def object_event(
    biz_step: str,
    quantities: list[dict[str, Any]],
    *,
    location: str | None = None,
    source: str | None = None,
    destination: str | None = None,
    time: str = "2024-05-01T08:00:00+08:00",
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": time,
        "eventTimeZoneOffset": "+08:00",
        "epcList": [],
        "action": "OBSERVE",
        "bizStep": biz_step,
        "quantityList": quantities,
    }
    if location is not None:
        event["bizLocation"] = {"id": location}
    if source is not None:
        event["sourceList"] = [{"type": "owning_party", "source": source}]
    if destination is not None:
        event["destinationList"] = [{"type": "owning_party", "destination": destination}]
    event.update(extra)
    return event


def transformation(
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    *,
    location: str | None = None,
    time: str = "2024-05-01T10:00:00+08:00",
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "TransformationEvent",
        "eventTime": time,
        "eventTimeZoneOffset": "+08:00",
        "inputQuantityList": inputs,
        "outputQuantityList": outputs,
        "bizStep": "commissioning",
    }
    if location is not None:
        event["bizLocation"] = {"id": location}
    event.update(extra)
    return event


def farm_master_data(name: str = "青山生态农场") -> dict[str, Any]:
    return {
        "epcisMasterData": {
            "vocabularyList": [
                {
                    "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
                    "vocabularyElementList": [
                        {
                            "id": pgln(FARM_GLN),
                            "attributes": [
                                {"id": "urn:epcglobal:cbv:mda#name", "attribute": name},
                                {"id": "urn:epcglobal:cbv:mda#city", "attribute": "温岭"},
                            ],
                        }
                    ],
                }
            ]
        }
    }


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Lot, TraceEvent, EventLine, LotEdge, LotShipment, HistoryEntry, Partner, Product)
    }
