"""The recall impact answer of the API, written as JSON by the database in one statement.

The same grouping as ``recall.recall_impact`` (holders per enterprise and unit; what each
enterprise shipped out of reached lots, per destination and unit), with the enterprise and
customer names read by index probes in the same statement: no per-row objects, no second
and third query. ``RecallImpactOut`` is the shape; a test checks both give the same answer.
The walk carries each reached lot's holder, unit and stock from the arrows (ADR 0008).
"""

from __future__ import annotations

import functools

from django.db import connection

from shilian.chain.queries.trace_doc import _POSTGRES, _SQLITE
from shilian.core.db import bound_cursor


def _sql(vendor: str) -> str:
    d = _POSTGRES if vendor == "postgresql" else _SQLITE

    def named(column: str) -> str:
        return f"{d.obj}('id', {column}, 'name', (SELECT e.name FROM registry_enterprise e WHERE e.id = {column}))"

    holder = f"{d.obj}('enterprise', {named('enterprise_id')}, 'unit', unit, 'lots', n, 'quantity', {d.qty.format('q')})"
    customer = (
        f"{d.obj}('from_enterprise', {named('enterprise_id')}, "
        "'customer', (SELECT p.name FROM registry_partner p WHERE p.id = partner_id), "
        f"'to_enterprise', CASE WHEN counterparty_id IS NULL THEN NULL ELSE {named('counterparty_id')} END, "
        f"'retail', {d.true_if.format('partner_id IS NULL AND counterparty_id IS NULL')}, 'shipments', n, "
        f"'quantity', {d.qty.format('q')}, "
        f"'in_transit', {d.qty.format('CASE WHEN counterparty_id IS NULL THEN 0 ELSE q - r END')}, 'unit', unit)"
    )
    holders_order = "enterprise_id, unit"
    # The walk carries each lot's holder, unit and stock: the arrows copy them (lotedge_reach,
    # ADR 0008), so the holders are a GROUP BY over the walk, with no read of a lot row.
    # They also say whether the lot has shipments out: only those lots are looked up in the
    # shipments (ADR 0011); the root is looked up whatever it is.
    walk = (
        "WITH RECURSIVE reach(id, enterprise_id, unit, q, shipped) AS ("
        "SELECT id, enterprise_id, unit, quantity_on_hand, TRUE FROM chain_lot WHERE id = %s "
        "UNION SELECT e.dst_id, e.dst_enterprise, e.dst_unit, e.dst_on_hand, e.dst_shipped FROM chain_lotedge e "
        "JOIN reach r ON e.src_id = r.id)"
    )
    customers_order = "enterprise_id, COALESCE(counterparty_id, 0), COALESCE(partner_id, 0), unit"
    return (
        f"{walk}, "
        "h AS MATERIALIZED (SELECT enterprise_id, unit, COUNT(*) AS n, SUM(q) AS q FROM reach GROUP BY enterprise_id, unit), "
        # a lot's shipments are its enterprise's, in its unit (the actions check both): the walk
        # gives them, and the probe reads the narrow lotshipment_impact
        "c AS MATERIALIZED (SELECT r.enterprise_id, s.partner_id, s.counterparty_id, r.unit, COUNT(*) AS n, "
        "SUM(s.quantity) AS q, SUM(s.received) AS r FROM reach r CROSS JOIN chain_lotshipment s "
        "WHERE s.lot_id = r.id AND r.shipped GROUP BY r.enterprise_id, s.partner_id, s.counterparty_id, r.unit) "
        "SELECT (SELECT COALESCE(SUM(n), 0) FROM h), "
        f"(SELECT {d.text.format(d.agg.format(holder, order=f'ORDER BY {holders_order}'))} "
        f"FROM (SELECT * FROM h ORDER BY {holders_order}) o), "
        f"(SELECT {d.text.format(d.agg.format(customer, order=f'ORDER BY {customers_order}'))} "
        f"FROM (SELECT * FROM c ORDER BY {customers_order}) o)"
    )


@functools.lru_cache(maxsize=4)
def _statement(vendor: str) -> str:
    return _sql(vendor)


def impact_document(root_id: int) -> str:
    """``GET /api/v1/recalls/impact`` as a JSON text, for a lot the caller may already supervise."""
    with bound_cursor(prepare=True) as cursor:
        cursor.execute(_statement(connection.vendor), [root_id])
        lot_count, holders, customers = cursor.fetchone()
    return f'{{"lot":{int(root_id)},"lot_count":{int(lot_count)},"holders":{holders},"customers":{customers}}}'
