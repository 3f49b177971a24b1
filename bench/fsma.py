"""FSMA 204 sortable spreadsheet: export time for 100,000 rows, next to openpyxl writing the
very same rows bare, in the same run.

    .venv/bin/python bench/fsma.py --quick          # smoke run: 10,000 rows, ~1 min with the build
    .venv/bin/python bench/fsma.py                  # 100,000 rows, 3 repeats (~10 min with the build)

Data: a throwaway SQLite database in ``bench/out/fsma/`` (reused when it already holds the
rows; ``--rebuild`` forces a new one), recorded with ``record_batch`` the way an import or
EPCIS capture records: a workshop's year of cycles, each 4 receipts from off-platform suppliers
(with invoice numbers), 1 transformation of two of them into a product lot (2 input rows and 1
output row), and 3 shipments of that lot to customers (two of them enterprises on the platform,
with delivery notes) — 10 sheet rows per cycle.

Timed, each the median of ``--reps`` runs (after one warm-up), wall and CPU:

- ``rows``: ``fsma_rows`` alone (the lines query in chunks, places, lot code sources,
  documents, the row tuples);
- ``xlsx``: the export as the page serves it: ``fsma_rows`` into ``export.write_xlsx``
  (openpyxl write-only, bold frozen header, auto-filter, the explanation sheet);
- ``bare``: openpyxl write-only appending the same rows, already in memory, with nothing
  else (no query, no header styling): the reference;
- ``csv``: ``fsma_rows`` into ``export.csv_chunks``;
- ``page``: ``GET /w/fsma/?date_from=…&format=xlsx`` through Django's test client (full
  middleware stack, the operator's session), the response read to the end.

Results go to bench/out/fsma.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
WORK = OUT / "fsma"
ROWS_PER_CYCLE = 10
CYCLES_PER_BATCH = 500
GOAL_SECONDS = 60.0  # "in seconds": a 100,000-row sheet inside a minute on this machine


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, help="sheet rows (default 100,000; quick 10,000)")
    ap.add_argument("--reps", type=int, help="timed runs of each measurement (default 3; quick 1)")
    ap.add_argument("--quick", action="store_true", help="10,000 rows, one run each (the smoke run)")
    ap.add_argument("--rebuild", action="store_true", help="record the data again even if the database has it")
    ap.add_argument("--skip-page", action="store_true", help="leave out the request through the test client")
    args = ap.parse_args(argv)
    args.rows = args.rows or (10_000 if args.quick else 100_000)
    args.reps = args.reps or (1 if args.quick else 3)
    return args


def log(message: str) -> None:
    print(f"[fsma] {message}", file=sys.stderr, flush=True)


def setup(rows: int, rebuild: bool) -> Path:
    (WORK / "static").mkdir(parents=True, exist_ok=True)  # whitenoise wants STATIC_ROOT to exist
    path = WORK / f"fsma-{rows}.sqlite3"
    if rebuild and path.exists():
        path.unlink()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "shilian.config.settings.base",
            "SHILIAN_DATA_DIR": str(WORK),
            "DATABASE_URL": f"sqlite:///{path}",
            "SHILIAN_SECRET_KEY": os.environ.get("SHILIAN_SECRET_KEY", "bench-only-not-secret"),
            "SHILIAN_DEBUG": "0",
            "SHILIAN_LOG_LEVEL": "ERROR",
        }
    )
    import django  # noqa: PLC0415 — settings come from the environment set above

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    return path


def timed(fn: Callable[[], Any], reps: int) -> dict[str, Any]:
    """Median wall and CPU seconds of ``reps`` runs, after one warm-up run."""
    fn()
    walls, cpus = [], []
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "walls": walls}


def build(rows: int) -> dict[str, Any]:
    """Record ``rows`` sheet rows (a whole number of cycles) at one workshop, unless there."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from shilian.chain.actions import (  # noqa: PLC0415
        BatchRef,
        InputSpec,
        OutputSpec,
        ReceiveOp,
        ShipLine,
        ShipOp,
        TransformOp,
        record_batch,
    )
    from shilian.chain.models import EventLine  # noqa: PLC0415
    from shilian.core.testing import factories as f  # noqa: PLC0415
    from shilian.registry.models import Enterprise  # noqa: PLC0415

    existing = EventLine.objects.count()
    cycles = rows // ROWS_PER_CYCLE
    if existing == cycles * ROWS_PER_CYCLE and Enterprise.objects.filter(name="石塘年糕作坊").exists():
        log(f"reusing {existing:,} rows")
        return {"build_seconds": None, "reused": True}
    if existing:
        raise SystemExit(f"{WORK} holds another data set ({existing} lines): run with --rebuild")
    started = time.perf_counter()
    workshop = f.make_enterprise(name="石塘年糕作坊")
    operator = f.make_operator(workshop, username="fsma-operator")
    shops = [f.make_enterprise(jurisdiction="330106001", kind="retailer", name=f"西湖副食店{i}") for i in range(2)]
    customers = [f.make_partner(workshop, linked=shop) for shop in shops] + [
        f.make_partner(workshop, name="石塘农家乐")
    ]
    suppliers = [f.make_partner(workshop, name=f"温岭粮油批发{i}") for i in range(4)]
    product = f.make_product(workshop, name="年糕", specification="500克", gtin="06901234567892", shelf_life_days=30)
    start = dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC)
    step = dt.timedelta(days=365) / cycles
    ops: list[Any] = []
    done = 0
    for n in range(cycles):
        at = start + step * n
        base = len(ops)
        for k, name in enumerate(("大米", "糯米", "食盐", "白糖")):
            ops.append(
                ReceiveOp(
                    occurred_at=at, quantity="100", unit="kg", lot_code=f"R{n}-{k}", product_name=name,
                    supplier=suppliers[k], reference_no=f"FP{n:06d}{k}",
                )
            )  # fmt: skip
        ops.append(
            TransformOp(
                occurred_at=at + dt.timedelta(hours=2),
                inputs=[InputSpec(BatchRef(base), "40", "kg"), InputSpec(BatchRef(base + 1), "20", "kg")],
                outputs=[OutputSpec(product, "60", "kg", lot_code=f"NG{n:06d}")],
            )
        )
        for k, customer in enumerate(customers):
            ops.append(
                ShipOp(
                    occurred_at=at + dt.timedelta(hours=4),
                    lines=[ShipLine(BatchRef(base + 4), "10", "kg")],
                    customer=customer,
                    reference_no=f"SD{n:06d}{k}",
                )
            )
        if len(ops) >= CYCLES_PER_BATCH * 8 or n == cycles - 1:
            record_batch(workshop, ops, acting_user=operator)
            done += len(ops)
            ops = []
            log(f"recorded {EventLine.objects.count():,} rows")
    assert get_user_model().objects.filter(username="fsma-operator").exists()
    return {"build_seconds": time.perf_counter() - started, "reused": False, "events": done}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup(args.rows, args.rebuild)
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from openpyxl import Workbook  # noqa: PLC0415

    from shilian.core.access import Perm  # noqa: PLC0415
    from shilian.core.xlsx_export import spooled  # noqa: PLC0415
    from shilian.interop.fsma import FsmaQuery, fsma_lines, fsma_rows  # noqa: PLC0415
    from shilian.interop.fsma.export import csv_chunks, write_xlsx  # noqa: PLC0415
    from shilian.registry.models import Enterprise  # noqa: PLC0415

    built = build(args.rows)
    user = get_user_model().objects.get(username="fsma-operator")
    workshop = Enterprise.objects.get(name="石塘年糕作坊")
    query = FsmaQuery(date_from=dt.date(2023, 12, 31), date_to=dt.date(2025, 1, 1), enterprise_id=workshop.pk)
    count = fsma_lines(user, query, Perm.OPERATE).count()
    if count != args.rows // ROWS_PER_CYCLE * ROWS_PER_CYCLE:
        log(f"expected {args.rows:,} rows, the query finds {count:,}")
        return 1
    log(f"{count:,} rows; timing {args.reps} run(s) of each")

    sizes: dict[str, int] = {}

    def rows_only() -> None:
        sizes["rows"] = sum(1 for _ in fsma_rows(user, query, Perm.OPERATE))

    def xlsx() -> None:
        body = spooled()
        sizes["xlsx_rows"] = write_xlsx(fsma_rows(user, query, Perm.OPERATE), body, query=query, scope=workshop.name)
        sizes["xlsx_bytes"] = body.tell()
        body.close()

    materialized = list(fsma_rows(user, query, Perm.OPERATE))

    def bare() -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("FSMA 204")
        for row in materialized:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        sizes["bare_bytes"] = out.tell()

    def csv() -> None:
        sizes["csv_bytes"] = sum(len(chunk) for chunk in csv_chunks(fsma_rows(user, query, Perm.OPERATE)))

    client = Client()
    client.force_login(user)
    url = f"/w/fsma/?date_from={query.date_from}&date_to={query.date_to}&format=xlsx"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        sizes["page_bytes"] = sum(len(chunk) for chunk in response.streaming_content)

    results: dict[str, Any] = {}
    for name, fn in (("rows", rows_only), ("xlsx", xlsx), ("bare", bare), ("csv", csv)):
        results[name] = timed(fn, args.reps)
        log(f"{name}: {results[name]['wall']:.2f} s")
    if not args.skip_page:
        results["page"] = timed(page, args.reps)
        log(f"page: {results['page']['wall']:.2f} s")
    if sizes["xlsx_rows"] != count or sizes["rows"] != count:
        log(f"row counts differ: {sizes}")
        return 1

    def line(name: str, note: str) -> str:
        r = results[name]
        return f"{name:<6} {r['wall']:7.2f} s wall {r['cpu']:7.2f} s CPU  {count / r['wall']:>9,.0f} rows/s  {note}"

    ratio = results["xlsx"]["wall"] / results["bare"]["wall"]
    print(f"FSMA 204 sheet, {count:,} rows ({platform.python_implementation()} {platform.python_version()}, SQLite)")
    if built["build_seconds"]:
        print(
            f"built with record_batch in {built['build_seconds']:.1f} s ({count / built['build_seconds']:,.0f} rows/s)"
        )
    print(line("rows", "query + places + row tuples"))
    print(line("xlsx", f"the export; {ratio:.2f}× bare openpyxl; {sizes['xlsx_bytes'] / 1e6:.1f} MB"))
    print(line("bare", f"openpyxl write-only, rows in memory; {sizes['bare_bytes'] / 1e6:.1f} MB"))
    print(line("csv", f"{sizes['csv_bytes'] / 1e6:.1f} MB"))
    if "page" in results:
        print(line("page", "GET …&format=xlsx through the test client"))
    goal = "met" if results["xlsx"]["wall"] * 100_000 / count <= GOAL_SECONDS else "NOT met"
    print(f"goal: 100,000 rows in ≤ {GOAL_SECONDS:.0f} s as XLSX — {goal} (scaled to 100,000 rows)")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "fsma.json").write_text(
        json.dumps(
            {
                "rows": count,
                "reps": args.reps,
                "build": built,
                "results": results,
                "sizes": sizes,
                "xlsx_vs_bare": ratio,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
