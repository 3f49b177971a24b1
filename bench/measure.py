"""Trace and recall-impact latency: shilian end to end next to a bare recursive CTE.

Three ways to answer the same question, timed on the same lots in the same run,
interleaved lot by lot so that machine noise hits all of them alike:

- ``bare``: one recursive CTE over the plain ``bench_edge`` table (``UNION``, both
  directions covered by an index), joined to ``bench_lot`` and grouped by enterprise for
  the recall impact. The floor any implementation on this database pays. The issue's
  goal is set against it.
- ``bare.customers``: the same, plus what shilian's recall impact also answers: the
  shipments out of the reached lots (``bench_ship``, keyed by lot) grouped by shipper and
  customer, with quantity and quantity received. The same answer, bare: for information.
- ``fn``: shilian's query functions called directly (``recall_impact``,
  ``access_lot`` + ``build_trace_report`` + ``as_dict``).
- ``api``: ``GET /api/v1/recalls/impact`` and ``GET /api/v1/trace`` through Django's
  WSGI handler in-process (``django.test.Client``), bearer token of a superuser, full
  middleware stack, response serialised to JSON.

Every method's answer is checked against the bare CTE on each lot before timing.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

ROOT = "CAST(%s AS BIGINT)"
_STEP = {
    "forward": "SELECT e.dst FROM bench_edge e JOIN d ON e.src = d.id",
    "backward": "SELECT e.src FROM bench_edge e JOIN d ON e.dst = d.id",
}
BARE_TRACE = {d: f"WITH RECURSIVE d(id) AS (SELECT {ROOT} UNION {step}) SELECT id FROM d" for d, step in _STEP.items()}
BARE_IMPACT = (
    f"WITH RECURSIVE d(id) AS (SELECT {ROOT} UNION {_STEP['forward']}) "
    "SELECT l.enterprise_id, COUNT(*), SUM(l.qty) FROM d JOIN bench_lot l ON l.id = d.id GROUP BY l.enterprise_id"
)
BARE_IMPACT_CUSTOMERS = (
    f"WITH RECURSIVE d(id) AS (SELECT {ROOT} UNION {_STEP['forward']}), "
    "h AS MATERIALIZED (SELECT l.enterprise_id, COUNT(*) AS n, SUM(l.qty) AS q FROM d JOIN bench_lot l ON l.id = d.id "
    "GROUP BY l.enterprise_id), "
    "c AS MATERIALIZED (SELECT s.enterprise_id, s.customer, COUNT(*) AS n, SUM(s.qty) AS q, SUM(s.received) AS r "
    "FROM d JOIN bench_ship s ON s.lot = d.id GROUP BY s.enterprise_id, s.customer) "
    "SELECT 0, enterprise_id, 0, n, q, 0 FROM h UNION ALL SELECT 1, enterprise_id, customer, n, q, r FROM c"
)
MILLI = Decimal("0.001")
METHODS = (
    "bare.impact",
    "bare.customers",
    "fn.impact",
    "api.impact",
    "bare.trace.forward",
    "fn.trace.forward",
    "api.trace.forward",
    "bare.trace.backward",
    "fn.trace.backward",
    "api.trace.backward",
)


def as_qty(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(MILLI)


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else math.nan


def p99(xs: list[float]) -> float:
    """Nearest rank: with fewer than 100 samples this is the maximum."""
    if not xs:
        return math.nan
    s = sorted(xs)
    return s[max(0, math.ceil(0.99 * len(s)) - 1)]


@dataclass
class Tier:
    name: str
    lots: list[int]
    reach_forward: list[int] = field(default_factory=list)
    reach_backward: list[int] = field(default_factory=list)
    times: dict[str, list[float]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "lots_sampled": len(self.lots),
            "lot_ids": self.lots,
            "reach_forward_median": median(self.reach_forward),
            "reach_forward_max": max(self.reach_forward, default=0),
            "reach_backward_median": median(self.reach_backward),
            "reach_backward_max": max(self.reach_backward, default=0),
            "ms": {},
        }
        for method, xs in self.times.items():
            out["ms"][method] = {"median": median(xs), "p99": p99(xs), "n": len(xs)}
        customers = out["ms"].get("bare.customers", {}).get("median")
        for via in ("fn", "api"):
            got = out["ms"].get(f"{via}.impact", {}).get("median")
            if customers and got:
                out[f"ratio.{via}.impact_vs_customers"] = got / customers
        for what in ("impact", "trace.forward", "trace.backward"):
            bare = out["ms"].get(f"bare.{what}", {}).get("median")
            for via in ("fn", "api"):
                got = out["ms"].get(f"{via}.{what}", {}).get("median")
                if bare and got:
                    out[f"ratio.{via}.{what}"] = got / bare
        return out


class Methods:
    """The three ways of asking, bound to one user, one token and one connection."""

    def __init__(self, user: Any, token: str, prefix: str, use_api: bool) -> None:
        from django.test import Client  # noqa: PLC0415

        self.user = user
        self.prefix = prefix.rstrip("/")
        self.use_api = use_api
        self.client = Client(headers={"Authorization": f"Bearer {token}"})

    # bare CTE ----------------------------------------------------------------------------
    def bare_trace(self, lot: int, direction: str) -> int:
        with connection.cursor() as cur:
            cur.execute(BARE_TRACE[direction], [lot])
            return len(cur.fetchall())

    def bare_customers(self, lot: int) -> tuple[int, Decimal, int, Decimal]:
        """Lots and quantity on hand (as ``bare_impact``), shipments and quantity shipped."""
        with connection.cursor() as cur:
            cur.execute(BARE_IMPACT_CUSTOMERS, [lot])
            rows = cur.fetchall()
        held = [r for r in rows if r[0] == 0]
        shipped = [r for r in rows if r[0] == 1]
        return (
            sum(r[3] for r in held),
            sum((as_qty(r[4]) for r in held), Decimal(0)),
            sum(r[3] for r in shipped),
            sum((as_qty(r[4]) for r in shipped), Decimal(0)),
        )

    def bare_impact(self, lot: int) -> tuple[int, Decimal]:
        with connection.cursor() as cur:
            cur.execute(BARE_IMPACT, [lot])
            rows = cur.fetchall()
        return sum(r[1] for r in rows), sum((as_qty(r[2]) for r in rows), Decimal(0))

    # shilian's functions -------------------------------------------------------------------
    def fn_trace(self, lot: int, direction: str) -> int:
        from shilian.chain.access import access_lot  # noqa: PLC0415
        from shilian.chain.queries.report import build_trace_report  # noqa: PLC0415
        from shilian.chain.queries.trace import Direction  # noqa: PLC0415

        report = build_trace_report(self.user, access_lot(self.user, lot), Direction(direction))
        return len(report.as_dict()["lots"])

    def fn_impact(self, lot: int) -> tuple[int, Decimal]:
        from shilian.chain.queries.recall import recall_impact  # noqa: PLC0415

        impact = recall_impact([lot])
        return impact.lot_count, sum((as_qty(h.quantity_on_hand) for h in impact.holders), Decimal(0))

    # the API -----------------------------------------------------------------------------
    def get(self, path: str) -> Any:
        response = self.client.get(self.prefix + path)
        if response.status_code != 200:
            raise ApiError(f"GET {self.prefix}{path} → {response.status_code}: {response.content[:300]!r}")
        return response

    def api_trace(self, lot: int, direction: str) -> Any:
        return self.get(f"/trace?lot={lot}&direction={direction}")

    def api_impact(self, lot: int) -> Any:
        return self.get(f"/recalls/impact?lot={lot}")

    def api_trace_count(self, lot: int, direction: str) -> int:
        data = self.api_trace(lot, direction).json()
        return int(data["counts"]["lots"]) if "counts" in data else len(data["lots"])

    def api_impact_totals(self, lot: int) -> tuple[int, Decimal]:
        data = self.api_impact(lot).json()
        return int(data["lot_count"]), sum((as_qty(h["quantity"]) for h in data["holders"]), Decimal(0))

    def api_customer_totals(self, lot: int) -> tuple[int, Decimal]:
        data = self.api_impact(lot).json()
        return sum(int(c["shipments"]) for c in data["customers"]), sum((as_qty(c["quantity"]) for c in data["customers"]), Decimal(0))

    # timing ------------------------------------------------------------------------------
    def timed(self) -> dict[str, Callable[[int], Any]]:
        calls: dict[str, Callable[[int], Any]] = {
            "bare.impact": self.bare_impact,
            "bare.customers": self.bare_customers,
            "fn.impact": self.fn_impact,
            "bare.trace.forward": lambda x: self.bare_trace(x, "forward"),
            "fn.trace.forward": lambda x: self.fn_trace(x, "forward"),
            "bare.trace.backward": lambda x: self.bare_trace(x, "backward"),
            "fn.trace.backward": lambda x: self.fn_trace(x, "backward"),
        }
        if self.use_api:
            calls["api.impact"] = self.api_impact
            calls["api.trace.forward"] = lambda x: self.api_trace(x, "forward")
            calls["api.trace.backward"] = lambda x: self.api_trace(x, "backward")
        return {m: calls[m] for m in METHODS if m in calls}


class ApiError(RuntimeError):
    pass


def verify(methods: Methods, tier: Tier) -> list[str]:
    """Check every method against the bare CTE on every lot (also warms the caches)."""
    problems = []
    for lot in tier.lots:
        fwd, bwd = methods.bare_trace(lot, "forward"), methods.bare_trace(lot, "backward")
        tier.reach_forward.append(fwd)
        tier.reach_backward.append(bwd)
        bare = methods.bare_impact(lot)
        got: dict[str, Any] = {
            "fn.impact": methods.fn_impact(lot),
            "fn.trace.forward": methods.fn_trace(lot, "forward"),
            "fn.trace.backward": methods.fn_trace(lot, "backward"),
        }
        if methods.use_api:
            got["api.impact"] = methods.api_impact_totals(lot)
            got["api.trace.forward"] = methods.api_trace_count(lot, "forward")
            got["api.trace.backward"] = methods.api_trace_count(lot, "backward")
        want = {"impact": bare, "trace.forward": fwd, "trace.backward": bwd}
        full = methods.bare_customers(lot)
        if full[:2] != bare:
            problems.append(f"{tier.name} lot {lot} bare.customers: {full[:2]} ≠ bare {bare}")
        if methods.use_api and methods.api_customer_totals(lot) != full[2:]:
            problems.append(f"{tier.name} lot {lot} api customers: {methods.api_customer_totals(lot)} ≠ bare {full[2:]}")
        for method, value in got.items():
            expected = want[method.split(".", 1)[1]]
            if value != expected:
                problems.append(f"{tier.name} lot {lot} {method}: {value} ≠ bare {expected}")
    return problems


def run_tier(methods: Methods, tier: Tier, reps: int, rng: random.Random) -> None:
    calls = methods.timed()
    tier.times = {m: [] for m in calls}
    for _rep in range(reps):
        order = list(tier.lots)
        rng.shuffle(order)
        for lot in order:
            for method, call in calls.items():
                t0 = time.perf_counter()
                call(lot)
                tier.times[method].append((time.perf_counter() - t0) * 1000)


# -- choosing the lots -----------------------------------------------------------------------
def fetch_ids(sql: str, params: list[Any] | None = None) -> list[int]:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return [row[0] for row in cur.fetchall()]


def choose_tiers(level_names: list[str], per_level: int, largest: int, candidates: int, seed: int) -> list[Tier]:
    """``per_level`` random lots of each level, the largest recalls, and traces reaching ~1,000 lots."""
    rng = random.Random(seed)
    tiers = []
    for level, name in enumerate(level_names):
        ids = fetch_ids("SELECT id FROM bench_lot WHERE level = %s ORDER BY id", [level])
        tiers.append(Tier(name, sorted(rng.sample(ids, min(per_level, len(ids))))))
    bulk = fetch_ids("SELECT id FROM bench_lot WHERE bulk = 1 ORDER BY id")
    probe = rng.sample(bulk, min(candidates, len(bulk)))
    counted = sorted(((count_forward(x), x) for x in probe), reverse=True)
    top = [x for _n, x in counted[:largest]]
    if top:
        farms = fetch_ids(
            f"WITH RECURSIVE d(id) AS (SELECT {ROOT} UNION {_STEP['backward']}) "
            "SELECT d.id FROM d JOIN bench_lot l ON l.id = d.id WHERE l.level = 0 ORDER BY d.id",
            [top[0]],
        )
        top = [*top[: max(1, largest - 1)], *farms[:1]]
    tiers.append(Tier("largest recalls (bulk)", sorted(set(top))))
    early = fetch_ids("SELECT id FROM bench_lot WHERE level <= 1 ORDER BY id")
    pool = rng.sample(early, min(candidates, len(early)))
    sized = sorted(pool, key=lambda x: abs(math.log(max(1, count_forward(x)) / 1000)))
    tiers.append(Tier("traces of ~1,000 lots", sorted(sized[:per_level])))
    return tiers


def count_forward(lot: int) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM ({BARE_TRACE['forward']}) t", [lot])
        return cur.fetchone()[0]
