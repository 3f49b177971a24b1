"""Where the time of a recall impact, a trace and an event goes, on a database bench/trace.py loaded.

    .venv/bin/python bench/breakdown.py --lots 1000000                      # SQLite
    .venv/bin/python bench/breakdown.py --lots 1000000 --db postgres --pg-start

1. The recall impact statement taken apart (walk, + holders, + customers) beside the bare CTE,
   on the largest recall of the last trace.py run (or ``--lot``).
2. A forward trace in phases: the statement, parsing its rows, building the report, the API
   (on the median lot of the "~1,000 lots" tier, or ``--trace-lot``).
3. On PostgreSQL, the floor of the trace's answer: the same walk and reads without JSON, the
   same answer from objects written beforehand, sending as many bytes.
4. The statements one cycle of the ingest workload issues (6 events), rolled back.
Each figure is the median of 9 runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.trace import OUT, child_env, pg_server, pg_stop  # noqa: E402

WALK = "WITH RECURSIVE reach(id) AS (SELECT id FROM chain_lot WHERE id IN (%s) UNION {step}) "
BARE = (
    "WITH RECURSIVE d(id) AS (SELECT CAST(%s AS BIGINT) UNION SELECT e.dst FROM bench_edge e JOIN d ON e.src = d.id) "
)
HOLDERS = (
    "SELECT 'h', l.enterprise_id, NULL, NULL, l.unit, COUNT(*), SUM(l.quantity_on_hand), NULL "
    "FROM chain_lot l JOIN reach r ON r.id = l.id GROUP BY l.enterprise_id, l.unit "
)
CUSTOMERS = (
    "SELECT 's', s.enterprise_id, s.partner_id, s.counterparty_id, s.unit, COUNT(*), SUM(s.quantity), SUM(s.received) "
    "FROM chain_lotshipment s JOIN reach r ON s.lot_id = r.id GROUP BY s.enterprise_id, s.partner_id, s.counterparty_id, s.unit"
)
STEP = "SELECT e.dst_id FROM chain_lotedge e JOIN reach r ON e.src_id = r.id"
# the walk of queries/impact_doc.py: the arrows carry each lot's holder, unit and stock (ADR 0008)
ARROW_WALK = (
    "WITH RECURSIVE reach(id, enterprise_id, unit, q) AS (SELECT id, enterprise_id, unit, quantity_on_hand "
    "FROM chain_lot WHERE id IN (%s) UNION SELECT e.dst_id, e.dst_enterprise, e.dst_unit, e.dst_on_hand "
    "FROM chain_lotedge e JOIN reach r ON e.src_id = r.id) "
)


def median_ms(call: Callable[[], Any], n: int = 9) -> float:
    call()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def sql_ms(sql: str, lot: int) -> tuple[float, int]:
    from django.db import connection  # noqa: PLC0415

    rows: list[Any] = []

    def run() -> None:
        nonlocal rows
        with connection.cursor() as cur:
            cur.execute(sql, [lot])
            rows = cur.fetchall()

    return median_ms(run), len(rows)


def impact_parts(methods: Any, lot: int) -> None:
    walk = WALK.format(step=STEP)
    print(f"\nRecall impact of lot {lot} ({methods.bare_trace(lot, 'forward'):,} lots reached)")
    for name, sql in (
        ("bare walk over bench_edge", BARE + "SELECT id FROM d"),
        ("bare impact (bench_edge + bench_lot, grouped)", BARE + "SELECT l.enterprise_id, COUNT(*), SUM(l.qty) "
         "FROM d JOIN bench_lot l ON l.id = d.id GROUP BY l.enterprise_id"),
        ("walk over chain_lotedge", walk + "SELECT id FROM reach"),
        ("walk + holders (chain_lot)", walk + HOLDERS),
        ("walk + customers (chain_lotshipment)", walk + CUSTOMERS),
        ("walk + holders + customers (as recall_impact)", walk + HOLDERS + "UNION ALL " + CUSTOMERS),
        ("arrow walk (lotedge_reach)", ARROW_WALK + "SELECT id FROM reach"),
        ("arrow walk + holders (GROUP BY over the walk)", ARROW_WALK + "SELECT enterprise_id, unit, COUNT(*), "
         "SUM(q) FROM reach GROUP BY enterprise_id, unit"),
        ("arrow walk + holders + customers (as impact_doc)", ARROW_WALK + "SELECT 'h', enterprise_id, NULL, NULL, "
         "unit, COUNT(*), SUM(q), NULL FROM reach GROUP BY enterprise_id, unit UNION ALL " + CUSTOMERS),
    ):  # fmt: skip
        ms, n = sql_ms(sql, lot)
        print(f"  {ms:8.2f} ms  {n:6,} rows  {name}")
    print(f"  {median_ms(lambda: methods.fn_impact(lot)):8.2f} ms          recall_impact()")
    from shilian.chain.queries.impact_doc import impact_document  # noqa: PLC0415

    print(f"  {median_ms(lambda: impact_document(lot)):8.2f} ms          impact_document() (the API's statement)")
    print(f"  {median_ms(lambda: methods.api_impact(lot)):8.2f} ms          GET /recalls/impact")


def trace_phases(methods: Any, lot: int) -> None:
    from django.db import connection  # noqa: PLC0415

    from shilian.chain.access import access_lot  # noqa: PLC0415
    from shilian.chain.queries import trace as trace_module  # noqa: PLC0415
    from shilian.chain.queries.report import build_trace_report  # noqa: PLC0415

    forward = trace_module.Direction.FORWARD
    user = methods.user
    root = access_lot(user, lot)
    report = build_trace_report(user, root, forward)
    edges = sum(len(v) for v in report.children.values())
    print(
        f"\nForward trace of lot {lot}: {len(report.lots):,} lots, {edges:,} edges, "
        f"{len(report.shipments):,} shipments, {len(report.enterprises):,} enterprises"
    )
    print(f"  {median_ms(lambda: methods.bare_trace(lot, 'forward')):8.2f} ms  bare walk over bench_edge")
    make_sql = getattr(trace_module, "_trace_sql", None)
    if make_sql is not None:  # the one-statement trace of commit f13b034
        sql = make_sql(connection.vendor, forward, 1, with_edges=True)

        def statement() -> None:
            with connection.cursor() as cur:
                cur.execute(sql, [lot])
                cur.fetchall()

        print(f"  {median_ms(statement):8.2f} ms  the trace statement (execute and fetch)")
    print(f"  {median_ms(lambda: trace_module.trace([lot], forward)):8.2f} ms  trace(): statement + rows parsed")
    print(f"  {median_ms(lambda: build_trace_report(user, root, forward)):8.2f} ms  build_trace_report()")
    print(f"  {median_ms(lambda: build_trace_report(user, root, forward).as_dict()):8.2f} ms  + as_dict()")
    size = len(methods.api_trace(lot, "forward").content)
    print(f"  {median_ms(lambda: methods.api_trace(lot, 'forward')):8.2f} ms  GET /trace ({size:,} bytes)")
    print(f"  {median_ms(lambda: methods.api_trace(lot, 'backward')):8.2f} ms  GET /trace backward (the request floor)")


def answer_floor(methods: Any, lot: int) -> None:
    """What the API's trace statement costs beside the same walk and reads without writing JSON,
    the same answer from objects written beforehand, and sending that many bytes: the floor of
    an answer of this content (PostgreSQL, where the < 10 ms goal is missed; ADR 0012)."""
    from django.conf import settings  # noqa: PLC0415
    from django.db import connection, transaction  # noqa: PLC0415

    from shilian.chain.queries import trace_doc  # noqa: PLC0415
    from shilian.chain.queries.trace import Direction  # noqa: PLC0415

    if connection.vendor != "postgresql":
        print("\nThe answer's floor: measured on PostgreSQL only")
        return
    api = trace_doc._statement(connection.vendor, Direction.FORWARD, str(settings.TIME_ZONE))
    walk = api[: api.index("rl AS MATERIALIZED")]  # WITH RECURSIVE walk …, reach … ,
    arrays = {}  # the API's arrays a0 … a4 and the cards, by alias
    select = api.index(" SELECT a0.j")
    rest = api[api.index(" FROM ", select) + len(" FROM ") :]
    for alias in ("a0", "a1", "a2", "a3", "a4"):
        end = rest.index(f") {alias}, ") + 1
        arrays[alias], rest = rest[:end], rest[end + len(f" {alias}, ") :]
    arrays["c"] = rest[: -len(" c")]
    reads = (
        walk + api[api.index("rl AS MATERIALIZED") : select]
        + " SELECT (SELECT COUNT(*) FROM rl), (SELECT COUNT(*) FROM re), (SELECT COUNT(*) FROM rh), (SELECT COUNT(*) FROM rs)"
    )  # fmt: skip
    narrower = api[: api.index(" FROM ", select) + len(" FROM ")] + ", ".join(
        [*(f"{arrays[a]} {a}" for a in ("a0", "a1", "a2")), "(SELECT '[]' AS j, 0 AS n) a3", f"{arrays['a4']} a4",
         f"{arrays['c']} c"]
    )  # fmt: skip
    lot_fields = [f for f in trace_doc._LOT if f[0] != "gtin"]  # the GTIN is the product's: joined when read
    made = (
        walk
        + "rl AS MATERIALIZED (SELECT t.id, t.enterprise_id, t.unit, t.quantity_on_hand, t.doc, p.gtin FROM reach r "
        "CROSS JOIN floor_lot t LEFT JOIN catalog_product p ON p.id = t.product_id WHERE t.id = r.id), "
        "rh AS MATERIALIZED (SELECT enterprise_id, unit, SUM(quantity_on_hand) AS q FROM rl WHERE quantity_on_hand > 0 "
        "GROUP BY enterprise_id, unit), re AS MATERIALIZED (SELECT a, b FROM walk WHERE a IS NOT NULL), "
        "rs AS MATERIALIZED (SELECT s.counterparty_id, s.doc FROM reach r CROSS JOIN floor_ship s "
        "WHERE s.lot_id = r.id AND r.shipped) "
        "SELECT a0.j, a1.j, a2.j, a3.j, c.j FROM "
        "(SELECT '[' || COALESCE(string_agg('{\"gtin\":' || COALESCE(to_json(gtin)::text, 'null') || ',' || "
        "substr(doc, 2), ','), '') || ']' AS j FROM rl) a0, "
        f"{arrays['a1']} a1, {arrays['a2']} a2, "
        "(SELECT '[' || COALESCE(string_agg(doc, ','), '') || ']' AS j FROM rs) a3, "
        f"{arrays['c']} c"
    )

    class Rollback(Exception):
        pass

    size = len(methods.api_trace(lot, "forward").content)
    try:
        with transaction.atomic():  # the objects written beforehand, in tables dropped by the rollback
            floor_tables(lot_fields)
            measure_floor(lot, size, api, reads, made, narrower)
            raise Rollback
    except Rollback:
        pass


def floor_tables(lot_fields: list[tuple[str, str, str]]) -> None:
    """Every lot and shipment written as the API writes it, in plain tables (unlogged: in shared
    buffers like the real ones; temporary tables would be read through 8 MB of local buffers)."""
    from django.db import connection  # noqa: PLC0415

    from shilian.chain.queries import trace_doc  # noqa: PLC0415

    with connection.cursor() as cur:
        cur.execute(
            "CREATE UNLOGGED TABLE floor_lot AS SELECT id, enterprise_id, unit, quantity_on_hand, "
            f"product_id, {trace_doc._obj('postgresql', *lot_fields)} AS doc FROM chain_lot",
            [],  # parameters given: the doubled %% of the objects become single
        )
        cur.execute("ALTER TABLE floor_lot ADD PRIMARY KEY (id)")
        cur.execute(
            "CREATE UNLOGGED TABLE floor_ship AS SELECT s.lot_id, s.counterparty_id, "
            f"{trace_doc._obj('postgresql', *trace_doc._SHIPMENT)} AS doc FROM (SELECT s.*, pa.name AS customer "
            "FROM chain_lotshipment s LEFT JOIN registry_partner pa ON pa.id = s.partner_id) s",
            [],
        )
        cur.execute("CREATE INDEX ON floor_ship (lot_id)")
        cur.execute("ANALYZE floor_lot")
        cur.execute("ANALYZE floor_ship")


def measure_floor(lot: int, size: int, api: str, reads: str, made: str, narrower: str) -> None:
    from shilian.core.db import bound_cursor  # noqa: PLC0415

    def timed(sql: str, params: list[Any]) -> Callable[[], Any]:
        def run() -> Any:
            with bound_cursor(prepare=True) as cur:
                cur.execute(sql, params)
                return cur.fetchone()

        return run

    same = len(timed(made, [lot])()[0]) + len(timed(made, [lot])()[3])
    full = timed(api, [lot])()
    print(f"\nThe answer's floor (lot {lot}, API answer {size:,} bytes; lots and shipments text "
          f"{len(full[0]) + len(full[6]):,} bytes, from objects written beforehand {same:,})")  # fmt: skip
    for name, call in (
        ("the API's statement (execute and fetch)", timed(api, [lot])),
        ("the same walk and reads, no JSON written", timed(reads, [lot])),
        ("the same answer from objects written beforehand", timed(made, [lot])),
        ("the API's statement without the shipments (a narrower answer)", timed(narrower, [lot])),
        (f"sending {size:,} bytes of text (SELECT repeat)", timed("SELECT repeat('x', %s)", [size])),
        ("a statement of one row", timed("SELECT 1", [])),
    ):
        print(f"  {median_ms(call, n=21):8.2f} ms  {name}")


def ingest_statements(user: Any) -> None:
    from django.db import connection, transaction  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from bench import ingest  # noqa: PLC0415

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            workload = ingest.Workload(user, "bd")
            workload.cycle()
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                workload.cycle()
                ms = (time.perf_counter() - t0) * 1000
            raise Rollback
    except Rollback:
        pass
    kinds = Counter(q["sql"].split()[0] for q in captured.captured_queries)
    print(
        f"\nOne ingest cycle (6 events, rolled back): {ms:.1f} ms, {len(captured.captured_queries)} statements "
        f"({', '.join(f'{k} {v}' for k, v in kinds.most_common())}); 4 SELECTs are the benchmark's lot look-ups"
    )


def default_lots(out: Path, db: str, lots: int) -> tuple[int | None, int | None]:
    path = out / f"trace-{db}-{lots}.json"
    if not path.exists():
        return None, None
    tiers = json.loads(path.read_text())["tiers"]
    largest = tiers.get("largest recalls (bulk)", {}).get("lot_ids") or [None]
    around = tiers.get("traces of ~1,000 lots", {}).get("lot_ids") or [None]
    return largest[0], around[len(around) // 2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lots", type=int, default=1_000_000)
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--pg-start", action="store_true")
    ap.add_argument("--pg-dir", type=Path, default=OUT / "pg")
    ap.add_argument("--pg-port", type=int, default=5433)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--lot", type=int, help="root of the recall (default: the largest of the last run)")
    ap.add_argument("--trace-lot", type=int, help="root of the trace (default: a ~1,000-lot one of the last run)")
    args = ap.parse_args()
    pg_base = pg_server(args) if args.db == "postgres" else ""
    try:
        os.environ.update(child_env(args, args.db, pg_base))
        import django  # noqa: PLC0415

        django.setup()
        from bench.measure import Methods  # noqa: PLC0415
        from bench.trace import bench_user  # noqa: PLC0415

        largest, around = default_lots(args.out, args.db, args.lots)
        lot, trace_lot = args.lot or largest, args.trace_lot or around
        if lot is None or trace_lot is None:
            print(
                f"no results for --lots {args.lots} on {args.db}: run bench/trace.py first, or give --lot and --trace-lot"
            )
            return 2
        user, token = bench_user()
        methods = Methods(user, token, "/api/v1", use_api=True)
        impact_parts(methods, lot)
        trace_phases(methods, trace_lot)
        answer_floor(methods, trace_lot)
        ingest_statements(user)
    finally:
        if pg_base and args.pg_start:
            pg_stop(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
