"""A synthetic province for the trace benchmark: enterprises, partners, products, lots, events.

Deterministic for a seed. Modelled on the generator of the performance research
(/work/shared/research/performance-web-trace.md, part B): eight levels of lots from farm
to retailer, transformation fan-in of 2–5 from a sliding window of the 8 most recent lots
at the enterprise (25 % also take one lot from up to 120 back), shipping splits, and bulk
ingredients (2 % of received lots at processors and workshops, used by 40 % of later
batches until the next bulk lot arrives) that give the heavy-tailed recall sizes.

Everything is expressed the way shilian's actions write it: a shipment between two
enterprises is a ``ship`` event at the shipper (one input line per lot) and one
``receive`` event per line at the receiver, whose lot carries the shipper's product name
and lot code and is linked by a ``ship`` edge; a transformation is one event with input
lines, an output line and one ``transform`` edge per input. Quantities are chosen so that
every lot's stock is received-or-produced minus taken, and never negative.

Two differences from the research graph follow from that model: a farm lot is received
from an off-platform grower (a receipt needs no input lots), and the distributor level is
a receipt of workshop lots (shipped 2–5 lots per shipment, some to two distributors)
rather than a cross-enterprise consolidation, which shilian does not have.
"""

from __future__ import annotations

import datetime as dt
import random
from array import array
from dataclasses import dataclass, field

from shilian.core.identifiers import uscc_check_character

LEVELS = (
    # name, share of all lots
    ("L0 farm lot", 0.02),
    ("L1 processor receipt", 0.03),
    ("L2 processor batch", 0.20),
    ("L3 processor pack", 0.20),
    ("L4 workshop receipt", 0.08),
    ("L5 workshop product", 0.25),
    ("L6 distributor receipt", 0.15),
    ("L7 retailer receipt", 0.07),
)
KINDS = (
    # internal kind, EnterpriseKind value, share, label, products per enterprise
    ("farm", "farm", 0.40, "种植基地", 2),
    ("processor", "manufacturer", 0.15, "食品厂", 3),
    ("workshop", "workshop", 0.15, "小作坊", 4),
    ("distributor", "distributor", 0.12, "批发商", 0),
    ("retailer", "retailer", 0.18, "超市", 0),
)
PRODUCT_NAMES = {
    "farm": ["大米", "小麦", "鲜奶", "甘蔗", "香菇", "大豆"],
    "processor": ["面粉", "奶粉", "白砂糖", "米粉", "豆粉", "淀粉"],
    "workshop": ["年糕", "糕点", "米面", "酱料", "月饼", "粉丝"],
}
CUSTOMERS = {"farm": (1, 3), "processor": (2, 6), "workshop": (2, 5), "distributor": (5, 15)}
NEXT_KIND = {"farm": "processor", "processor": "workshop", "workshop": "distributor", "distributor": "retailer"}

WINDOW = 8
P_FAR = 0.25
FAR_BACK = 120
BULK_FRAC = 0.02
P_BULK = 0.40
SAME_REGION = 0.8
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
BASE_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DAY = 86400

# event types, line roles, edge kinds, lot origins (the stored values are in the loader)
RECEIVE, TRANSFORM, SHIP = 0, 1, 2
INPUT, OUTPUT = 0, 1
E_TRANSFORM, E_SHIP = 0, 1
PRODUCED, RECEIVED = 0, 1
# what a line's quantity refers to
Q_EDGE, Q_LOT_IN, Q_OWN = 0, 1, 2


@dataclass
class Enterprise:
    id: int
    kind: str
    region: int
    jurisdiction: str
    name: str
    uscc: str
    products: list[int] = field(default_factory=list)
    customers: list[int] = field(default_factory=list)


