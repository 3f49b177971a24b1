"""Plain-text tables of one database's results, each figure beside its reference."""

from __future__ import annotations

import math
from typing import Any

IMPACT_GOAL = 1.5  # API recall impact within 1.5× of the bare CTE
TRACE_GOAL_MS = 10.0  # a trace reaching ~1,000 lots, API median
INGEST_GOAL = 10.0  # the batch action (record_batch) within 10× of raw batched inserts
RESEARCH = {
    "sqlite": "research: bare CTE 42 ms for a 10.9k-lot recall (3.8 µs/lot), SQLite batched inserts 56–73k rows/s",
    "postgresql": "research: bare CTE 75 ms for a 10.9k-lot recall (7.1 µs/lot), PG executemany 26–32k rows/s, COPY 71–82k",
}
LARGEST = "largest recalls (bulk)"
AROUND_1K = "traces of ~1,000 lots"


def fmt(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.{digits}f}" if x < 100 else f"{x:,.0f}"


def section(title: str, tiers: dict[str, Any], what: str, reach_key: str) -> list[str]:
    lines = [
        title,
        f"{'tier':<27}{'lots':>7} {'bare med':>9}{'p99':>8} |{'fn med':>9}{'p99':>8} |{'api med':>9}{'p99':>8} |{'api/bare':>9}",
    ]
    for name, t in tiers.items():
        ms = t["ms"]
        bare, fn, api = ms.get(f"bare.{what}", {}), ms.get(f"fn.{what}", {}), ms.get(f"api.{what}", {})
        ratio = t.get(f"ratio.api.{what}") or t.get(f"ratio.fn.{what}")
        mark = "" if f"ratio.api.{what}" in t else " (fn)"
        lines.append(
            f"{name:<27}{fmt(t[reach_key], 0):>7} {fmt(bare.get('median')):>9}{fmt(bare.get('p99')):>8} |"
            f"{fmt(fn.get('median')):>9}{fmt(fn.get('p99')):>8} |{fmt(api.get('median')):>9}{fmt(api.get('p99')):>8} |"
            f"{fmt(ratio) + '×' + mark if ratio else '–':>9}"
        )
    return lines


def goals(result: dict[str, Any]) -> dict[str, Any]:
    tiers = result["tiers"]
    via = "api" if result["api"]["used"] else "fn"
    out: dict[str, Any] = {"via": via}
    big = tiers.get(LARGEST)
    if big:
        ratio = big.get(f"ratio.{via}.impact")
        out["impact"] = {
            "ratio": ratio,
            "lots": big["reach_forward_max"],
            "bare_ms": big["ms"]["bare.impact"]["median"],
            f"{via}_ms": big["ms"][f"{via}.impact"]["median"],
            "met": bool(ratio is not None and ratio <= IMPACT_GOAL),
        }
        if "bare.customers" in big["ms"]:
            out["impact"]["customers_ms"] = big["ms"]["bare.customers"]["median"]
            out["impact"]["ratio_vs_customers"] = big.get(f"ratio.{via}.impact_vs_customers")
    near = tiers.get(AROUND_1K)
    if near:
        ms = near["ms"][f"{via}.trace.forward"]["median"]
        out["trace_1k"] = {"ms": ms, "lots": near["reach_forward_median"], "met": ms < TRACE_GOAL_MS}
    ingest = result.get("ingest")
    if ingest and "ratio_raw_to_batch_action" in ingest:
        ratio = ingest["ratio_raw_to_batch_action"]
        out["ingest"] = {"ratio": ratio, "met": ratio <= INGEST_GOAL, "measured": "batch action"}
    elif ingest and "ratio_raw_to_actions_batched" in ingest:  # a result from before the batch action
        ratio = ingest["ratio_raw_to_actions_batched"]
        out["ingest"] = {"ratio": ratio, "met": ratio <= INGEST_GOAL, "measured": "actions"}
    return out


