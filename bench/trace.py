"""shilian trace / recall / ingest benchmark on a synthetic province (see bench/README.md).

    .venv/bin/python bench/trace.py --lots 20000 --quick            # smoke run, SQLite, < 1 min
    .venv/bin/python bench/trace.py --db both --pg-start            # 1,000,000 lots, SQLite and PostgreSQL

Each database runs in its own child process (Django settings are per process):
the parent starts and stops the private PostgreSQL cluster, the child loads the
province (unless a database with the same --lots and --seed is already there), measures,
prints its table and writes bench/out/trace-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lots", type=int, default=1_000_000, help="size of the province (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    ap.add_argument("--pg-start", action="store_true", help="run a private PostgreSQL 15 cluster for the run")
    ap.add_argument("--pg-dir", type=Path, default=OUT / "pg", help="its data directory (default bench/out/pg)")
    ap.add_argument("--pg-port", type=int, default=5433)
    ap.add_argument("--reload", action="store_true", help="regenerate and reload even if the database is there")
    ap.add_argument(
        "--sqlite-analyze",
        action="store_true",
        help="give SQLite planner statistics (ANALYZE); by default it has none, as Django leaves it",
    )
    ap.add_argument("--quick", action="store_true", help="fewer samples and events (the smoke run)")
    ap.add_argument("--per-level", type=int, help="random lots per level (default 20, quick 5)")
    ap.add_argument("--reps", type=int, help="timed runs per lot and method (default 5, quick 3)")
    ap.add_argument("--largest", type=int, default=5, help="bulk-ingredient recalls in the 'largest' tier")
    ap.add_argument("--candidates", type=int, help="bulk / early lots probed to pick tiers (default 300, quick 60)")
    ap.add_argument("--ingest-events", type=int, help="events through the actions, batched (default 20,000)")
    ap.add_argument("--single-events", type=int, help="events one per transaction (default 5,000)")
    ap.add_argument("--no-ingest", action="store_true")
    ap.add_argument(
        "--api",
        choices=("auto", "on", "off"),
        default="auto",
        help="time the HTTP API too: auto = when /api/v1/trace and /recalls/impact resolve",
    )
    ap.add_argument("--api-prefix", default="/api/v1")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    quick = args.quick
    args.per_level = args.per_level or (5 if quick else 20)
    args.reps = args.reps or (3 if quick else 5)
    args.candidates = args.candidates or (60 if quick else 300)
    args.ingest_events = args.ingest_events or (3000 if quick else 20000)
    args.single_events = args.single_events or (600 if quick else 5000)
    return args


def log(msg: str) -> None:
    print(msg, flush=True)


# -- parent ----------------------------------------------------------------------------------
def pg_database_url(base: str, lots: int) -> str:
    from urllib.parse import urlsplit, urlunsplit  # noqa: PLC0415

    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/shilian_bench_{lots}"))


def child_env(args: argparse.Namespace, db: str, pg_base: str) -> dict[str, str]:
    """The environment of a process that works on one benchmark database."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "shilian.config.settings.base"
    env.setdefault("SHILIAN_SECRET_KEY", "bench-only-not-secret")
    env["SHILIAN_DATA_DIR"] = str(args.out)
    env.pop("SHILIAN_DEBUG", None)
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{(args.out / f'trace-{args.lots}.sqlite3').resolve()}"
    else:
        env["DATABASE_URL"] = pg_database_url(pg_base, args.lots)
        env["BENCH_PG_MAINTENANCE_URL"] = pg_base
    return env


def pg_server(args: argparse.Namespace) -> str:
    """The PostgreSQL server to use: the private cluster (started here) or $DATABASE_URL's."""
    if args.pg_start:
        from bench import pgcluster  # noqa: PLC0415

        log(f"starting PostgreSQL in {args.pg_dir} on 127.0.0.1:{args.pg_port}")
        return pgcluster.start(args.pg_dir, args.pg_port)
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit(
            "--db postgres needs --pg-start or DATABASE_URL=postgresql://… (a bench database is created on it)"
        )
    return base


