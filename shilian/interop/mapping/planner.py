"""``plan``: which chain operations a document's events are, read in a few queries.

Each event is looked at once, in document order. Receipts, transformations and shipments
of one enterprise gather into one ``record_batch`` step; an inspection, a disposal or a
recall is a step of its own after the steps it depends on. A step that a later step of
another enterprise depends on (a shipment received in the same document) is closed then,
so that steps run in the order they were closed.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import F, Q

from shilian.catalog.models import Product
from shilian.chain.choices import LotStatus
from shilian.chain.models import Lot, LotShipment, TraceEvent
from shilian.core.access import Perm
from shilian.core.identifiers import check_gln
from shilian.core.units import convert
from shilian.interop.mapping import ids, masterdata, vocab
from shilian.interop.mapping.drafts import (
    Draft,
    EventHandle,
    LotHandle,
    NewPartner,
    PartnerHandle,
    ShipDraft,
    Step,
)
from shilian.interop.mapping.errors import MappingError
from shilian.interop.models import ChainLink, EpcisEvent
from shilian.registry.access import scope_for
from shilian.registry.models import Enterprise, Partner

CHUNK = 400
# Which source or destination names the party: the owner first.
PARTY_TYPES = ("owning_party", "possessing_party", "location")


@dataclass
class Plan:
    """The chain operations of a document, in the order ``apply`` runs them.

    ``errors``: events that cannot be applied (``apply`` refuses a plan with any).
    ``stored_only``: events with no chain effect, and why (for the capture job's report).
    ``enterprises``: event index → the enterprise the event is recorded for (its location's,
    or the capturing operator's), for every event where there is one, stored only or not.
    """

    steps: list[Step] = field(default_factory=list)
    errors: list[MappingError] = field(default_factory=list)
    stored_only: dict[int, str] = field(default_factory=dict)
    enterprises: dict[int, Enterprise] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(eq=False)
class _Shipped:
    """A shipment an on-platform receiver may receive: in the database, or planned here."""

    shipper_id: int
    handle: EventHandle
    lot: LotHandle
    remaining: Decimal
    unit: str


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class Planner:
    def __init__(self, events: Sequence[Mapping[str, Any]], context: Any, user: Any, header: Any) -> None:
        self.events = events
        self.known = vocab.prefixes(context)
        self.master = masterdata.read(header)
        self.user = user
        self.scope = scope_for(user)
        self.plan = Plan()
        self.open: dict[int, Step] = {}  # enterprise id → its open batch step
        self.opened_at: dict[int, int] = {}  # enterprise id → event index that opened it
        # read up front
        self.enterprise_by_gln: dict[str, list[Enterprise]] = defaultdict(list)
        self.enterprise_by_uscc: dict[str, Enterprise] = {}
        self.operated: list[Enterprise] = []
        self.products: dict[str, Product] = {}
        self.lots: dict[tuple[int, str, str], list[Lot]] = defaultdict(list)  # (enterprise, gtin, code)
        self.lot_owners: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.partners: dict[int, list[Partner]] = defaultdict(list)
        self.shipped: dict[tuple[int, str, str], list[_Shipped]] = defaultdict(list)  # (receiver, gtin, code)
        self.declared: dict[str, list[TraceEvent]] = defaultdict(list)  # stored eventID → its chain events
        self.recorded: dict[str, list[EventHandle]] = {}  # eventID earlier in the document → its drafts
        self.handles: list[EventHandle] = []  # the drafts of the event being planned
        self.shipped_here: dict[tuple[int, str, str], list[_Shipped]] = defaultdict(list)  # planned, same key
        # planned here
        self.planned_lots: dict[tuple[int, str, str], LotHandle] = {}
        self.new_partners: dict[tuple[int, str], PartnerHandle] = {}  # (enterprise, name) → to add
        self.new_by_id: dict[tuple[int, str], PartnerHandle] = {}  # (enterprise, party id) → the same

    # -- reading up front ---------------------------------------------------------------

    def prefetch(self) -> None:
        glns: set[str] = set()
        usccs: set[str] = set()
        classes: set[tuple[str, str]] = set()
        for event in self.events:
            for value in self._party_ids(event):
                if (gln := ids.gln_of(value)) is not None:
                    glns.add(gln)
                elif (uscc := ids.uscc_of(value)) is not None:
                    usccs.add(uscc)
            for item in self._quantities(event):
                value = str(item.get("epcClass", ""))
                if (pk := ids.lot_id(value)) is not None:
                    classes.add(("", str(pk)))
                    continue
                with contextlib.suppress(ValueError, TypeError):
                    classes.add(ids.lot_class(value))
        self._read_enterprises(glns, usccs)
        for chunk in _chunks(sorted({gtin for gtin, _ in classes if gtin})):
            for product in Product.objects.filter(gtin__in=chunk):
                self.products[product.gtin or ""] = product
        codes = sorted({code for gtin, code in classes if gtin})
        lot_ids = sorted({int(code) for gtin, code in classes if not gtin})
        self._read_lots(codes, classes, lot_ids)
        self._read_shipments(codes, classes, lot_ids)
        self._read_declared()

    def _read_declared(self) -> None:
        """The chain events of the stored events that error declarations name (by eventID)."""
        ids_ = sorted(
            {e["eventID"] for e in self.events if "errorDeclaration" in e and isinstance(e.get("eventID"), str)}
        )
        pairs: set[tuple[str, int]] = set()
        for chunk in _chunks(ids_):
            stored = EpcisEvent.objects.filter(event_id__in=chunk, has_error_declaration=False)
            pairs.update(stored.filter(trace_event__isnull=False).values_list("event_id", "trace_event_id"))
            links = ChainLink.objects.filter(event__event_id__in=chunk, event__has_error_declaration=False)
            pairs.update(links.values_list("event__event_id", "trace_event_id"))
        found = TraceEvent.objects.filter(pk__in={pk for _, pk in pairs}).select_related("enterprise") if pairs else []
        by_pk = {event.pk: event for event in found}
        for event_id, pk in sorted(pairs, key=lambda pair: pair[1]):
            self.declared[event_id].append(by_pk[pk])

    def _read_enterprises(self, glns: set[str], usccs: set[str]) -> None:
        """The enterprises the events name and those the user operates, with their partners."""
        where = Q(pk__in=sorted(self.scope.enterprise_ids))
        if glns:
            where |= Q(gln__in=sorted(glns))
        if usccs:
            where |= Q(uscc__in=sorted(usccs))
        for enterprise in Enterprise.objects.filter(where).select_related("jurisdiction").order_by("pk"):
            if enterprise.gln:
                self.enterprise_by_gln[enterprise.gln].append(enterprise)
            self.enterprise_by_uscc[enterprise.uscc] = enterprise
            if enterprise.pk in self.scope.enterprise_ids:
                self.operated.append(enterprise)
        enterprise_ids = sorted({e.pk for e in self.enterprise_by_uscc.values()})
        for chunk in _chunks(enterprise_ids):
            for partner in Partner.objects.filter(enterprise_id__in=chunk).order_by("name"):
                self.partners[partner.enterprise_id].append(partner)

    def _read_lots(self, codes: list[str], classes: set[tuple[str, str]], lot_ids: list[int]) -> None:
        """Every lot of the named GTINs and lot codes, on any enterprise (made here first),
        and the lots named by id (key ``("", id)``)."""
        for chunk in _chunks(codes):
            rows = Lot.objects.filter(code__in=chunk, product__gtin__isnull=False).select_related("product")
            for lot in rows.order_by("pk"):
                gtin = lot.product.gtin if lot.product is not None else None
                if gtin and (gtin, lot.code) in classes:
                    self.lots[(lot.enterprise_id, gtin, lot.code)].append(lot)
                    self.lot_owners[(gtin, lot.code)].add(lot.enterprise_id)
        for chunk in _chunks(lot_ids):
            for lot in Lot.objects.filter(pk__in=chunk):
                self.lots[(lot.enterprise_id, "", str(lot.pk))].append(lot)
                self.lot_owners[("", str(lot.pk))].add(lot.enterprise_id)
        for found in self.lots.values():
            found.sort(key=lambda lot: (lot.source_key != "", lot.pk))

    def _read_shipments(self, codes: list[str], classes: set[tuple[str, str]], lot_ids: list[int]) -> None:
        """Live shipments of those lots to on-platform receivers, not fully received yet."""
        chunks = [Q(lot__code__in=chunk) for chunk in _chunks(codes)]
        chunks += [Q(lot_id__in=chunk) for chunk in _chunks(lot_ids)]
        for where in chunks:
            rows = (
                LotShipment.objects.filter(
                    where,
                    counterparty_id__isnull=False,
                    received__lt=F("quantity"),
                    event__voided_by__isnull=True,
                )
                .select_related("event", "lot__product")
                .order_by("occurred_at", "pk")
            )
            for row in rows:
                gtin = row.lot.product.gtin if row.lot.product is not None else None
                key = (gtin, row.lot.code) if gtin and (gtin, row.lot.code) in classes else ("", str(row.lot_id))
                if key in classes and row.counterparty_id is not None:
                    self.shipped[(row.counterparty_id, *key)].append(
                        _Shipped(
                            shipper_id=row.enterprise_id,
                            handle=EventHandle(event=row.event),
                            lot=LotHandle(lot=row.lot),
                            remaining=row.quantity - row.received,
                            unit=row.unit,
                        )
                    )

    def _party_ids(self, event: Mapping[str, Any]) -> Iterator[str]:
        for name in ("bizLocation", "readPoint"):
            place = event.get(name)
            if isinstance(place, Mapping) and isinstance(place.get("id"), str):
                yield place["id"]
        for name, key in (("sourceList", "source"), ("destinationList", "destination")):
            for item in _list(event.get(name)):
                if isinstance(item, Mapping) and isinstance(item.get(key), str):
                    yield item[key]

    def _quantities(self, event: Mapping[str, Any]) -> Iterator[Any]:
        for name in ("quantityList", "inputQuantityList", "outputQuantityList"):
            yield from (item for item in _list(event.get(name)) if isinstance(item, Mapping))

    # -- who and where ------------------------------------------------------------------

    def enterprise_of_id(self, value: str) -> Enterprise | None:
        """The on-platform enterprise a GLN / SGLN / PGLN or ``urn:shilian:uscc:`` id names."""
        gln = ids.gln_of(value)
        if gln is not None:
            found = self.enterprise_by_gln.get(gln, [])
            return found[0] if len(found) == 1 else None
        uscc = ids.uscc_of(value)
        return self.enterprise_by_uscc.get(uscc) if uscc is not None else None

    def party(self, event: Mapping[str, Any], list_name: str, key: str) -> tuple[str, str] | None:
        """(id, pointer) of the party of a source or destination list: owner, possessor, location."""
        items = [(k, item) for k, item in enumerate(_list(event.get(list_name))) if isinstance(item, Mapping)]
        for wanted in PARTY_TYPES:
            for k, item in items:
                if vocab.cbv_word(item.get("type")).removeprefix("SDT-") == wanted and isinstance(item.get(key), str):
                    return item[key], f"/{list_name}/{k}/{key}"
        return None

    def enterprise(self, index: int, event: Mapping[str, Any], own: tuple[str, str] | None) -> Enterprise | None:
        """Where the event happened: its location's enterprise, else its own party's, else
        the capturing operator's. None (stored only) for a capture by a user who operates no
        enterprise of an event at no known location."""
        unknown: str | None = None
        candidates: list[tuple[str, str]] = []
        for name in ("bizLocation", "readPoint"):
            place = event.get(name)
            if isinstance(place, Mapping) and isinstance(place.get("id"), str):
                candidates.append((place["id"], f"/{name}/id"))
        if own is not None:
            candidates.append(own)
        for value, pointer in candidates:
            found = self.enterprise_of_id(value)
            if found is not None:
                self.check_operates(index, pointer, found)
                self.plan.enterprises[index] = found
                return found
            if unknown is None and pointer.endswith("/id"):
                unknown = pointer
        if unknown is not None:
            if self.scope.is_operator:
                where = vocab_value(event, unknown)
                raise MappingError(
                    index, unknown, f"平台上没有位置 {where} 的主体 / no enterprise on the platform is at {where}"
                )
            return None
        if len(self.operated) == 1:
            self.plan.enterprises[index] = self.operated[0]
            return self.operated[0]
        if len(self.operated) > 1:
            raise MappingError(
                index,
                "/bizLocation",
                "您经营多个主体，请用 bizLocation 指明 / you operate several enterprises: name one in bizLocation",
            )
        return None

    def note_enterprise(self, index: int, event: Mapping[str, Any]) -> None:
        """For an event stored only: the enterprise it is recorded for — its location's (which
        the user must operate), else the capturing operator's; no error for other places."""
        for name in ("bizLocation", "readPoint"):
            place = event.get(name)
            found = (
                self.enterprise_of_id(place["id"])
                if isinstance(place, Mapping) and isinstance(place.get("id"), str)
                else None
            )
            if found is not None:
                self.check_operates(index, f"/{name}/id", found)
                self.plan.enterprises[index] = found
                return
        if len(self.operated) == 1:
            self.plan.enterprises[index] = self.operated[0]

    def check_operates(self, index: int, pointer: str, enterprise: Enterprise) -> None:
        if not self.scope.allows(Perm.OPERATE, enterprise_id=enterprise.pk, division_code=enterprise.jurisdiction_id):
            raise MappingError(
                index, pointer, f"您不能为 {enterprise.name} 记录事件 / you may not record events for {enterprise.name}"
            )

    def partner(self, index: int, pointer: str, enterprise: Enterprise, party_id: str) -> PartnerHandle | None:
        """The partner of ``enterprise`` a party id names; planned (added in ``apply``) if new.

        An on-platform enterprise (GLN or credit code) is the partner linked to it; a
        ``urn:shilian:partner:{id}`` must be in the enterprise's address book; any other id
        is an off-platform partner: the one with its GLN or credit code, else a new one named
        by the header's master data, else by the id.
        """
        other = self.enterprise_of_id(party_id)
        book = self.partners[enterprise.pk]
        if other is not None:
            if other.pk == enterprise.pk:
                return None
            for partner in book:
                if partner.linked_enterprise_id == other.pk:
                    return PartnerHandle(partner=partner)
            new = NewPartner(enterprise, other.name, uscc=other.uscc, linked=other, address=other.address)
            return self._new_partner(new, party_id)
        if (pk := ids.partner_id(party_id)) is not None:
            for partner in book:
                if partner.pk == pk:
                    return PartnerHandle(partner=partner)
            raise MappingError(
                index, pointer, f"{party_id} 不在 {enterprise.name} 的伙伴中 / not a partner of {enterprise.name}"
            )
        entry = self.master.get(party_id, masterdata.Entry())
        uscc = ids.uscc_of(party_id) or ""
        gln = ids.gln_of(party_id) or ""
        try:  # a Digital Link carries its check digit: the partner keeps the GLN only if it is right
            gln = check_gln(gln) if gln else ""
        except ValueError:
            gln = ""
        name = (entry.name or party_id)[:200]
        for partner in book:
            if (gln and partner.gln == gln) or (uscc and partner.uscc == uscc) or (not uscc and partner.name == name):
                return PartnerHandle(partner=partner)
        return self._new_partner(NewPartner(enterprise, name, uscc=uscc, address=entry.address, gln=gln), party_id)

    def _new_partner(self, new: NewPartner, party_id: str) -> PartnerHandle:
        planned = self.new_by_id.get((new.enterprise.pk, party_id))
        if planned is not None:
            return planned
        name = new.name
        if any(p.name == name for p in self.partners[new.enterprise.pk]):  # tell them apart by the id
            name = f"{name[:150]} ({party_id[-45:]})"
        key = (new.enterprise.pk, name)
        if key not in self.new_partners:
            self.new_partners[key] = PartnerHandle(
                new=NewPartner(new.enterprise, name, new.uscc, new.linked, new.address, new.gln)
            )
        self.new_by_id[(new.enterprise.pk, party_id)] = self.new_partners[key]
        return self.new_partners[key]

    # -- lots and quantities ------------------------------------------------------------

    def lot_class(self, index: int, pointer: str, item: Mapping[str, Any]) -> tuple[str, str]:
        """(GTIN, lot code) of the item's lgtin class, or ("", lot id) of a ``urn:shilian:lot:``."""
        value = str(item.get("epcClass", ""))
        if (pk := ids.lot_id(value)) is not None:
            return "", str(pk)
        try:
            return ids.lot_class(value)
        except ValueError as exc:
            raise MappingError(index, f"{pointer}/epcClass", f"不是批次标识 / not a lot class: {exc}") from None

    def amount(self, index: int, pointer: str, item: Mapping[str, Any]) -> tuple[Decimal, str]:
        if "quantity" not in item:
            raise MappingError(index, f"{pointer}/quantity", "需要数量 / a quantity is required")
        try:
            quantity = Decimal(str(item["quantity"]))
        except (InvalidOperation, ValueError):
            raise MappingError(index, f"{pointer}/quantity", "数量必须是数字 / quantity must be a number") from None
        unit = vocab.unit_of(item.get("uom"))
        if unit is None:
            raise MappingError(
                index, f"{pointer}/uom", f"不支持的计量单位 / unsupported unit of measure {item.get('uom')!r}"
            )
        return quantity, unit

    def product(self, index: int, pointer: str, gtin: str) -> Product:
        product = self.products.get(gtin)
        if not gtin:
            raise MappingError(
                index,
                f"{pointer}/epcClass",
                "没有GTIN的批次只能从平台上的发货收货 / a lot without a GTIN is received only from a shipment on the platform",
            )
        if product is None:
            raise MappingError(
                index, f"{pointer}/epcClass", f"平台上没有 GTIN {gtin} 的产品 / no product with GTIN {gtin}"
            )
        return product

    def lot_at(self, index: int, pointer: str, enterprise: Enterprise, gtin: str, code: str) -> LotHandle:
        """The enterprise's lot of a GTIN and lot code: made earlier in this plan, or stored."""
        planned = self.planned_lots.get((enterprise.pk, gtin, code))
        if planned is not None:
            return planned
        found = self.lots.get((enterprise.pk, gtin, code))
        if found:
            return LotHandle(lot=found[0])
        if self.lot_owners.get((gtin, code)) or any(k[1:] == (gtin, code) for k in self.planned_lots):
            raise MappingError(
                index,
                f"{pointer}/epcClass",
                f"批次 {_label(gtin, code)} 属于其他主体 / the lot belongs to another enterprise",
            )
        raise MappingError(
            index,
            f"{pointer}/epcClass",
            f"{enterprise.name} 没有批次 {_label(gtin, code)} / no such lot at {enterprise.name}",
        )

    def shipment_to(
        self, receiver: Enterprise, shipper: Enterprise | None, gtin: str, code: str, quantity: Decimal, unit: str
    ) -> _Shipped | None:
        """The oldest shipment to ``receiver`` of that lot not fully received (from ``shipper`` if known)."""
        key = (receiver.pk, gtin, code)
        for shipped in [*self.shipped_here.get(key, []), *self.shipped.get(key, [])]:
            if shipper is not None and shipped.shipper_id != shipper.pk:
                continue
            try:
                amount = convert(quantity, unit, shipped.unit)
            except (ValueError, KeyError):
                continue
            if shipped.remaining > 0:
                shipped.remaining -= amount
                return shipped
        return None

    # -- steps --------------------------------------------------------------------------

    def batch_step(self, index: int, enterprise: Enterprise) -> Step:
        step = self.open.get(enterprise.pk)
        if step is None:
            step = self.open[enterprise.pk] = Step(enterprise, batch=True)
            self.opened_at[enterprise.pk] = index
        return step

    def add(self, index: int, enterprise: Enterprise, draft: Draft) -> tuple[Step, int]:
        step = self.batch_step(index, enterprise)
        step.drafts.append(draft)
        self.handles.append(EventHandle(step=step, op=len(step.drafts) - 1))
        return step, len(step.drafts) - 1

    def add_single(self, enterprise: Enterprise, draft: Draft) -> None:
        self.close(enterprise.pk)
        step = Step(enterprise, batch=False, drafts=[draft])
        self.plan.steps.append(step)
        self.handles.append(EventHandle(step=step))

    def close(self, enterprise_id: int) -> None:
        step = self.open.pop(enterprise_id, None)
        if step is not None:
            self.opened_at.pop(enterprise_id, None)
            self.plan.steps.append(step)

    def close_all(self) -> None:
        for enterprise_id in sorted(self.open, key=self.opened_at.__getitem__):
            self.close(enterprise_id)

    def depend(self, enterprise: Enterprise, handle: LotHandle | EventHandle) -> None:
        """``enterprise``'s next draft uses what ``handle``'s step writes: that step runs first."""
        step = handle.step
        if step is None:
            return
        if step.enterprise.pk != enterprise.pk and self.open.get(step.enterprise.pk) is step:
            self.close(step.enterprise.pk)

    def remember_shipment(
        self, step: Step, op: int, draft: ShipDraft, receiver_id: int, classes: list[tuple[str, str]]
    ) -> None:
        shipper_id = step.enterprise.pk
        handle = EventHandle(step=step, op=op)
        for line, (gtin, code) in zip(draft.lines, classes, strict=True):
            self.shipped_here[(receiver_id, gtin, code)].append(
                _Shipped(shipper_id, handle, line.lot, remaining=line.quantity, unit=line.unit)
            )

    def recalled(self, handle: LotHandle) -> bool:
        return handle.lot is not None and handle.lot.status == LotStatus.RECALLED


def _label(gtin: str, code: str) -> str:
    return f"{gtin}/{code}" if gtin else f"{ids.LOT}{code}"


def vocab_value(event: Mapping[str, Any], pointer: str) -> str:
    """The string at a pointer like ``/bizLocation/id`` of the event (for messages)."""
    node: Any = event
    for part in pointer.strip("/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node.get(part) if isinstance(node, Mapping) else None
    return str(node)
