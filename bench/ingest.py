"""Event recording rate through shilian's actions, next to raw inserts of the very same rows.

The workload is a day at a processor, repeated: three receipts from an off-platform
supplier, a transformation of the three lots into one product lot, a shipment of it to a
customer workshop on the platform, and the workshop's receipt of that shipment
(6 events, 16 rows plus 6 history rows). It runs in the benchmark database, next to the
generated province, so every insert pays for indexes of realistic size.

1. actions, batched: ``transaction.atomic()`` around every 500 events;
2. the rows those actions wrote are read back and deleted, then inserted again with
   ``executemany`` (the same ids and values), one transaction per 500 events: the raw rate;
3. the same rows again, one transaction per event (a durable commit each);
4. actions, one transaction per event (each action is its own ``atomic``);
5. the batch action: ``record_batch`` with the same operations, in transactions of the same
   size as 1. (the processor's operations of each transaction in one batch, then the workshop's
   receipts of those shipments in a second); its rows are counted against the actions'.

The goal (within 10× of raw batched inserts) is checked on 5., the way bulk recording
(imports, EPCIS capture) goes through the action layer; 1. and 4. stay as references.

Everything written is deleted at the end (rows with ids above the ones seen at the start).
The timed action loops include looking up the lot objects the next action needs.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

# in insert order; chain_lotshipment (the shipment projection) when the schema has it
ALL_TABLES = (
    "chain_lot",
    "chain_traceevent",
    "chain_eventline",
    "chain_lotedge",
    "chain_lotshipment",
    "core_historyentry",
    "core_ledgerentry",  # the chain of evidence (一链存证): one entry per event, in the action's transaction
)
BATCH = 500


def tables() -> tuple[str, ...]:
    existing = set(connection.introspection.table_names())
    return tuple(t for t in ALL_TABLES if t in existing)


def max_ids(names: tuple[str, ...] | None = None) -> dict[str, int]:
    out = {}
    with connection.cursor() as cur:
        for table in names or tables():
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            out[table] = cur.fetchone()[0]
    return out


def id_tables() -> tuple[str, ...]:
    """Every model table with an integer ``id``: to notice writes the raw reference would miss."""
    from django.apps import apps  # noqa: PLC0415
    from django.db import models  # noqa: PLC0415

    existing = set(connection.introspection.table_names())
    return tuple(
        sorted(
            m._meta.db_table
            for m in apps.get_models()
            if isinstance(m._meta.pk, models.fields.AutoFieldMixin)
            and m._meta.pk.column == "id"
            and m._meta.db_table in existing
        )
    )


def delete_after(marks: dict[str, int]) -> None:
    """Delete every row above the marks, in one transaction (foreign keys are checked at commit)."""
    order = [t for t in reversed(ALL_TABLES) if t in marks] + [t for t in marks if t not in ALL_TABLES]
    with transaction.atomic(), connection.cursor() as cur:
        for table in order:
            cur.execute(f"DELETE FROM {table} WHERE id > %s", [marks[table]])


class Workload:
    def __init__(self, user: Any, tag: str) -> None:
        from shilian.catalog.models import Product  # noqa: PLC0415
        from shilian.registry.actions import add_partner  # noqa: PLC0415
        from shilian.registry.models import Enterprise, Partner  # noqa: PLC0415

        self.user = user
        self.tag = tag
        self.n = 0
        link = (
            Partner.objects.filter(
                enterprise__kind="manufacturer", linked_enterprise__kind="workshop", enterprise__products__isnull=False
            )
            .select_related("enterprise", "linked_enterprise")
            .order_by("id")
            .first()
        )
        if link is None:
            raise RuntimeError("no processor with a workshop customer in the benchmark database")
        self.processor: Enterprise = link.enterprise
        self.workshop: Enterprise = link.linked_enterprise
        self.customer: Partner = link
        self.product = Product.objects.filter(enterprise=self.processor).order_by("id").first()
        self.supplier = add_partner(self.processor, name=f"基准进货-{tag}", kind="supplier", acting_user=user)

    def cycle(self) -> int:
        """One day at the processor: six events."""
        from shilian.chain.actions import (  # noqa: PLC0415
            InputSpec,
            OutputSpec,
            ShipLine,
            receive_lot,
            record_transformation,
            ship_lots,
        )
        from shilian.chain.models import EventLine  # noqa: PLC0415

        now = timezone.now()
        inputs = []
        for _ in range(3):
            self.n += 1
            event = receive_lot(
                self.processor,
                acting_user=self.user,
                occurred_at=now,
                quantity="100",
                unit="kg",
                product_name="基准原料",
                lot_code=f"I{self.tag}{self.n}",
                supplier=self.supplier,
            )
            inputs.append(EventLine.objects.select_related("lot").get(event=event).lot)
        made = record_transformation(
            self.processor,
            inputs=[InputSpec(lot, "30", "kg") for lot in inputs],
            outputs=[OutputSpec(self.product, "80", self.product.unit)],
            occurred_at=now,
            acting_user=self.user,
        )
        out = EventLine.objects.select_related("lot").get(event=made, role="output").lot
        shipment = ship_lots(
            self.processor,
            lines=[ShipLine(out, "50", out.unit)],
            customer=self.customer,
            occurred_at=now,
            acting_user=self.user,
        )
        receive_lot(
            self.workshop, acting_user=self.user, occurred_at=now, quantity="50", unit=out.unit, shipment=shipment
        )
        return 6

    def batch(self, cycles: int) -> int:
        """``cycles`` days at the processor through ``record_batch``: the processor's
        operations in one batch, then the workshop's receipts of its shipments in another."""
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

        now = timezone.now()
        unit = self.product.unit
        ops: list[ReceiveOp | TransformOp | ShipOp] = []
        for _ in range(cycles):
            first = len(ops)
            for _ in range(3):
                self.n += 1
                ops.append(
                    ReceiveOp(now, "100", "kg", f"I{self.tag}{self.n}", product_name="基准原料", supplier=self.supplier)
                )
            ops.append(
                TransformOp(
                    now,
                    inputs=[InputSpec(BatchRef(first + k), "30", "kg") for k in range(3)],
                    outputs=[OutputSpec(self.product, "80", unit)],
                )
            )
            ops.append(ShipOp(now, lines=[ShipLine(BatchRef(first + 3), "50", unit)], customer=self.customer))
        events = record_batch(self.processor, ops, acting_user=self.user)
        receipts = [ReceiveOp(now, "50", unit, shipment=event) for event in events if event.event_type == "ship"]
        record_batch(self.workshop, receipts, acting_user=self.user)
        return 6 * cycles


