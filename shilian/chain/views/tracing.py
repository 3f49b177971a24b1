"""The trace page: counts, a tree of lots grouped by enterprise, holders, shipments, suppliers.

An enterprise outside the inspector's jurisdiction appears by name and jurisdiction
only (the report leaves its other data out) and is not linked.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from shilian.chain.access import find_lot
from shilian.chain.choices import LotStatus
from shilian.chain.forms.lots import RecallForm, TraceForm
from shilian.chain.queries.report import TraceReport, build_trace_report
from shilian.chain.queries.trace import Direction
from shilian.core.access import Perm
from shilian.core.errors import NotFoundError
from shilian.core.htmx import render_page
from shilian.registry.workspace import inspector_page

TREE_LIMIT = 500


def tree_rows(report: TraceReport, limit: int = TREE_LIMIT) -> tuple[list[dict[str, Any]], int]:
    """The tree depth first, children grouped by enterprise; a lot reached twice is shown once.

    Each row names its enterprise when it differs from its parent's (the trace crossed
    to another enterprise). Returns the rows and how many lots were left out past ``limit``.
    """
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    stack: list[tuple[int, int, int | None]] = [(report.root_id, 0, None)]
    while stack and len(rows) < limit:
        lot_id, depth, parent_enterprise = stack.pop()
        lot = report.lots[lot_id]
        repeat = lot_id in seen
        seen.add(lot_id)
        rows.append(
            {
                "lot": lot,
                "depth": min(depth, 12),
                "enterprise": report.enterprises[lot.enterprise_id],
                "crossed": lot.enterprise_id != parent_enterprise,
                "repeat": repeat,
            }
        )
        if repeat:
            continue
        children = sorted(
            (report.lots[c] for c in report.children.get(lot_id, []) if c in report.lots),
            key=lambda c: (report.enterprises[c.enterprise_id].name, c.product_name, c.code, c.id),
        )
        stack.extend((c.id, depth + 1, lot.enterprise_id) for c in reversed(children))
    return rows, len(report.lots) - len(seen)


def report_tables(report: TraceReport) -> dict[str, Any]:
    cards, lots = report.enterprises, report.lots
    held_lots: dict[int, int] = {}
    for lot in lots.values():
        held_lots[lot.enterprise_id] = held_lots.get(lot.enterprise_id, 0) + 1
    return {
        "enterprises": sorted(
            ({"card": card, "lots": held_lots.get(card.id, 0)} for card in cards.values()),
            key=lambda row: (not row["card"].in_scope, row["card"].name),
        ),
        "holders": [{**row, "card": cards[row["enterprise"]]} for row in report.holders],
        "shipments": [
            {
                **row,
                "from_card": cards[row["from_enterprise"]],
                "lot_card": lots.get(row["lot"]),
                "to_card": cards.get(row["to_enterprise"]) if row["to_enterprise"] else None,
            }
            for row in sorted(report.shipments, key=lambda s: (s["occurred_at"], s["event"]))
        ],
        "suppliers": [
            {**row, "card": cards[row["enterprise"]], "lot_card": lots[row["lot"]]} for row in report.suppliers
        ],
    }


@inspector_page
def trace_page(request: HttpRequest) -> HttpResponse:
    form = TraceForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if form.is_valid():
        direction: Direction = form.cleaned_data["direction"]
        try:
            lot = find_lot(request.user, form.cleaned_data["lot"], Perm.SUPERVISE)
        except ValueError as exc:
            form.add_error("lot", str(exc))
        except NotFoundError:
            form.add_error("lot", _("No such lot in your jurisdiction."))
            status = 404
        else:
            report = build_trace_report(request.user, lot, direction)
            rows, left_out = tree_rows(report)
            context.update(
                lot=lot,
                direction=direction.value,
                counts=report.counts,
                rows=rows,
                left_out=left_out,
                **report_tables(report),
            )
            if lot.status == LotStatus.ACTIVE:
                context["recall_form"] = RecallForm(initial={"lot": lot.pk})
    return render_page(request, "chain/trace.html", context, partial="report", status=status)