def pg_stop(args: argparse.Namespace) -> None:
    from bench import pgcluster  # noqa: PLC0415

    pgcluster.stop(args.pg_dir)
    log("PostgreSQL stopped")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    (args.out / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT under SHILIAN_DATA_DIR
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    pg_base = ""
    code = 0
    t0 = time.time()
    try:
        if "postgres" in dbs:
            pg_base = pg_server(args)
        for db in dbs:
            script = str(Path(__file__).resolve())
            cmd = [sys.executable, script, *(argv if argv is not None else sys.argv[1:]), "--child", db]
            rc = subprocess.run(cmd, env=child_env(args, db, pg_base), check=False).returncode
            code = code or rc
    finally:
        if pg_base and args.pg_start:
            pg_stop(args)
    log(f"\nwall time {time.time() - t0:.0f} s; results in {args.out}/trace-<db>.json")
    return code


# -- child -----------------------------------------------------------------------------------
def prepare_database(args: argparse.Namespace) -> tuple[dict[str, str], dict[str, float] | None]:
    """Reuse the loaded database when its meta matches, else create it, migrate and load."""
    from bench import load  # noqa: PLC0415

    url = os.environ["DATABASE_URL"]
    want = {
        "version": load.META_VERSION,
        "schema": load.schema_fingerprint(),
        "lots": str(args.lots),
        "seed": str(args.seed),
    }
    if args.child == "sqlite":
        path = url.removeprefix("sqlite:///")
        meta = load.sqlite_meta(path) if Path(path).exists() else {}
    else:
        meta = load.postgres_meta(url)
    if not args.reload and all(meta.get(k) == v for k, v in want.items()):
        log(f"reusing the database loaded at {meta.get('loaded_at')} ({url.split('@')[-1]})")
        import django  # noqa: PLC0415
        from django.core.management import call_command  # noqa: PLC0415
        from django.db import connection  # noqa: PLC0415

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)  # apps the loader doesn't fill
        connection.close()
        if args.child == "sqlite":
            load.sqlite_statistics(path, analyze=args.sqlite_analyze)
        return meta, None
    if args.child == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    else:
        import psycopg  # noqa: PLC0415

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(os.environ["BENCH_PG_MAINTENANCE_URL"], autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    from bench.province import generate  # noqa: PLC0415

    django.setup()
    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    connection.close()
    log(f"migrated in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    province = generate(args.lots, args.seed)
    log(
        f"generated {province.lot_count:,} lots, {len(province.ed_src):,} edges, {len(province.ev_type):,} events, "
        f"{len(province.ln_event):,} lines in {time.perf_counter() - t:.1f} s"
    )
    if args.child == "sqlite":
        timings = load.load_sqlite(path, province, log)
        load.sqlite_statistics(path, analyze=args.sqlite_analyze)
        meta = load.sqlite_meta(path)
    else:
        timings = load.load_postgres(url, province, log)
        meta = load.postgres_meta(url)
    log(f"loaded in {timings['total']:.1f} s")
    return meta, timings


def bench_user() -> tuple[Any, str]:
    """A superuser and a fresh API token for it (older bench tokens are removed)."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from shilian.core.auth import hash_token, new_token  # noqa: PLC0415
    from shilian.core.models import ApiToken  # noqa: PLC0415
    from shilian.registry.actions import create_user  # noqa: PLC0415

    user = get_user_model().objects.filter(username="bench-admin").first()
    if user is None:
        user = create_user("bench-admin", password=new_token(), acting_user=None, is_superuser=True)
    token = new_token()
    ApiToken.objects.filter(user=user, name="bench").delete()
    ApiToken.objects.create(user=user, name="bench", key_hash=hash_token(token), prefix=token[:8])
    return user, token


def api_available(methods: Any, prefix: str, lot: int) -> tuple[bool, str]:
    from django.urls import Resolver404, resolve  # noqa: PLC0415

    from bench.measure import ApiError  # noqa: PLC0415

    for path in ("/trace", "/recalls/impact"):
        try:
            resolve(prefix.rstrip("/") + path)
        except Resolver404:
            return False, f"{prefix}{path} does not resolve"
    try:
        methods.api_impact(lot)
        methods.api_trace(lot, "forward")
    except ApiError as exc:
        return False, str(exc)
    return True, ""


def code_version() -> str:
    """The commit measured, with ``+dirty`` when tracked files differ from it (read-only git)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def child(args: argparse.Namespace) -> int:
    meta, load_timings = prepare_database(args)
    import django  # noqa: PLC0415

    django.setup()
    import random  # noqa: PLC0415

    from django.db import connection  # noqa: PLC0415

    from bench import ingest, measure, report  # noqa: PLC0415
    from bench.province import LEVELS  # noqa: PLC0415

    user, token = bench_user()
    methods = measure.Methods(user, token, args.api_prefix, use_api=False)
    first = measure.fetch_ids("SELECT id FROM bench_lot WHERE level = 0 ORDER BY id LIMIT 1")[0]
    if args.api == "off":
        ok, why = False, "--api off"
    else:
        ok, why = api_available(methods, args.api_prefix, first)
        if args.api == "on" and not ok:
            log(f"API not available: {why}")
            return 2
    methods.use_api = ok
    note = (
        f"GET {args.api_prefix}/recalls/impact and {args.api_prefix}/trace through django.test.Client "
        "(WSGI handler in-process, full middleware, bearer token of a superuser)"
        if ok
        else f"not measured ({why}); shilian's query functions timed directly"
    )
    log(f"API: {note}")
    vendor = connection.vendor
    with connection.cursor() as cur:
        cur.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        version = cur.fetchone()[0]
    t = time.perf_counter()
    tiers = measure.choose_tiers([name for name, _ in LEVELS], args.per_level, args.largest, args.candidates, args.seed)
    log(f"chose {sum(len(x.lots) for x in tiers)} lots in {len(tiers)} tiers in {time.perf_counter() - t:.1f} s")
    problems: list[str] = []
    for tier in tiers:
        problems += measure.verify(methods, tier)
    rng = random.Random(args.seed)
    for tier in tiers:
        t = time.perf_counter()
        measure.run_tier(methods, tier, args.reps, rng)
        log(f"  {tier.name}: {time.perf_counter() - t:.1f} s")
    result: dict[str, Any] = {
        "db": vendor,
        "db_version": version,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "code": code_version(),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_avg": os.getloadavg(),
        },
        "graph": {k: int(v) if v.isdigit() else v for k, v in meta.items()},
        "load_seconds": load_timings,
        "planner_statistics": "ANALYZE" if vendor == "postgresql" or args.sqlite_analyze else "none",
        "per_level": args.per_level,
        "reps": args.reps,
        "api": {"used": ok, "note": note},
        "tiers": {tier.name: tier.summary() for tier in tiers},
        "problems": problems,
    }
    if not args.no_ingest:
        log("ingest:")
        result["ingest"] = ingest.run(user, args.ingest_events, args.single_events, log)
    result["machine"]["load_avg_end"] = os.getloadavg()
    result["goals"] = report.goals(result)
    name = "postgres" if vendor == "postgresql" else vendor
    path = args.out / f"trace-{name}.json"
    path.write_text(json.dumps(result, indent=1, default=str))
    (args.out / f"trace-{name}-{args.lots}.json").write_text(path.read_text())
    log(report.render(result))
    log(f"\nwrote {path}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