@dataclass
class Province:
    """The generated rows, column-wise (ids are 1-based: row i has id i + 1)."""

    seed: int
    n_lots: int
    jurisdictions: list[tuple[str, str, str, str | None, str]] = field(default_factory=list)
    enterprises: list[Enterprise] = field(default_factory=list)
    # partner rows: (enterprise, name, kind, linked enterprise or 0)
    partners: list[tuple[int, str, str, int]] = field(default_factory=list)
    # product rows: (enterprise, name, kind, category, shelf life days)
    products: list[tuple[int, str, str, str, int]] = field(default_factory=list)
    lot_ent: array = field(default_factory=lambda: array("i"))
    lot_level: array = field(default_factory=lambda: array("b"))
    lot_product: array = field(default_factory=lambda: array("i"))
    lot_name_of: array = field(default_factory=lambda: array("i"))  # lot id whose name and code it carries
    lot_origin: array = field(default_factory=lambda: array("b"))
    lot_supplier: array = field(default_factory=lambda: array("i"))
    lot_src: array = field(default_factory=lambda: array("i"))  # the shipped lot a receipt came from
    lot_t: array = field(default_factory=lambda: array("q"))
    lot_bulk: bytearray = field(default_factory=bytearray)
    lot_in: array = field(default_factory=lambda: array("q"))  # milli-units received or produced
    lot_on_hand: array = field(default_factory=lambda: array("q"))
    ev_type: array = field(default_factory=lambda: array("b"))
    ev_ent: array = field(default_factory=lambda: array("i"))
    ev_t: array = field(default_factory=lambda: array("q"))
    ev_partner: array = field(default_factory=lambda: array("i"))
    ev_counterparty: array = field(default_factory=lambda: array("i"))
    ev_shipment: array = field(default_factory=lambda: array("i"))
    ev_retail: bytearray = field(default_factory=bytearray)
    ln_event: array = field(default_factory=lambda: array("i"))
    ln_lot: array = field(default_factory=lambda: array("i"))
    ln_role: array = field(default_factory=lambda: array("b"))
    ln_ref_kind: array = field(default_factory=lambda: array("b"))
    ln_ref: array = field(default_factory=lambda: array("q"))
    ln_qty: array = field(default_factory=lambda: array("q"))
    ed_src: array = field(default_factory=lambda: array("i"))
    ed_dst: array = field(default_factory=lambda: array("i"))
    ed_kind: array = field(default_factory=lambda: array("b"))
    ed_event: array = field(default_factory=lambda: array("i"))
    ed_qty: array = field(default_factory=lambda: array("q"))

    @property
    def lot_count(self) -> int:
        return len(self.lot_ent)

    def level_counts(self) -> list[int]:
        counts = [0] * len(LEVELS)
        for level in self.lot_level:
            counts[level] += 1
        return counts

    def lots_of_level(self, level: int) -> list[int]:
        return [i + 1 for i, lv in enumerate(self.lot_level) if lv == level]

    def bulk_lots(self) -> list[int]:
        return [i + 1 for i, b in enumerate(self.lot_bulk) if b]

    def lot_code(self, lot_id: int) -> str:
        return f"L{self.lot_name_of[lot_id - 1]}"

    def product_name(self, lot_id: int) -> str:
        return self.products[self.lot_product[lot_id - 1] - 1][1]

    def time(self, seconds: int) -> dt.datetime:
        return BASE_TIME + dt.timedelta(seconds=seconds)


def make_uscc(n: int, division: str) -> str:
    body = f"92{division}"
    digits = ""
    for _ in range(9):
        n, r = divmod(n, 31)
        digits = USCC_ALPHABET[r] + digits
    first17 = body + digits
    return first17 + uscc_check_character(first17)


