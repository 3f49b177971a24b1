"""What each kind of EPCIS event does to the chain (the table in ``mapping/__init__``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from shilian.chain.choices import InspectionKind
from shilian.interop.mapping import ids, vocab
from shilian.interop.mapping.drafts import (
    DisposeDraft,
    EventHandle,
    InspectDraft,
    Line,
    LotHandle,
    OutputDraft,
    RecallDraft,
    ReceiveDraft,
    ShipDraft,
    TransformDraft,
    VoidDraft,
)
from shilian.interop.mapping.errors import MappingError
from shilian.interop.mapping.planner import Planner

S = vocab.SHILIAN_NS
PRODUCED = (vocab.CBVMDA_NS + "productionDate", vocab.GS1_NS + "productionDate", S + "producedOn")
EXPIRES = (
    vocab.CBVMDA_NS + "itemExpirationDate",
    vocab.GS1_NS + "expirationDate",
    vocab.CBVMDA_NS + "bestBeforeDate",
    S + "expiresOn",
)
BT_URN = "urn:epcglobal:cbv:bt:"


def map_event(planner: Planner, index: int, event: Mapping[str, Any]) -> None:
    """Add the event's drafts to the plan, or note why it is stored only; MappingError if bad."""
    planner.handles = []
    _map(planner, index, event)
    event_id = event.get("eventID")
    if isinstance(event_id, str) and "errorDeclaration" not in event and planner.handles:
        planner.recorded[event_id] = planner.handles
    if index in planner.plan.stored_only and index not in planner.plan.enterprises:
        planner.note_enterprise(index, event)


def _map(planner: Planner, index: int, event: Mapping[str, Any]) -> None:
    kind = event.get("type")
    if "errorDeclaration" in event:
        _declaration(planner, index, event)
        return
    if kind == "TransformationEvent":
        _transform(planner, index, event)
        return
    if kind != "ObjectEvent":
        planner.plan.stored_only[index] = f"{kind}: no chain effect"
        return
    step = vocab.cbv_word(event.get("bizStep"))
    persistent = event.get("persistentDisposition")
    recalled = isinstance(persistent, Mapping) and "recalled" in [
        vocab.cbv_word(w) for w in persistent.get("set") or []
    ]
    if recalled:
        _recall(planner, index, event)
    elif step == "receiving":
        _receive(planner, index, event)
    elif step in ("shipping", "retail_selling"):
        _ship(planner, index, event, retail=step == "retail_selling")
    elif step == "destroying":
        _dispose(planner, index, event)
    elif step == "inspecting":
        _inspect(planner, index, event)
    else:
        planner.plan.stored_only[index] = f"ObjectEvent bizStep {step or '(none)'}: no chain effect"


def _occurred_at(index: int, event: Mapping[str, Any]) -> dt.datetime:
    try:
        return vocab.parse_time(event.get("eventTime"))
    except ValueError as exc:
        raise MappingError(index, "/eventTime", f"时间无效 / invalid time: {exc}") from None


def _quantities(
    planner: Planner, index: int, event: Mapping[str, Any], name: str = "quantityList"
) -> list[tuple[str, Mapping[str, Any]]]:
    items = event.get(name)
    return [
        (f"/{name}/{k}", item)
        for k, item in enumerate(items if isinstance(items, list) else [])
        if isinstance(item, Mapping)
    ]


def _no_quantities(planner: Planner, index: int, event: Mapping[str, Any]) -> None:
    lists = ("epcList", "inputEPCList", "outputEPCList", "childEPCs")
    what = "instance-level EPCs only" if any(event.get(name) for name in lists) else "nothing named"
    planner.plan.stored_only[index] = f"no lot quantities ({what}): no chain effect"


def _reference_no(planner: Planner, event: Mapping[str, Any]) -> str:
    """Our ``shilian:referenceNo``, else the first business transaction (the number of a
    ``urn:epcglobal:cbv:bt:{GLN}:{number}``)."""
    own = _extension(planner, event, "referenceNo")
    if isinstance(own, str) and own.strip():
        return own.strip()[:60]
    items = event.get("bizTransactionList")
    for item in items if isinstance(items, list) else []:
        value = item.get("bizTransaction") if isinstance(item, Mapping) else None
        if isinstance(value, str) and value:
            if value.startswith(BT_URN):  # urn:epcglobal:cbv:bt:{GLN}:{number}
                value = value[len(BT_URN) :].partition(":")[2] or value
            return value[:60]
    return ""