def run_actions(workload: Workload, events: int, *, batched: bool) -> tuple[int, float]:
    done = 0
    t0 = time.perf_counter()
    while done < events:
        if batched:
            with transaction.atomic():
                in_batch = 0
                while in_batch < BATCH and done < events:
                    n = workload.cycle()
                    in_batch += n
                    done += n
        else:
            done += workload.cycle()
    return done, time.perf_counter() - t0


def run_batch_action(workload: Workload, events: int) -> tuple[int, float]:
    """The batch action in transactions of the size ``run_actions`` makes (whole days, ≥ BATCH events)."""
    per_tx = math.ceil(BATCH / 6)
    done = 0
    t0 = time.perf_counter()
    while done < events:
        with transaction.atomic():
            done += workload.batch(min(per_tx, math.ceil((events - done) / 6)))
    return done, time.perf_counter() - t0


def count_after(marks: dict[str, int]) -> dict[str, int]:
    out = {}
    with connection.cursor() as cur:
        for table, mark in marks.items():
            cur.execute(f"SELECT COUNT(*) FROM {table} WHERE id > %s", [mark])
            out[table] = cur.fetchone()[0]
    return out


def read_rows(before: dict[str, int]) -> dict[str, tuple[list[str], list[tuple]]]:
    out = {}
    with connection.cursor() as cur:
        for table in before:
            cur.execute(f"SELECT * FROM {table} WHERE id > %s ORDER BY id", [before[table]])
            cols = [c[0] for c in cur.description]
            out[table] = (cols, [tuple(adapt(v) for v in row) for row in cur.fetchall()])
    return out


def adapt(value: Any) -> Any:
    if isinstance(value, dict | list):
        from psycopg.types.json import Jsonb  # noqa: PLC0415 — only PostgreSQL hands back parsed JSON

        return Jsonb(value)
    return value


def group_by_event(rows: dict[str, tuple[list[str], list[tuple]]]) -> list[dict[str, list[tuple]]]:
    """The rows of each event: its lots (made by its output lines), lines, edges and history."""

    def col(table: str, name: str) -> int:
        return rows[table][0].index(name)

    events = [r[0] for r in rows["chain_traceevent"][1]]
    groups: dict[int, dict[str, list[tuple]]] = {e: {t: [] for t in rows} for e in events}
    for r in rows["chain_traceevent"][1]:
        groups[r[0]]["chain_traceevent"].append(r)
    made_by: dict[int, int] = {}
    ev, lot, role = col("chain_eventline", "event_id"), col("chain_eventline", "lot_id"), col("chain_eventline", "role")
    for r in rows["chain_eventline"][1]:
        groups[r[ev]]["chain_eventline"].append(r)
        if r[role] == "output":
            made_by.setdefault(r[lot], r[ev])
    for r in rows["chain_lot"][1]:
        groups[made_by[r[0]]]["chain_lot"].append(r)
    for table in ("chain_lotedge", "chain_lotshipment"):
        if table in rows:
            for r in rows[table][1]:
                groups[r[col(table, "event_id")]][table].append(r)
    subject = col("core_historyentry", "subject_id")
    for r in rows["core_historyentry"][1]:
        groups[int(r[subject])]["core_historyentry"].append(r)
    return [groups[e] for e in events]