class Generator:
    def __init__(self, n_lots: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.p = Province(seed=seed, n_lots=n_lots)
        self.by_kind: dict[str, list[int]] = {k[0]: [] for k in KINDS}
        self.partner_of: dict[tuple[int, int], int] = {}  # (enterprise, linked enterprise) → partner id
        self.growers: dict[int, list[int]] = {}
        self.offline_customers: dict[int, int] = {}
        self.receipt_of: dict[tuple[int, int], int] = {}  # (receiver, shipped lot) → receipt lot id
        self.in_ship: dict[int, list[int]] = {}  # receipt lot → ship edges into it (0-based)
        self.out_take = array("q")

    # -- rows --------------------------------------------------------------------------
    def new_lot(self, ent: int, level: int, product: int, name_of: int, origin: int, supplier: int, t: int) -> int:
        p = self.p
        p.lot_ent.append(ent)
        p.lot_level.append(level)
        p.lot_product.append(product)
        lot_id = len(p.lot_ent)
        p.lot_name_of.append(name_of or lot_id)
        p.lot_origin.append(origin)
        p.lot_supplier.append(supplier)
        p.lot_src.append(0)
        p.lot_t.append(t)
        p.lot_bulk.append(0)
        self.out_take.append(0)
        return lot_id

    def new_event(
        self, kind: int, ent: int, t: int, partner: int = 0, counterparty: int = 0, shipment: int = 0, retail: int = 0
    ) -> int:
        p = self.p
        p.ev_type.append(kind)
        p.ev_ent.append(ent)
        p.ev_t.append(t)
        p.ev_partner.append(partner)
        p.ev_counterparty.append(counterparty)
        p.ev_shipment.append(shipment)
        p.ev_retail.append(retail)
        return len(p.ev_type)

    def add_line(self, event: int, lot: int, role: int, ref_kind: int, ref: int) -> None:
        p = self.p
        p.ln_event.append(event)
        p.ln_lot.append(lot)
        p.ln_role.append(role)
        p.ln_ref_kind.append(ref_kind)
        p.ln_ref.append(ref)

    def add_edge(self, src: int, dst: int, kind: int, event: int, qty: int) -> int:
        p = self.p
        p.ed_src.append(src)
        p.ed_dst.append(dst)
        p.ed_kind.append(kind)
        p.ed_event.append(event)
        p.ed_qty.append(qty)
        return len(p.ed_src) - 1

    # -- registry ----------------------------------------------------------------------
    def registry(self) -> None:
        rng, p = self.rng, self.p
        p.jurisdictions.append(("990000", "基准省", "Bench Province", None, "99"))
        regions: list[tuple[str, list[str]]] = []
        for c in range(1, 6):
            city = f"99{c:02d}00"
            p.jurisdictions.append((city, f"基准市{c}", f"Bench City {c}", "990000", city[:4]))
            for k in range(1, 3):
                county = f"99{c:02d}{k:02d}"
                p.jurisdictions.append((county, f"基准县{c}-{k}", f"Bench County {c}-{k}", city, county))
                towns = []
                for t in range(1, 4):
                    town = f"{county}{t:03d}"
                    p.jurisdictions.append((town, f"基准镇{c}-{k}-{t}", f"Bench Town {c}-{k}-{t}", county, town))
                    towns.append(town)
                regions.append((county, towns))
        total = max(50, min(1000, round(1000 * (p.n_lots / 1_000_000) ** 0.5)))
        for kind, _value, share, label, n_products in KINDS:
            for _ in range(max(3, round(total * share))):
                eid = len(p.enterprises) + 1
                region = rng.randrange(len(regions))
                county, towns = regions[region]
                e = Enterprise(eid, kind, region, rng.choice(towns), f"{label}{eid:04d}", make_uscc(eid, county))
                names = rng.sample(PRODUCT_NAMES.get(kind, []), n_products)
                for name in names:
                    category = "raw" if kind in ("farm", "processor") else "pastry"
                    product_kind = "raw_material" if kind in ("farm", "processor") else "finished"
                    p.products.append((eid, name, product_kind, category, rng.choice((90, 180, 365))))
                    e.products.append(len(p.products))
                p.enterprises.append(e)
                self.by_kind[kind].append(eid)
        for e in p.enterprises:
            nxt = NEXT_KIND.get(e.kind)
            if nxt is None:
                continue
            lo, hi = CUSTOMERS[e.kind]
            pool = self.by_kind[nxt]
            local = [c for c in pool if p.enterprises[c - 1].region == e.region]
            chosen: set[int] = set()
            for _ in range(min(rng.randint(lo, hi), len(pool))):
                for _attempt in range(20):
                    c = rng.choice(local if local and rng.random() < SAME_REGION else pool)
                    if c not in chosen:
                        chosen.add(c)
                        break
            e.customers = sorted(chosen)
            for c in e.customers:
                self.partner_of[(e.id, c)] = self.add_partner(e.id, p.enterprises[c - 1].name, "customer", c)
                self.partner_of[(c, e.id)] = self.add_partner(c, e.name, "supplier", e.id)
        for eid in self.by_kind["farm"]:
            self.growers[eid] = [self.add_partner(eid, f"合作社{eid}-{g}", "supplier", 0) for g in (1, 2)]
        for eid in self.by_kind["processor"] + self.by_kind["workshop"]:
            self.offline_customers[eid] = self.add_partner(eid, f"农贸市场{eid}", "customer", 0)

    def add_partner(self, ent: int, name: str, kind: str, linked: int) -> int:
        self.p.partners.append((ent, name, kind, linked))
        return len(self.p.partners)

    # -- events ------------------------------------------------------------------------
    def ship(self, shipper: int, lots: list[int], receiver: int, t: int, level: int) -> list[int]:
        """One shipment of ``lots`` to ``receiver``, received line by line."""
        ship_event = self.new_event(SHIP, shipper, t, self.partner_of[(shipper, receiver)], receiver)
        supplier = self.partner_of[(receiver, shipper)]
        out = []
        for src in lots:
            original = self.p.lot_name_of[src - 1]
            # a receipt is kept apart per shipped lot (``source_key`` "lot:<id>"), as receive_lot does
            dst = self.receipt_of.get((receiver, src))
            if dst is None:
                dst = self.new_lot(receiver, level, self.p.lot_product[src - 1], original, RECEIVED, supplier, t + 3600)
                self.p.lot_src[dst - 1] = src
                self.receipt_of[(receiver, src)] = dst
            recv_event = self.new_event(RECEIVE, receiver, t + 3600, supplier, shipper, ship_event)
            edge = self.add_edge(src, dst, E_SHIP, recv_event, 0)
            self.in_ship.setdefault(dst, []).append(edge)
            self.add_line(ship_event, src, INPUT, Q_EDGE, edge)
            self.add_line(recv_event, dst, OUTPUT, Q_EDGE, edge)
            out.append(dst)
        return out

    def transform(self, ent: int, inputs: list[int], level: int, t: int) -> int:
        event = self.new_event(TRANSFORM, ent, t)
        product = self.rng.choice(self.p.enterprises[ent - 1].products)
        lot = self.new_lot(ent, level, product, 0, PRODUCED, 0, t)
        for src in inputs:
            take = self.rng.randint(2, 100) * 500
            edge = self.add_edge(src, lot, E_TRANSFORM, event, take)
            self.out_take[src - 1] += take
            self.add_line(event, src, INPUT, Q_EDGE, edge)
        self.add_line(event, lot, OUTPUT, Q_LOT_IN, lot)
        return lot

    def sell(self, lot: int, partner: int, t: int) -> None:
        """A sale off the platform: to a listed customer, or at retail when ``partner`` is 0."""
        event = self.new_event(SHIP, self.p.lot_ent[lot - 1], t, partner, 0, 0, 1 if partner == 0 else 0)
        qty = self.rng.randint(1, 40) * 250
        self.out_take[lot - 1] += qty
        self.add_line(event, lot, INPUT, Q_OWN, qty)

    # -- levels ------------------------------------------------------------------------
    def sizes(self) -> list[int]:
        return [max(10, round(self.p.n_lots * share)) for _name, share in LEVELS]

    def by_enterprise(self, lots: list[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for lot in lots:
            out.setdefault(self.p.lot_ent[lot - 1], []).append(lot)
        for held in out.values():
            held.sort(key=lambda x: self.p.lot_t[x - 1])
        return out

    def hours(self, lo: float, hi: float) -> int:
        return int(self.rng.uniform(lo, hi) * 3600)

    def farm_lots(self, n: int) -> list[int]:
        rng, p = self.rng, self.p
        times = sorted(rng.randrange(0, 120 * DAY) for _ in range(n))
        lots = []
        for t in times:
            farm = rng.choice(self.by_kind["farm"])
            grower = rng.choice(self.growers[farm])
            lot = self.new_lot(farm, 0, rng.choice(p.enterprises[farm - 1].products), 0, RECEIVED, grower, t)
            event = self.new_event(RECEIVE, farm, t, grower)
            self.add_line(event, lot, OUTPUT, Q_LOT_IN, lot)
            lots.append(lot)
        return lots

    def receipts(self, sources: list[int], n: int, level: int, bulk: bool) -> list[int]:
        """Ship every source once, then ``n - len(sources)`` more shipping splits."""
        rng, p = self.rng, self.p
        pairs: set[tuple[int, int]] = set()
        plan = []
        order = list(sources) + [rng.choice(sources) for _ in range(max(0, n - len(sources)))]
        for src in order:
            customers = p.enterprises[p.lot_ent[src - 1] - 1].customers
            if not customers:
                continue
            for _attempt in range(5):
                c = rng.choice(customers)
                if (src, c) not in pairs:
                    pairs.add((src, c))
                    plan.append((p.lot_t[src - 1] + self.hours(12, 120), src, c))
                    break
        plan.sort()
        out = []
        for t, src, c in plan[:n]:
            (dst,) = self.ship(p.lot_ent[src - 1], [src], c, t, level)
            if bulk and rng.random() < BULK_FRAC:
                p.lot_bulk[dst - 1] = 1
            out.append(dst)
        return out

    def batches(self, sources: list[int], n: int, level: int, bulk: bool) -> list[int]:
        """Transformations at each enterprise from a sliding window of its recent lots."""
        rng, p = self.rng, self.p
        held = self.by_enterprise(sources)
        total = len(sources)
        plan = []
        for ent, lots in held.items():
            m = max(1, round(n * len(lots) / total))
            last_bulk = []
            current = 0
            for lot in lots:
                if p.lot_bulk[lot - 1]:
                    current = lot
                last_bulk.append(current)
            for j in range(m):
                pos = min(len(lots) - 1, j * len(lots) // m)
                window = lots[max(0, pos - WINDOW + 1) : pos + 1]
                inputs = rng.sample(window, min(rng.randint(2, 5), len(window)))
                if pos >= WINDOW and rng.random() < P_FAR:
                    far = lots[pos - rng.randint(WINDOW, min(FAR_BACK, pos))]
                    if far not in inputs:
                        inputs.append(far)
                if bulk and last_bulk[pos] and last_bulk[pos] not in inputs and rng.random() < P_BULK:
                    inputs.append(last_bulk[pos])
                t = max(p.lot_t[x - 1] for x in inputs) + self.hours(2, 48)
                plan.append((t, ent, inputs))
        plan.sort(key=lambda x: x[0])
        return [self.transform(ent, inputs, level, t) for t, ent, inputs in plan]

    def to_distributors(self, sources: list[int], n: int, level: int) -> list[int]:
        """Workshops ship 2–5 lots per shipment; one in ten shipments is split over two distributors."""
        rng, p = self.rng, self.p
        ratio = n / max(1, len(sources))
        p_ship = min(1.0, ratio / 1.1)
        plan = []
        unshipped = []
        for ent, lots in self.by_enterprise(sources).items():
            customers = p.enterprises[ent - 1].customers
            i = 0
            while i < len(lots):
                chunk = lots[i : i + rng.randint(2, 5)]
                i += len(chunk)
                if not customers or rng.random() >= p_ship:
                    unshipped.extend(chunk)
                    continue
                k = 2 if rng.random() < 0.1 and len(customers) > 1 else 1
                t = max(p.lot_t[x - 1] for x in chunk) + self.hours(6, 72)
                for c in rng.sample(customers, k):
                    plan.append((t, ent, chunk, c))
        plan.sort(key=lambda x: x[0])
        out = []
        for t, ent, chunk, c in plan:
            out.extend(self.ship(ent, chunk, c, t, level))
        for lot in unshipped:
            if rng.random() < 0.3:
                self.sell(lot, 0, p.lot_t[lot - 1] + self.hours(6, 72))
        return out

    def to_retailers(self, sources: list[int], n: int, level: int) -> list[int]:
        """Distributors split lots over 1–3 retailers, one shipment each."""
        rng, p = self.rng, self.p
        p_ship = min(1.0, n / max(1, 2 * len(sources)))
        plan = []
        for src in sources:
            customers = p.enterprises[p.lot_ent[src - 1] - 1].customers
            if not customers or rng.random() >= p_ship:
                continue
            for c in rng.sample(customers, min(len(customers), rng.randint(1, 3))):
                plan.append((p.lot_t[src - 1] + self.hours(6, 72), src, c))
        plan.sort()
        out: list[int] = []
        for t, src, c in plan:
            out.extend(self.ship(p.lot_ent[src - 1], [src], c, t, level))
        for lot in sorted(set(out)):
            if rng.random() < 0.6:
                self.sell(lot, 0, p.lot_t[lot - 1] + self.hours(2, 96))
        return out

    def quantities(self) -> None:
        """Stock on hand per lot, then amounts shipped, from the last lot back to the first."""
        rng, p = self.rng, self.p
        n = p.lot_count
        p.lot_in = array("q", bytes(8 * n))
        p.lot_on_hand = array("q", bytes(8 * n))
        for i in range(n - 1, -1, -1):
            on_hand = 0 if rng.random() < 0.4 else rng.randint(1, 400) * 500
            if on_hand == 0 and self.out_take[i] == 0:
                on_hand = rng.randint(1, 40) * 500
            total = on_hand + self.out_take[i]
            p.lot_on_hand[i], p.lot_in[i] = on_hand, total
            edges = self.in_ship.get(i + 1)
            if edges:
                share = total // len(edges)
                for k, e in enumerate(edges):
                    qty = total - share * (len(edges) - 1) if k == 0 else share
                    p.ed_qty[e] = qty
                    self.out_take[p.ed_src[e] - 1] += qty
        p.ln_qty = array("q", bytes(8 * len(p.ln_event)))
        for j in range(len(p.ln_event)):
            kind, ref = p.ln_ref_kind[j], p.ln_ref[j]
            p.ln_qty[j] = p.ed_qty[ref] if kind == Q_EDGE else p.lot_in[ref - 1] if kind == Q_LOT_IN else ref

    def run(self) -> Province:
        n = self.sizes()
        self.registry()
        l0 = self.farm_lots(n[0])
        l1 = self.receipts(l0, n[1], 1, bulk=True)
        l2 = self.batches(l1, n[2], 2, bulk=True)
        l3 = self.batches(l2, n[3], 3, bulk=False)
        rng = self.rng
        packs = set(rng.sample(l3, min(n[4], len(l3))))
        l4 = self.receipts(sorted(packs, key=lambda x: self.p.lot_t[x - 1]), n[4], 4, bulk=True)
        for lot in l3:
            if lot not in packs and rng.random() < 0.3:
                ent = self.p.lot_ent[lot - 1]
                self.sell(lot, self.offline_customers[ent], self.p.lot_t[lot - 1] + self.hours(6, 72))
        l5 = self.batches(l4, n[5], 5, bulk=True)
        l6 = self.to_distributors(l5, n[6], 6)
        self.to_retailers(l6, n[7], 7)
        self.quantities()
        return self.p


def generate(n_lots: int, seed: int = 7) -> Province:
    return Generator(n_lots, seed).run()
