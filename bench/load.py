"""Bulk-load a generated province into shilian's schema and into the plain reference tables.

The rows (``bench.rows``) are inserted with ``executemany`` on SQLite and ``COPY`` on
PostgreSQL inside transactions. Secondary indexes of the big tables are dropped first and
rebuilt afterwards, exactly as the migrations defined them. PostgreSQL then gets
``VACUUM ANALYZE`` (autovacuum would do the same soon after a real load); SQLite gets
planner statistics only when asked (see ``sqlite_statistics``).

The reference for the bare recursive CTE lives in the same database:
``bench_edge(src, dst)`` with its primary key and an index on ``(dst, src)``, and
``bench_lot(id, enterprise_id, qty, level, bulk)``, and for the recall impact's customers
``bench_ship(lot, event, enterprise_id, customer, qty, received)`` keyed by lot (the customer
is the receiving enterprise's id, minus the partner's id off the platform, 0 at retail).
History rows (``core_historyentry``) are not written for the generated events: nothing
that is measured reads them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench.province import Province
from bench.rows import COLUMNS, PRODUCERS

BULK_TABLES = ("chain_lot", "chain_traceevent", "chain_eventline", "chain_lotedge", "chain_lotshipment")
# written only when the schema has them (the projection tables appear as shilian grows)
OPTIONAL_TABLES = frozenset({"chain_lotshipment"})
META_VERSION = "3"  # 3: bench_ship

SQLITE_REFERENCE = [
    "CREATE TABLE bench_edge (src INTEGER NOT NULL, dst INTEGER NOT NULL, PRIMARY KEY (src, dst)) WITHOUT ROWID",
    "CREATE TABLE bench_lot (id INTEGER PRIMARY KEY, enterprise_id INTEGER NOT NULL, qty decimal NOT NULL, "
    "level INTEGER NOT NULL, bulk INTEGER NOT NULL)",
    "CREATE TABLE bench_ship (lot INTEGER NOT NULL, event INTEGER NOT NULL, enterprise_id INTEGER NOT NULL, "
    "customer INTEGER NOT NULL, qty decimal NOT NULL, received decimal NOT NULL, PRIMARY KEY (lot, event)) WITHOUT ROWID",
    "CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
]
SQLITE_REFERENCE_INDEXES = ["CREATE INDEX bench_edge_dst ON bench_edge (dst, src)"]
PG_REFERENCE = [
    "CREATE TABLE bench_edge (src bigint NOT NULL, dst bigint NOT NULL, PRIMARY KEY (src, dst))",
    "CREATE TABLE bench_lot (id bigint PRIMARY KEY, enterprise_id bigint NOT NULL, qty numeric(14, 3) NOT NULL, "
    "level smallint NOT NULL, bulk smallint NOT NULL)",
    "CREATE TABLE bench_ship (lot bigint NOT NULL, event bigint NOT NULL, enterprise_id bigint NOT NULL, "
    "customer bigint NOT NULL, qty numeric(14, 3) NOT NULL, received numeric(14, 3) NOT NULL, "
    "PRIMARY KEY (lot, event) INCLUDE (enterprise_id, customer, qty, received))",
    "CREATE TABLE bench_meta (key text PRIMARY KEY, value text NOT NULL)",
]
PG_REFERENCE_INDEXES = ["CREATE INDEX bench_edge_dst ON bench_edge (dst, src)"]


# The apps whose tables the loader fills and the benchmark reads; apps above the chain (codes,
# scan, …) are migrated with the rest but their migrations don't force a reload.
LOADED_APPS = ("core", "registry", "catalog", "chain")


def schema_fingerprint() -> str:
    """A hash of the loaded apps' migration files: a database loaded under other migrations is reloaded."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1] / "shilian"
    for path in sorted(p for app in LOADED_APPS for p in root.glob(f"{app}/migrations/*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class SchemaChanged(RuntimeError):
    pass


def present(existing: set[str]) -> list[tuple[str, Callable[[Province], Iterable[tuple]]]]:
    """The producers whose tables exist (the reference tables are created by the loader)."""
    missing = [
        t for t, _f in PRODUCERS if t not in existing and t not in OPTIONAL_TABLES and not t.startswith("bench_")
    ]
    if missing:
        raise SchemaChanged(f"tables missing after migrate: {', '.join(missing)}")
    return [(t, f) for t, f in PRODUCERS if t in existing or t.startswith("bench_")]


def check_columns(found: dict[str, list[tuple[str, bool]]]) -> None:
    """Every NOT NULL column without a default must be written by the loader."""
    problems = []
    for table, columns in found.items():
        for name, required in columns:
            if required and name not in COLUMNS[table]:
                problems.append(f"{table}.{name}")
    if problems:
        raise SchemaChanged(
            "the schema has required columns the loader does not write: "
            + ", ".join(problems)
            + " — add them to COLUMNS and the row producers in bench/load.py"
        )


def meta_rows(p: Province) -> list[tuple[str, str]]:
    return [
        ("version", META_VERSION),
        ("schema", schema_fingerprint()),
        ("lots", str(p.n_lots)),
        ("seed", str(p.seed)),
        ("lot_rows", str(p.lot_count)),
        ("edge_rows", str(len(p.ed_src))),
        ("event_rows", str(len(p.ev_type))),
        ("line_rows", str(len(p.ln_event))),
        ("loaded_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
    ]


# -- SQLite ----------------------------------------------------------------------------------
def load_sqlite(path: str, p: Province, log: Callable[[str], None]) -> dict[str, float]:
    import sqlite3  # noqa: PLC0415

    timings: dict[str, float] = {}
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    producers = present({row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")})
    check_columns(
        {
            table: [(r[1], bool(r[3]) and r[4] is None) for r in db.execute(f"PRAGMA table_info({table})")]
            for table, _producer in producers
            if not table.startswith("bench_")
        }
    )
    marks = ",".join("?" * len(BULK_TABLES))
    indexes = db.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
        BULK_TABLES,
    ).fetchall()
    t0 = time.perf_counter()
    db.execute("BEGIN")
    for name, _sql in indexes:
        db.execute(f'DROP INDEX "{name}"')
    for sql in SQLITE_REFERENCE:
        db.execute(sql)
    for table, producer in producers:
        t = time.perf_counter()
        cols = COLUMNS[table]
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        db.executemany(sql, producer(p))
        timings[f"insert {table}"] = time.perf_counter() - t
        log(f"  {table}: {timings[f'insert {table}']:.1f} s")
    db.executemany("INSERT INTO bench_meta (key, value) VALUES (?, ?)", meta_rows(p))
    db.execute("COMMIT")
    t = time.perf_counter()
    db.execute("BEGIN")
    for _name, sql in indexes:
        db.execute(sql)
    for sql in SQLITE_REFERENCE_INDEXES:
        db.execute(sql)
    db.execute("COMMIT")
    timings["indexes"] = time.perf_counter() - t
    log(f"  indexes: {timings['indexes']:.1f} s")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    timings["total"] = time.perf_counter() - t0
    db.close()
    return timings


def sqlite_statistics(path: str, *, analyze: bool) -> None:
    """Run ``ANALYZE``, or drop its statistics: Django never runs it, so a deployed
    database has none unless someone runs ``ANALYZE`` or ``PRAGMA optimize``."""
    import sqlite3  # noqa: PLC0415

    db = sqlite3.connect(path, isolation_level=None)
    try:
        has = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() is not None
        if analyze and not has:
            db.execute("ANALYZE")
        elif not analyze and has:
            db.execute("DROP TABLE sqlite_stat1")
            db.execute("DROP TABLE IF EXISTS sqlite_stat4")
    finally:
        db.close()


def sqlite_meta(path: str) -> dict[str, str]:
    import sqlite3  # noqa: PLC0415

    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return dict(db.execute("SELECT key, value FROM bench_meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return {}


# -- PostgreSQL ------------------------------------------------------------------------------
def tsv(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        return value
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def copy_rows(cursor: Any, table: str, rows: Iterable[tuple], chunk: int = 20000) -> None:
    cols = ", ".join(COLUMNS[table])
    with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        buf: list[str] = []
        for row in rows:
            buf.append("\t".join(map(tsv, row)))
            if len(buf) >= chunk:
                copy.write("\n".join(buf) + "\n")
                buf.clear()
        if buf:
            copy.write("\n".join(buf) + "\n")


def load_postgres(dsn: str, p: Province, log: Callable[[str], None]) -> dict[str, float]:
    import psycopg  # noqa: PLC0415

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        cur = conn.cursor()
        cur.execute("SET TIME ZONE 'UTC'")
        cur.execute("SET maintenance_work_mem = '1GB'")
        try:
            cur.execute("SET session_replication_role = replica")  # no FK triggers during the load
        except psycopg.Error:
            conn.rollback()
            cur.execute("SET TIME ZONE 'UTC'")
            log("  (not a superuser: foreign keys are checked row by row during the load)")
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        producers = present({row[0] for row in cur.fetchall()})
        found: dict[str, list[tuple[str, bool]]] = {}
        for table, _producer in producers:
            if not table.startswith("bench_"):
                cur.execute(
                    "SELECT column_name, is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO' "
                    "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s",
                    [table],
                )
                found[table] = cur.fetchall()
        check_columns(found)
        cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
            [list(BULK_TABLES)],
        )
        indexes = cur.fetchall()
        for name, _sql in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        for sql in PG_REFERENCE:
            cur.execute(sql)
        for table, producer in producers:
            t = time.perf_counter()
            copy_rows(cur, table, producer(p))
            timings[f"copy {table}"] = time.perf_counter() - t
            log(f"  {table}: {timings[f'copy {table}']:.1f} s")
        cur.executemany("INSERT INTO bench_meta (key, value) VALUES (%s, %s)", meta_rows(p))
        conn.commit()
        t = time.perf_counter()
        for _name, sql in indexes:
            cur.execute(sql)
        for sql in PG_REFERENCE_INDEXES:
            cur.execute(sql)
        for table in ("registry_enterprise", "registry_partner", "catalog_product", *BULK_TABLES):
            if table not in dict(producers):
                continue
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        timings["indexes"] = time.perf_counter() - t
        log(f"  indexes: {timings['indexes']:.1f} s")
    t = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    return timings


def postgres_meta(dsn: str) -> dict[str, str]:
    import psycopg  # noqa: PLC0415

    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            return dict(conn.execute("SELECT key, value FROM bench_meta").fetchall())
    except psycopg.Error:
        return {}