def _dates(planner: Planner, index: int, event: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    ilmd = vocab.fields_in(event.get("ilmd"), planner.known) if event.get("ilmd") else {}
    found: list[dt.date | None] = []
    for names in (PRODUCED, EXPIRES):
        value = next((ilmd[n] for n in names if n in ilmd), None)
        try:
            found.append(vocab.parse_date(value) if value is not None else None)
        except ValueError as exc:
            raise MappingError(index, "/ilmd", f"日期无效 / invalid date: {exc}") from None
    return found[0], found[1]


def _dates_per_lot(
    planner: Planner, index: int, event: Mapping[str, Any]
) -> dict[tuple[str, str], tuple[dt.date | None, dt.date | None]]:
    """Each lot's own dates: ``shilian:lots`` [{epcClass, producedOn, expiresOn}] in the ILMD
    (outputs of a transformation) or on the event (lots received, where an OBSERVE event
    has no ILMD)."""
    found: dict[tuple[str, str], tuple[dt.date | None, dt.date | None]] = {}
    for where, holder in (("/ilmd/shilian:lots", event.get("ilmd")), ("/shilian:lots", event)):
        lots = vocab.field(holder, S + "lots", planner.known)
        for k, entry in enumerate(lots if isinstance(lots, list) else []):
            fields = vocab.fields_in(entry, planner.known)
            try:
                key = ids.lot_class(str(fields.get(S + "epcClass", "")))
                dates = [fields.get(S + "producedOn"), fields.get(S + "expiresOn")]
                found[key] = (
                    vocab.parse_date(dates[0]) if dates[0] is not None else None,
                    vocab.parse_date(dates[1]) if dates[1] is not None else None,
                )
            except ValueError as exc:
                raise MappingError(index, f"{where}/{k}", f"无效的批次日期 / invalid lot dates: {exc}") from None
    return found


def _extension(planner: Planner, event: Mapping[str, Any], name: str) -> Any:
    return vocab.field(event, S + name, planner.known)


def _receive(planner: Planner, index: int, event: Mapping[str, Any]) -> None:
    items = _quantities(planner, index, event)
    if not items:
        _no_quantities(planner, index, event)
        return
    own = planner.party(event, "destinationList", "destination")
    enterprise = planner.enterprise(index, event, own)
    if enterprise is None:
        planner.plan.stored_only[index] = "no enterprise on the platform: no chain effect"
        return
    when = _occurred_at(index, event)
    source = planner.party(event, "sourceList", "source")
    shipper = planner.enterprise_of_id(source[0]) if source is not None else None
    if shipper is not None and shipper.pk == enterprise.pk:
        shipper = None
    produced_on, expires_on = _dates(planner, index, event)
    per_lot = _dates_per_lot(planner, index, event)
    reference_no = _reference_no(planner, event)
    for pointer, item in items:
        gtin, code = planner.lot_class(index, pointer, item)
        quantity, unit = planner.amount(index, pointer, item)
        pointers = {"quantity": pointer, "unit": pointer, "lot_code": pointer, "product_name": pointer, "": pointer}
        pointers.update({"shipment": source[1] if source else pointer, "source_lot": pointer, "expires_on": "/ilmd"})
        shipped = planner.shipment_to(enterprise, shipper, gtin, code, quantity, unit)
        draft = ReceiveDraft(
            index, when, pointers, quantity=quantity, unit=unit, lot_code=code, reference_no=reference_no
        )
        if shipped is not None:
            planner.depend(enterprise, shipped.handle)
            planner.depend(enterprise, shipped.lot)
            # as the pages do: the supplier is the receiver's partner linked to the shipper, if any
            draft.shipment, draft.source_lot = shipped.handle, shipped.lot
        else:
            draft.product = planner.product(index, pointer, gtin)
            draft.produced_on, draft.expires_on = per_lot.get((gtin, code), (produced_on, expires_on))
            draft.supplier = planner.partner(index, source[1], enterprise, source[0]) if source is not None else None
        step, op = planner.add(index, enterprise, draft)
        planner.planned_lots[(enterprise.pk, gtin, code)] = LotHandle(step=step, op=op, line=0)


def _lines(
    planner: Planner, index: int, event: Mapping[str, Any], enterprise: Any, name: str, prefix: str
) -> tuple[list[Line], list[tuple[str, str]], dict[str, str]]:
    lines: list[Line] = []
    classes: list[tuple[str, str]] = []
    pointers: dict[str, str] = {}
    for k, (pointer, item) in enumerate(_quantities(planner, index, event, name)):
        gtin, code = planner.lot_class(index, pointer, item)
        quantity, unit = planner.amount(index, pointer, item)
        handle = planner.lot_at(index, pointer, enterprise, gtin, code)
        planner.depend(enterprise, handle)
        lines.append(Line(handle, quantity, unit, pointer))
        classes.append((gtin, code))
        pointers[f"{prefix}[{k}]"] = pointer
    return lines, classes, pointers


def _ship(planner: Planner, index: int, event: Mapping[str, Any], *, retail: bool) -> None:
    if not _quantities(planner, index, event):
        _no_quantities(planner, index, event)
        return
    own = planner.party(event, "sourceList", "source")
    enterprise = planner.enterprise(index, event, own)
    if enterprise is None:
        planner.plan.stored_only[index] = "no enterprise on the platform: no chain effect"
        return
    when = _occurred_at(index, event)
    lines, classes, pointers = _lines(planner, index, event, enterprise, "quantityList", "lines")
    destination = None if retail else planner.party(event, "destinationList", "destination")
    customer = planner.partner(index, destination[1], enterprise, destination[0]) if destination is not None else None
    if destination is not None:
        pointers["customer"] = destination[1]
    draft = ShipDraft(index, when, pointers, lines=lines, customer=customer, reference_no=_reference_no(planner, event))
    step, op = planner.add(index, enterprise, draft)
    receiver = planner.enterprise_of_id(destination[0]) if destination is not None else None
    if receiver is not None and receiver.pk != enterprise.pk:
        planner.remember_shipment(step, op, draft, receiver.pk, classes)


def _transform(planner: Planner, index: int, event: Mapping[str, Any]) -> None:
    inputs = _quantities(planner, index, event, "inputQuantityList")
    outputs = _quantities(planner, index, event, "outputQuantityList")
    if not inputs and not outputs:
        _no_quantities(planner, index, event)
        return
    if (not inputs and event.get("inputEPCList")) or (not outputs and event.get("outputEPCList")):
        planner.plan.stored_only[index] = "inputs or outputs named by instance-level EPCs only: no chain effect"
        return
    enterprise = planner.enterprise(index, event, None)
    if enterprise is None:
        planner.plan.stored_only[index] = "no enterprise on the platform: no chain effect"
        return
    if not inputs or not outputs:
        missing = "/inputQuantityList" if not inputs else "/outputQuantityList"
        raise MappingError(
            index, missing, "加工需要投入和产出的批次数量 / a transformation needs input and output lot quantities"
        )
    when = _occurred_at(index, event)
    lines, _, pointers = _lines(planner, index, event, enterprise, "inputQuantityList", "inputs")
    produced_on, expires_on = _dates(planner, index, event)
    made: list[OutputDraft] = []
    classes: list[tuple[str, str]] = []
    per_lot = _dates_per_lot(planner, index, event)
    for k, (pointer, item) in enumerate(outputs):
        gtin, code = planner.lot_class(index, pointer, item)
        quantity, unit = planner.amount(index, pointer, item)
        if not gtin:
            raise MappingError(
                index, f"{pointer}/epcClass", "产出批次需要产品GTIN / an output needs a product GTIN (lgtin)"
            )
        product = planner.product(index, pointer, gtin)
        if product.enterprise_id != enterprise.pk:
            raise MappingError(
                index,
                f"{pointer}/epcClass",
                f"GTIN {gtin} 是其他主体的产品 / the product belongs to another enterprise",
            )
        lot_produced, lot_expires = per_lot.get((gtin, code), (produced_on, expires_on))
        made.append(OutputDraft(product, quantity, unit, code, lot_produced, lot_expires, pointer))
        classes.append((gtin, code))
        pointers[f"outputs[{k}]"] = pointer
    draft = TransformDraft(index, when, pointers, inputs=lines, outputs=made)
    step, op = planner.add(index, enterprise, draft)
    for line, (gtin, code) in enumerate(classes):
        planner.planned_lots[(enterprise.pk, gtin, code)] = LotHandle(step=step, op=op, line=line)


def _single_lots(
    planner: Planner, index: int, event: Mapping[str, Any]
) -> tuple[Any, list[tuple[str, Mapping[str, Any], LotHandle]]] | None:
    items = _quantities(planner, index, event)
    if not items:
        _no_quantities(planner, index, event)
        return None
    enterprise = planner.enterprise(index, event, None)
    if enterprise is None:
        planner.plan.stored_only[index] = "no enterprise on the platform: no chain effect"
        return None
    found = []
    for pointer, item in items:
        gtin, code = planner.lot_class(index, pointer, item)
        found.append((pointer, item, planner.lot_at(index, pointer, enterprise, gtin, code)))
    return enterprise, found


def _inspect(planner: Planner, index: int, event: Mapping[str, Any]) -> None:
    result = _inspection_result(planner, index, event)
    if result is None:
        planner.plan.stored_only[index] = "inspecting without a result: no chain effect"
        return
    target = _single_lots(planner, index, event)
    if target is None:
        return
    enterprise, lots = target
    when = _occurred_at(index, event)
    for pointer, _item, handle in lots:
        draft = InspectDraft(index, when, {"": pointer, "lot": pointer}, lot=handle, **result)
        planner.add_single(enterprise, draft)


def _inspection_result(planner: Planner, index: int, event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The test result: the disposition ``conformant`` / ``non_conformant`` and our extension
    ``shilian:inspection`` {kind, passed, items, lab, reportNo} (either is enough)."""
    disposition = vocab.cbv_word(event.get("disposition"))
    passed: bool | None = {"conformant": True, "non_conformant": False}.get(disposition)
    detail = vocab.fields_in(_extension(planner, event, "inspection"), planner.known)
    if not detail and passed is None:
        return None
    given = detail.get(S + "passed", detail.get("passed"))
    if given is not None:
        if not isinstance(given, bool):
            raise MappingError(
                index, "/shilian:inspection/passed", "passed 必须是 true 或 false / passed must be true or false"
            )
        if passed is not None and given != passed:
            raise MappingError(index, "/disposition", "处置状态与检验结果矛盾 / the disposition contradicts the result")
        passed = given
    if passed is None:
        raise MappingError(index, "/shilian:inspection", "缺少检验结论 / the result (passed) is missing")
    kind = str(detail.get(S + "kind", detail.get("kind", InspectionKind.SELF)))
    if kind not in InspectionKind.values:
        raise MappingError(
            index, "/shilian:inspection/kind", f"检验类型应为 {'/'.join(InspectionKind.values)} / unknown kind {kind!r}"
        )
    items = detail.get(S + "items", detail.get("items", []))
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise MappingError(
            index, "/shilian:inspection/items", "检验项目必须是对象列表 / items must be a list of objects"
        )
    return {
        "kind": kind,
        "passed": passed,
        "items": [{k.removeprefix("shilian:"): v for k, v in i.items()} for i in items],
        "lab": str(detail.get(S + "lab", detail.get("lab", "")))[:200],
        "report_no": str(detail.get(S + "reportNo", detail.get("reportNo", "")) or _reference_no(planner, event))[:60],
    }


def _reason(planner: Planner, event: Mapping[str, Any], default: str) -> str:
    reason = _extension(planner, event, "reason")
    return reason.strip() if isinstance(reason, str) and reason.strip() else default


def _recall(planner: Planner, index: int, event: Mapping[str, Any]) -> None:
    target = _single_lots(planner, index, event)
    if target is None:
        return
    enterprise, lots = target
    when = _occurred_at(index, event)
    reason = _reason(planner, event, "EPCIS: recalled")
    planner.close_all()  # a recall reaches every enterprise downstream: everything before it runs first
    for pointer, _item, handle in lots:
        if planner.recalled(handle):
            continue
        planner.add_single(
            enterprise, RecallDraft(index, when, {"": pointer, "lot": pointer}, lot=handle, reason=reason)
        )
    if not any(d.event_index == index for s in planner.plan.steps for d in s.drafts):
        planner.plan.stored_only[index] = "lots already recalled: no chain effect"


def _dispose(planner: Planner, index: int, event: Mapping[str, Any]) -> None:
    target = _single_lots(planner, index, event)
    if target is None:
        return
    enterprise, lots = target
    when = _occurred_at(index, event)
    reason = _reason(planner, event, "EPCIS: destroying")
    for pointer, item, handle in lots:
        quantity, unit = planner.amount(index, pointer, item)
        line = Line(handle, quantity, unit, pointer)
        planner.add_single(
            enterprise,
            DisposeDraft(index, when, {"": pointer, "quantity": pointer, "unit": pointer}, line=line, reason=reason),
        )


def _declaration(planner: Planner, index: int, event: Mapping[str, Any]) -> None:
    """An error declaration about an event voids the chain events it recorded: an event
    earlier in this document, else a stored one (by ``eventID``)."""
    event_id = str(event.get("eventID", ""))
    targets = [(h, h.step.enterprise) for h in planner.recorded.get(event_id, []) if h.step is not None]
    if not targets:
        targets = [(EventHandle(event=e), e.enterprise) for e in planner.declared.get(event_id, [])]
    if not targets:
        planner.plan.stored_only[index] = "error declaration about an event with no chain effect here: no chain effect"
        return
    declaration = event["errorDeclaration"] if isinstance(event["errorDeclaration"], Mapping) else {}
    own = vocab.fields_in(declaration, planner.known).get(S + "reason")
    reason = (
        own
        if isinstance(own, str) and own.strip()
        else f"EPCIS: {vocab.cbv_word(declaration.get('reason')) or 'error'}"
    )
    when = _occurred_at(index, event)
    for handle, enterprise in targets:
        planner.check_operates(index, "/errorDeclaration", enterprise)
        planner.plan.enterprises.setdefault(index, enterprise)
        draft = VoidDraft(index, when, {"": "/errorDeclaration"}, target=handle, reason=reason)
        planner.add_single(enterprise, draft)