def render(result: dict[str, Any]) -> str:
    g = result["graph"]
    api = result["api"]
    lines = [
        "",
        f"== {result['db']} {result['db_version']}: {g['lot_rows']:,} lots, {g['edge_rows']:,} edges, "
        f"{g['event_rows']:,} events, {g['line_rows']:,} event lines (--lots {g['lots']:,}, seed {g['seed']}) ==",
        f"code {result.get('code', '?')}, {result['date']}; API: {api['note']}",
        f"planner statistics: {result.get('planner_statistics', '?')}",
        f"samples: {result['per_level']} lots per level, {result['reps']} runs each; ms; p99 is nearest-rank "
        "(with under 100 samples, the maximum)",
        "",
    ]
    tiers = result["tiers"]
    lines += section(
        "Recall impact (every lot downstream, holders, quantities)", tiers, "impact", "reach_forward_median"
    )
    lines.append("")
    lines += section("Forward trace (report of every lot downstream)", tiers, "trace.forward", "reach_forward_median")
    lines.append("")
    lines += section("Backward trace (report of every lot upstream)", tiers, "trace.backward", "reach_backward_median")
    lines.append("")
    lines.append(RESEARCH.get(result["db"], ""))
    gl = result["goals"]
    via = gl["via"]
    lines.append("Goals" + ("" if via == "api" else " (measured on the functions: the API was not available)"))
    if "impact" in gl:
        i = gl["impact"]
        lines.append(
            f"  recall impact ≤ {IMPACT_GOAL}× bare CTE (largest recall, {i['lots']:,} lots): "
            f"{fmt(i[f'{via}_ms'])} vs {fmt(i['bare_ms'])} ms = {fmt(i['ratio'])}× — {'met' if i['met'] else 'MISSED'}"
        )
        if i.get("ratio_vs_customers"):
            lines.append(
                f"    (the same answer bare, customers included — bench_ship: {fmt(i['customers_ms'])} ms; "
                f"{via} / that = {fmt(i['ratio_vs_customers'])}×)"
            )
    if "trace_1k" in gl:
        t = gl["trace_1k"]
        lines.append(
            f"  trace reaching ~1,000 lots (median {t['lots']:,.0f}) < {TRACE_GOAL_MS:.0f} ms median: "
            f"{fmt(t['ms'])} ms — {'met' if t['met'] else 'MISSED'}"
        )
    ingest = result.get("ingest")
    if ingest and "actions_batched" in ingest:
        lines += [
            "",
            f"Ingest ({ingest['workload']}; {ingest['rows_per_event']:.1f} rows per event)",
            f"  actions, {ingest['batch_events']} events per transaction: {ingest['actions_batched']['events_per_s']:>10,.0f} events/s",
            f"  raw executemany of the same rows, same batches:  {ingest['raw_batched']['events_per_s']:>10,.0f} events/s"
            f"  ({ingest['raw_batched']['rows_per_s']:,.0f} rows/s)",
            f"  actions, one transaction per event:            {ingest['actions_single']['events_per_s']:>10,.0f} events/s",
            f"  raw, one transaction per event:                {ingest['raw_single']['events_per_s']:>10,.0f} events/s",
        ]
        if "batch_action" in ingest:
            lines.append(
                f"  batch action (record_batch), same batches:      {ingest['batch_action']['events_per_s']:>10,.0f} events/s"
            )
        if "ingest" in gl:
            r = gl["ingest"]
            what = "the batch action" if r.get("measured") == "batch action" else "actions"
            lines.append(
                f"  goal: {what} within {INGEST_GOAL:.0f}× of raw batched: {fmt(r['ratio'])}× — "
                f"{'met' if r['met'] else 'MISSED'}"
                + (
                    f" (one action per event, batched: {fmt(ingest['ratio_raw_to_actions_batched'])}×)"
                    if what != "actions" and "ratio_raw_to_actions_batched" in ingest
                    else ""
                )
            )
    if result.get("problems"):
        lines += ["", "CHECK FAILED: answers differ from the bare CTE:", *("  " + p for p in result["problems"][:20])]
    return "\n".join(lines)
