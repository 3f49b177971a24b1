"""Months of daily activity, recorded through the chain's actions.

Each day: the mushroom base harvests, workshops buy what a batch needs (off-platform
suppliers, with the certificate of each supplier's first delivery attached) or order it
from an on-platform supplier (shipped and received, linked), make their batches and
plan their sales; then the day's agenda runs — shipments to distributors and shops
(who receive them, in the afternoon or, for 临海, the next morning, and sell on), to
off-platform customers and at retail. Self-tests and official sampling now and then.
Every random choice comes from one seeded ``random.Random``, in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils import timezone

from shilian.chain.actions import (
    Attachment,
    InputSpec,
    OutputSpec,
    ShipLine,
    receive_lot,
    record_inspection,
    record_transformation,
    ship_lots,
)
from shilian.chain.choices import DocumentKind, InspectionKind, LineRole
from shilian.chain.documents import check_document
from shilian.chain.models import EventLine, Lot, TraceEvent
from shilian.demo.enterprises import DISTRIBUTOR, LOT_STEMS, RETAILER, supplier_key
from shilian.demo.pdf import simple_pdf
from shilian.demo.places import SHITANG
from shilian.demo.products import MATERIALS, SELF_TEST_ITEMS, ProductSpec
from shilian.demo.world import Actor, World

COUNT_UNITS = {"piece", "bag", "bottle", "box"}
LAB = "温岭市食品检验检测中心"
SAMPLING_EVERY = 9  # days between official samplings


def rounded(quantity: Decimal, unit: str) -> Decimal:
    step = Decimal(1) if unit in COUNT_UNITS else Decimal("0.1")
    return quantity.quantize(step, rounding=ROUND_DOWN)


def document(kind: str, number: str, title: str, lines: list[str]) -> Attachment:
    data = simple_pdf(title, [f"No. {number}", *lines])
    return Attachment(kind=kind, file=check_document(io.BytesIO(data), f"{number}.pdf"), number=number)


def event_lot(event: TraceEvent, role: str = LineRole.OUTPUT) -> Lot:
    # From the event's line to the lot by primary key: the demo loads in one transaction, so
    # PostgreSQL plans with empty-table statistics, and a join starting from chain_lot would
    # walk every lot for each call.
    line = EventLine.objects.only("lot_id").get(event_id=event.pk, role=role)
    return Lot.objects.get(pk=line.lot_id)


@dataclass
class Shipment:
    """A shipment made during the run, kept for the closing events."""

    actor: Actor
    event: TraceEvent
    lot: Lot
    quantity: Decimal
    on_platform: bool


class Activity:
    def __init__(self, world: World, *, rng: random.Random, start: dt.date, end: dt.date) -> None:
        self.world = world
        self.rng = rng
        self.start = start
        self.end = end
        self.day = start
        self.agenda: dict[dt.date, list[Callable[[], None]]] = defaultdict(list)
        self.orders: dict[str, int] = defaultdict(int)  # per enterprise, for supplier lot codes
        self.certified: set[str] = set()  # suppliers whose certificate is on file
        self.reports = 0
        self.shipments: list[Shipment] = []
        self.harvests: list[Lot] = []
        producers = [a for a in world.actors.values() if a.products]
        # Suppliers first: the mushroom base, then the pickled-vegetable workshop, then the rest.
        self.producers = sorted(producers, key=lambda a: (a.spec.trade != "farm", a.spec.trade != "pickles", a.index))

    # -- time ---------------------------------------------------------------------------

    def at(self, hour: int, minute: int | None = None, day: dt.date | None = None) -> dt.datetime:
        minute = self.rng.randrange(60) if minute is None else minute
        naive = dt.datetime.combine(day or self.day, dt.time(hour, minute))
        return timezone.make_aware(naive)

    def later(self, offset: int, task: Callable[[], None]) -> None:
        self.agenda[self.day + dt.timedelta(days=offset)].append(task)

    def run(self) -> None:
        while self.day <= self.end:
            n = (self.day - self.start).days
            for actor in self.producers:
                for position, (spec, product) in enumerate(actor.products):
                    due = n % spec.every == actor.index % spec.every
                    if due and (n == 0 or self.rng.random() > 0.1):
                        self.produce(actor, spec, product, position)
            if n % SAMPLING_EVERY == 5:
                self.sample()
            tasks = self.agenda[self.day]
            i = 0
            while i < len(tasks):  # a task may add more for today (a shipment's receipt)
                tasks[i]()
                i += 1
            del self.agenda[self.day]
            self.day += dt.timedelta(days=1)

    # -- stock --------------------------------------------------------------------------

    def usable(self, actor: Actor, name: str, before: dt.datetime) -> list[Lot]:
        """The actor's lots of ``name`` with stock, in date, present before ``before``, oldest first."""
        return [
            lot
            for lot in actor.lots.get(name, {}).values()
            if lot.quantity_on_hand > 0
            and (lot.expires_on is None or lot.expires_on >= self.day)
            and actor.since[lot.pk] < before
        ]

    def allocate(self, actor: Actor, name: str, need: Decimal, when: dt.datetime) -> list[tuple[Lot, Decimal]] | None:
        lots = self.usable(actor, name, when)
        short = need - sum((lot.quantity_on_hand for lot in lots), Decimal(0))
        if short > 0:
            self.restock(actor, name, short, when)
            lots = self.usable(actor, name, when)
        picks = []
        for lot in lots:
            amount = min(need, lot.quantity_on_hand)
            picks.append((lot, amount))
            need -= amount
            if need <= 0:
                return picks
        return None

    def restock(self, actor: Actor, name: str, short: Decimal, when: dt.datetime) -> None:
        """Buy or order what a batch at ``when`` lacks; it arrives before then."""
        material = MATERIALS.get(name)
        if material is None:  # the actor's own product: nothing to buy
            return
        quantity = short if material.shelf_life_days <= 3 else max(short, Decimal(material.order))
        quantity = rounded(quantity, material.unit) + (1 if material.unit in COUNT_UNITS else Decimal("0.5"))
        if material.supplier.startswith("slug:"):
            self.order(actor, self.world.actors[material.supplier.removeprefix("slug:")], name, quantity, when)
        else:
            self.buy(actor, name, quantity, when)

    def buy(self, actor: Actor, name: str, quantity: Decimal, before: dt.datetime) -> None:
        """Goods in from an off-platform supplier, under the supplier's own lot code."""
        material = MATERIALS[name]
        key = supplier_key(material.supplier, actor.spec.town)
        self.orders[actor.spec.slug] += 1
        seq = self.orders[actor.spec.slug]
        produced = self.day - dt.timedelta(days=self.rng.randint(0, min(3, material.shelf_life_days - 1)))
        code = f"{LOT_STEMS[key]}{produced:%y%m%d}{seq:03d}"
        attachments = []
        if key not in self.certified:
            self.certified.add(key)
            attachments.append(
                document(
                    DocumentKind.CERTIFICATE, f"{LOT_STEMS[key]}-QC-{code}", "Certificate of Conformity",
                    [f"Supplier USCC: {actor.suppliers[key].uscc}", f"Product: {material.name_en}",
                     f"Lot: {code}", f"Produced: {produced.isoformat()}", "Result: conforms"],
                )
            )
        event = receive_lot(
            actor.enterprise,
            acting_user=actor.user,
            occurred_at=before - dt.timedelta(minutes=30 + self.rng.randrange(60)),
            quantity=quantity,
            unit=material.unit,
            product_name=name,
            lot_code=code,
            supplier=actor.suppliers[key],
            produced_on=produced,
            expires_on=produced + dt.timedelta(days=material.shelf_life_days),
            attachments=attachments,
            acceptance={"appearance": "合格", "certificate": bool(attachments) or None},
            reference_no=f"{LOT_STEMS[key]}{self.day:%m%d}-{seq:03d}",
        )
        actor.keep(event_lot(event), event.occurred_at)

    def order(self, buyer: Actor, seller: Actor, name: str, quantity: Decimal, before: dt.datetime) -> None:
        """An on-platform supplier ships from its oldest lots; the buyer receives each line."""
        when = before - dt.timedelta(minutes=60 + self.rng.randrange(20))
        lines = []
        for lot in self.usable(seller, name, when):
            amount = min(quantity, lot.quantity_on_hand)
            lines.append(ShipLine(lot, amount, lot.unit))
            quantity -= amount
            if quantity <= 0:
                break
        if not lines:
            return
        shipment = ship_lots(
            seller.enterprise, lines=lines, customer=seller.links[buyer.spec.slug], occurred_at=when,
            acting_user=seller.user, reference_no=f"XS{self.day:%m%d}{seller.index:02d}{buyer.index:02d}",
        )
        arrival = when + dt.timedelta(minutes=15)
        for line in lines:
            self.receive(buyer, shipment, line.lot, line.quantity, arrival, plan=False)

    def receive(self, actor: Actor, shipment: TraceEvent, source: Lot, quantity: Decimal, when: dt.datetime,
                *, plan: bool = True) -> None:
        event = receive_lot(
            actor.enterprise, acting_user=actor.user, occurred_at=when, quantity=quantity, unit=source.unit,
            shipment=shipment, source_lot=source, acceptance={"appearance": "合格", "temperature": "符合"},
        )
        lot = event_lot(event)
        actor.keep(lot, when)  # a second receipt of the same lot replaces the stale copy
        if plan:
            self.plan_onward(actor, lot)

    # -- making -------------------------------------------------------------------------

    def produce(self, actor: Actor, spec: ProductSpec, product: Any, position: int) -> None:
        when = self.at(5 if spec.name == "鲜香菇" else 8 + position * 2)
        factor = Decimal(self.rng.choice(["0.8", "0.9", "1", "1", "1.1", "1.2"]))
        inputs: list[InputSpec] = []
        for name, quantity in spec.inputs:
            unit = MATERIALS[name].unit if name in MATERIALS else self.unit_of(actor, name)
            picks = self.allocate(actor, name, rounded(Decimal(quantity) * factor, unit), when)
            if picks is None:
                return
            inputs.extend(InputSpec(lot, amount, lot.unit) for lot, amount in picks)
        output = rounded(spec.output_quantity * factor * Decimal(self.rng.choice(["0.96", "1", "1.03"])), spec.unit)
        # Workshops put their own prefix on lot codes, so that two workshops' 麻糍 of the same
        # day stay two lots at the shop that stocks both; the mushroom base lets the platform
        # number its harvests (YYYYMMDDNN).
        code = "" if actor.spec.trade == "farm" else f"{actor.spec.slug.upper()}-{self.day:%y%m%d}{position + 1:02d}"
        event = record_transformation(
            actor.enterprise, inputs=inputs, outputs=[OutputSpec(product, output, spec.unit, lot_code=code)],
            occurred_at=when, acting_user=actor.user, room="加工间",
        )
        lot = event_lot(event)
        actor.keep(lot, when)
        if spec.name == "鲜香菇":
            self.harvests.append(lot)
        if self.rng.random() < 0.06:
            self.self_test(actor, spec, lot, when + dt.timedelta(hours=1))
        self.plan_sales(actor, spec, lot)

    def unit_of(self, actor: Actor, name: str) -> str:
        return next(spec.unit for spec, _p in actor.products if spec.name == name)

    def self_test(self, actor: Actor, spec: ProductSpec, lot: Lot, when: dt.datetime) -> None:
        item, (low, high), limit, unit = SELF_TEST_ITEMS[spec.category]
        self.reports += 1
        report = None
        if self.reports <= 2:
            report = document(DocumentKind.TEST_REPORT, f"ZJ{when:%Y%m%d}{actor.index:02d}", "Self-test report",
                              [f"Lot: {lot.code}", f"Item: {item}", "Result: pass"])
        record_inspection(
            lot, kind=InspectionKind.SELF, passed=True, occurred_at=when, acting_user=actor.user,
            items=[{"item": item, "result": f"{self.rng.randint(low, high)} {unit}", "limit": f"{limit} {unit}", "pass": True}],
            lab="自检", report=report,
        )

    # -- selling ------------------------------------------------------------------------

    def days_left(self, lot: Lot) -> int:
        return 30 if lot.expires_on is None else (lot.expires_on - self.day).days

    def plan_sales(self, actor: Actor, spec: ProductSpec, lot: Lot) -> None:
        """Where a new batch goes: an on-platform outlet, an off-platform customer, retail."""
        last = max(0, min(self.days_left(lot) - 1, 10))
        total = lot.quantity_on_hand
        if actor.spec.trade == "farm":
            for slug, partner, _w in actor.outlets:
                self.later(0, self.ship_task(actor, lot, partner, total * Decimal("0.1"), slug))
            self.later(0, self.ship_task(actor, lot, self.rng.choice(actor.customers), total * Decimal("0.1")))
            return
        slug, partner = self.pick_outlet(actor)
        self.later(min(last, self.rng.randint(0, 2)), self.ship_task(actor, lot, partner, total * self.share(35, 50), slug))
        if last >= 4 and self.rng.random() < 0.35:
            slug, partner = self.pick_outlet(actor)
            self.later(self.rng.randint(4, last), self.ship_task(actor, lot, partner, total * self.share(20, 30), slug))
        if self.rng.random() < 0.7:
            customer = self.rng.choice(actor.customers)
            self.later(min(last, self.rng.randint(0, 2)), self.ship_task(actor, lot, customer, total * self.share(15, 25)))
        if last <= 2:  # short-lived goods: what is left sells out at the workshop's door
            self.later(last, self.ship_task(actor, lot, None, None))
        elif self.rng.random() < 0.25:
            self.later(1, self.ship_task(actor, lot, None, total * self.share(5, 15)))

    def plan_onward(self, actor: Actor, lot: Lot) -> None:
        last = max(0, min(self.days_left(lot) - 1, 8))
        total = lot.quantity_on_hand
        if actor.spec.kind == DISTRIBUTOR:
            slug, partner = self.pick_outlet(actor)
            self.later(min(last, self.rng.randint(1, 3)), self.ship_task(actor, lot, partner, total * self.share(40, 60), slug))
            if self.rng.random() < 0.5:
                customer = self.rng.choice(actor.customers)
                self.later(min(last, self.rng.randint(1, 4)), self.ship_task(actor, lot, customer, total * self.share(20, 30)))
        elif actor.spec.kind == RETAILER:
            self.later(min(last, self.rng.randint(1, 5)), self.ship_task(actor, lot, None, total * self.share(50, 90)))

    def share(self, low: int, high: int) -> Decimal:
        return Decimal(self.rng.randint(low, high)) / 100

    def pick_outlet(self, actor: Actor) -> tuple[str, Any]:
        slug, partner, _w = self.rng.choices(actor.outlets, weights=[w for _s, _p, w in actor.outlets])[0]
        return slug, partner

    def ship_task(self, actor: Actor, lot: Lot, customer: Any, quantity: Decimal | None, slug: str = "") -> Callable[[], None]:
        name, pk = lot.product_name, lot.pk

        def task() -> None:
            current = actor.lots[name][pk]
            amount = current.quantity_on_hand if quantity is None else min(quantity, current.quantity_on_hand)
            amount = rounded(amount, current.unit)
            if amount <= 0 or (current.expires_on is not None and current.expires_on < self.day):
                return
            self.ship(actor, current, customer, amount, slug)

        return task

    def ship(self, actor: Actor, lot: Lot, customer: Any, amount: Decimal, slug: str) -> None:
        when = max(self.at(13 + self.rng.randrange(4)), actor.since[lot.pk] + dt.timedelta(minutes=30))
        event = ship_lots(
            actor.enterprise, lines=[ShipLine(lot, amount, lot.unit)], customer=customer, occurred_at=when,
            acting_user=actor.user, reference_no=f"CK{self.day:%y%m%d}{actor.index:02d}{self.rng.randrange(1000):03d}",
        )
        self.shipments.append(Shipment(actor, event, lot, amount, bool(slug)))
        if not slug:
            return
        buyer = self.world.actors[slug]
        if buyer.spec.town.short == "lh":  # 临海: on the road overnight
            self.later(1, lambda: self.receive(buyer, event, lot, amount, self.at(9)))
        else:
            self.receive(buyer, event, lot, amount, when + dt.timedelta(hours=2))

    # -- official sampling --------------------------------------------------------------

    def sample(self) -> None:
        """An inspector samples a recent batch at a workshop or a shop; the result is a pass."""
        when = self.at(10)
        candidates = [
            (actor, lot)
            for actor in self.world.actors.values()
            if actor.spec.kind != DISTRIBUTOR
            for lots in actor.lots.values()
            for lot in lots.values()
            if lot.quantity_on_hand > 0
            and lot.product_id is not None
            and self.day - dt.timedelta(days=5) <= actor.since[lot.pk].date()
            and actor.since[lot.pk] < when
        ]
        if not candidates:
            return
        actor, lot = self.rng.choice(candidates)
        inspector = self.world.users["insp_st" if actor.enterprise.jurisdiction_id == SHITANG else "insp_wl"]
        category = lot.product.category if lot.product else "other"
        item, (low, high), limit, unit = SELF_TEST_ITEMS[category]
        number = f"WJ{self.day:%Y%m%d}{actor.index:02d}"
        self.reports += 1
        report = None
        if self.reports <= 5:
            report = document(DocumentKind.TEST_REPORT, number, "Official sampling test report",
                              [f"Lot: {lot.code}", f"Item: {item}", "Conclusion: conforms"])
        record_inspection(
            lot, kind=InspectionKind.OFFICIAL, passed=True, occurred_at=when, acting_user=inspector,
            items=[{"item": item, "result": f"{self.rng.randint(low, high)} {unit}", "limit": f"{limit} {unit}", "pass": True}],
            lab=LAB, report_no=number, report=report,
        )
