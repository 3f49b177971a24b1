"""Chain of evidence: how fast ``shilian ledger verify`` checks entries, next to a bare SHA-256 loop.

    .venv/bin/python bench/ledger.py                       # 100,000 events on SQLite
    .venv/bin/python bench/ledger.py --events 20000        # a quick run
    .venv/bin/python bench/ledger.py --db postgres --pg-start

A fresh database (SQLite ``bench/out/ledger-<events>.sqlite3``, or PostgreSQL database
``shilian_bench_ledger`` on the private cluster or the server of ``$DATABASE_URL``) gets
``--events`` events recorded through ``record_batch`` at ``--enterprises`` enterprises (a
processor's day repeated: three receipts, a transformation, a shipment), so every event is
sealed as in production; the day is closed into a signed root. Then, ``--reps`` times:

- ``verify``: the whole check (``shilian.ledger.verify.verify``): every entry read, its
  event's rows read and its canonical form rebuilt, both hashes recomputed, the links,
  heads, coverage and the daily root with its signature;
- ``forms``: only reading the events' rows and rebuilding their canonical forms;
- ``bare``: SHA-256 over the same bytes in a Python loop (each canonical form and each
  entry text, read beforehand): the floor of any verifier that hashes what it checks.

Prints entries per second for each and writes ``bench/out/ledger-<db>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PG_NAME = "shilian_bench_ledger"


def log(msg: str) -> None:
    print(msg, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to record (default 100,000)")
    parser.add_argument("--enterprises", type=int, default=50, help="enterprises (chains) to spread them over")
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions of each measurement")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-start", action="store_true", help="start the private PostgreSQL cluster (bench/pgcluster.py)")
    parser.add_argument("--pg-dir", type=Path, default=OUT / "pg")
    parser.add_argument("--pg-port", type=int, default=5433)
    return parser.parse_args(argv)


def database_url(args: argparse.Namespace) -> str:
    """A fresh database for this run."""
    if args.db == "sqlite":
        path = (OUT / f"ledger-{args.events}.sqlite3").resolve()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if args.pg_start:
        from bench import pgcluster  # noqa: PLC0415

        base = pgcluster.start(args.pg_dir, args.pg_port)
    else:
        base = os.environ.get("DATABASE_URL", "")
        if not base.startswith("postgres"):
            raise SystemExit("--db postgres needs --pg-start or DATABASE_URL=postgresql://…")
    import psycopg  # noqa: PLC0415

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
        conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    return urlunsplit(urlsplit(base)._replace(path=f"/{PG_NAME}"))


def record(events: int, enterprises: int) -> tuple[int, float]:
    """Record about ``events`` events through ``record_batch`` (sealed as in production)."""
    from django.db import transaction  # noqa: PLC0415

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
    from shilian.core.testing import factories as f  # noqa: PLC0415

    makers = []
    for _ in range(enterprises):
        maker = f.make_enterprise(kind="manufacturer")
        makers.append((maker, f.make_product(maker), f.make_partner(maker), f.make_partner(maker)))
    cycles = max(1, events // (5 * enterprises))
    per_batch = 100  # cycles (500 events) per transaction
    when = dt.datetime.now(dt.UTC)
    written, seconds = 0, 0.0
    for start in range(0, cycles, per_batch):
        for n, (maker, product, supplier, customer) in enumerate(makers):
            ops: list[Any] = []
            for c in range(start, min(cycles, start + per_batch)):
                base = len(ops)
                ops += [ReceiveOp(when, "10", "kg", f"M{n}C{c}R{k}", product_name="糯米", supplier=supplier) for k in range(3)]
                ops.append(
                    TransformOp(
                        when,
                        inputs=[InputSpec(BatchRef(base + k), "3", "kg") for k in range(3)],
                        outputs=[OutputSpec(product, "9", "kg")],
                    )
                )
                ops.append(ShipOp(when, lines=[ShipLine(BatchRef(base + 3), "5", "kg")], customer=customer))
            t = time.perf_counter()
            with transaction.atomic():
                written += len(record_batch(maker, ops, acting_user=None))
            seconds += time.perf_counter() - t
        log(f"  recorded {written:,} events")
    return written, seconds


def timed(fn: Any, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "static").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = database_url(args)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shilian.config.settings.base"
    os.environ.setdefault("SHILIAN_SECRET_KEY", "bench-only-not-secret")
    os.environ["SHILIAN_DATA_DIR"] = str(OUT)
    os.environ.pop("SHILIAN_LEDGER_KEY", None)
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from shilian.chain.canonical import stored_forms  # noqa: PLC0415
    from shilian.core.ledger import entry_preimage  # noqa: PLC0415
    from shilian.core.models import LedgerEntry  # noqa: PLC0415
    from shilian.ledger import actions  # noqa: PLC0415
    from shilian.ledger.verify import verify  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)
    log(f"recording {args.events:,} events at {args.enterprises} enterprises ({args.db})")
    written, record_seconds = record(args.events, args.enterprises)
    log(f"recorded {written:,} events in {record_seconds:.1f} s ({written / record_seconds:,.0f} events/s, sealing included)")
    today = timezone.localdate()
    actions.today = lambda: today + dt.timedelta(days=1)  # close today as if it were over
    root = actions.close_day(today)
    log(f"closed {today}: root over {root.size} chain heads, {root.entries:,} entries")

    report = verify()
    if not report.ok:
        log(f"verification failed: {report.problems[0]}")
        return 1
    entries = report.entries
    verify_s = timed(verify, args.reps)
    ids = list(LedgerEntry.objects.values_list("subject_id", flat=True))
    forms_s = timed(lambda: [stored_forms(ids[i : i + 2000]) for i in range(0, len(ids), 2000)], args.reps)
    forms = stored_forms(ids)
    blobs = []
    for row in LedgerEntry.objects.values_list(
        "enterprise_id", "seq", "kind", "subject_id", "digest", "prev_hash", "recorded_at"
    ).iterator(chunk_size=5000):
        blobs.append((forms[row[3]][1], entry_preimage(*row).encode()))

    def bare() -> None:
        sha = hashlib.sha256
        for canonical, preimage in blobs:
            sha(canonical).hexdigest()
            sha(preimage).hexdigest()

    bare_s = timed(bare, args.reps)
    canonical_bytes = sum(len(c) for c, _ in blobs)
    rates = {
        name: entries / statistics.median(secs) for name, secs in (("verify", verify_s), ("forms", forms_s), ("bare", bare_s))
    }
    log("")
    log(f"Ledger verification, {entries:,} entries in {report.chains} chains, {report.roots} daily root ({args.db})")
    log(f"  canonical forms: {canonical_bytes / entries:,.0f} bytes per event on average")
    log(f"  verify (shilian ledger verify, everything):   {rates['verify']:>12,.0f} entries/s  (median of {args.reps})")
    log(f"  rows read + canonical forms rebuilt only:     {rates['forms']:>12,.0f} entries/s")
    log(f"  bare SHA-256 loop over the same bytes:        {rates['bare']:>12,.0f} entries/s")
    log(f"  verify / bare: {rates['bare'] / rates['verify']:.1f}× slower than hashing alone")
    result = {
        "db": args.db,
        "events": written,
        "enterprises": args.enterprises,
        "entries": entries,
        "record_events_per_s": written / record_seconds,
        "canonical_bytes_per_event": canonical_bytes / entries,
        "seconds": {"verify": verify_s, "forms": forms_s, "bare": bare_s},
        "entries_per_s": rates,
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "vendor": connection.vendor,
    }
    path = OUT / f"ledger-{args.db}.json"
    path.write_text(json.dumps(result, indent=1))
    log(f"wrote {path}")
    if args.db == "postgres" and args.pg_start:
        from bench import pgcluster  # noqa: PLC0415

        connection.close()
        pgcluster.stop(args.pg_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