def insert_raw(
    rows: dict[str, tuple[list[str], list[tuple]]], groups: list[dict[str, list[tuple]]], per_tx: int
) -> float:
    order = tuple(t for t in ALL_TABLES if t in rows)
    sql = {
        t: f"INSERT INTO {t} ({', '.join(rows[t][0])}) VALUES ({', '.join(['%s'] * len(rows[t][0]))})" for t in order
    }
    t0 = time.perf_counter()
    for i in range(0, len(groups), per_tx):
        chunk = groups[i : i + per_tx]
        with transaction.atomic(), connection.cursor() as cur:
            for table in order:
                batch = [r for g in chunk for r in g[table]]
                if batch:
                    cur.executemany(sql[table], batch)
    return time.perf_counter() - t0


def run(user: Any, events: int, single_events: int, log: Any) -> dict[str, Any]:
    tag = format(int(time.time()) % 36**5, "x")[-5:]
    watched = id_tables()
    start = max_ids(watched)
    workload = Workload(user, tag)
    before = max_ids()
    marks = max_ids(watched)  # everything written from here on is the benchmark's
    result: dict[str, Any] = {
        "batch_events": BATCH,
        "workload": "3 receipts, 1 transformation, 1 shipment, 1 receipt of it",
    }
    try:
        n, secs = run_actions(workload, events, batched=True)
        result["actions_batched"] = {"events": n, "seconds": secs, "events_per_s": n / secs}
        log(f"  actions, {BATCH} events per transaction: {n / secs:,.0f} events/s")
        grown = max_ids(watched)
        result["other_tables_written"] = [t for t in watched if grown[t] > marks[t] and t not in before]
        if result["other_tables_written"]:
            log(f"  NOTE: the actions also wrote {result['other_tables_written']}, which the raw path does not insert")
        rows = read_rows(before)
        counts = {t: len(r[1]) for t, r in rows.items()}
        result["rows_per_event"] = sum(counts.values()) / n
        result["rows"] = counts
        groups = group_by_event(rows)
        delete_after(marks)
        secs = insert_raw(rows, groups, BATCH)
        result["raw_batched"] = {
            "events": len(groups),
            "seconds": secs,
            "events_per_s": len(groups) / secs,
            "rows_per_s": sum(counts.values()) / secs,
        }
        log(f"  raw executemany, {BATCH} events per transaction: {len(groups) / secs:,.0f} events/s")
        delete_after(marks)
        few = groups[:single_events]
        secs = insert_raw(rows, few, 1)
        result["raw_single"] = {"events": len(few), "seconds": secs, "events_per_s": len(few) / secs}
        log(f"  raw, one transaction per event: {len(few) / secs:,.0f} events/s")
        delete_after(marks)
        n, secs = run_actions(workload, single_events, batched=False)
        result["actions_single"] = {"events": n, "seconds": secs, "events_per_s": n / secs}
        log(f"  actions, one transaction per event: {n / secs:,.0f} events/s")
        check = Decimal(result["raw_batched"]["events_per_s"]) / Decimal(result["actions_batched"]["events_per_s"])
        result["ratio_raw_to_actions_batched"] = float(check)
        delete_after(marks)
        n, secs = run_batch_action(workload, events)
        written = count_after(before)
        result["batch_action"] = {"events": n, "seconds": secs, "events_per_s": n / secs, "rows": written}
        log(f"  batch action (record_batch), {BATCH} events per transaction: {n / secs:,.0f} events/s")
        if written != counts:
            log(f"  NOTE: the batch action wrote {written} rows, the actions {counts}")
        check = Decimal(result["raw_batched"]["events_per_s"]) / Decimal(result["batch_action"]["events_per_s"])
        result["ratio_raw_to_batch_action"] = float(check)
    finally:
        delete_after(marks)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM core_historyentry WHERE id > %s", [start["core_historyentry"]])
            cur.execute("DELETE FROM registry_partner WHERE id = %s", [workload.supplier.pk])
    return result
