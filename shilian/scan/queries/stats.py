"""Scan statistics for inspectors: scans per product and per town, day by day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from shilian.catalog.models import Product
from shilian.registry.models import Jurisdiction

DAYS = 14


@dataclass
class SeriesRow:
    """Scans of one product (or town) on each of the days shown, and their total."""

    label: str
    counts: list[int]
    total: int = 0
    detail: str = ""


@dataclass
class ScanStats:
    days: list[dt.date]
    by_product: list[SeriesRow] = field(default_factory=list)
    by_town: list[SeriesRow] = field(default_factory=list)
    total: int = 0


def _series(rows: list[dict[str, Any]], key: str, days: list[dt.date]) -> dict[Any, list[int]]:
    index = {day: i for i, day in enumerate(days)}
    out: dict[Any, list[int]] = defaultdict(lambda: [0] * len(days))
    for row in rows:
        if row["day"] in index:
            out[row[key]][index[row["day"]]] += row["n"]
    return out


def scan_stats(scans: Any, *, today: dt.date | None = None, days: int = DAYS) -> ScanStats:
    """Four statements: two grouped counts over ``scans`` (a scoped queryset), then names."""
    today = today or timezone.localdate()
    shown = [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    start = timezone.make_aware(dt.datetime.combine(shown[0], dt.time.min))
    recent = scans.filter(scanned_at__gte=start).annotate(day=TruncDate("scanned_at"))
    per_product = _series(list(recent.values("product_id", "day").annotate(n=Count("id"))), "product_id", shown)
    per_town = _series(list(recent.values("jurisdiction_code", "day").annotate(n=Count("id"))), "jurisdiction_code", shown)
    products = {
        pk: (name, enterprise)
        for pk, name, enterprise in Product.objects.filter(pk__in=[k for k in per_product if k]).values_list(
            "pk", "name", "enterprise__name"
        )
    }
    towns = dict(Jurisdiction.objects.filter(pk__in=[k for k in per_town if k]).values_list("code", "name"))
    stats = ScanStats(days=shown)
    for pk, counts in per_product.items():
        name, enterprise = products.get(pk, ("—", ""))
        stats.by_product.append(SeriesRow(name, counts, sum(counts), enterprise))
    for code, counts in per_town.items():
        stats.by_town.append(SeriesRow(towns.get(code, "—"), counts, sum(counts), code))
    stats.by_product.sort(key=lambda r: (-r.total, r.label))
    stats.by_town.sort(key=lambda r: (-r.total, r.label))
    stats.total = sum(r.total for r in stats.by_product)
    return stats
