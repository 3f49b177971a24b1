"""Loading the demo (one transaction) and wiping the data it replaces."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from shilian.chain.models import Document, Lot, Recall, TraceEvent
from shilian.demo.accounts import Account, account_list
from shilian.demo.activity import Activity
from shilian.demo.cameras import install_cameras
from shilian.demo.closing import close
from shilian.demo.codes import issue_codes
from shilian.registry.models import Enterprise

DEFAULT_SEED = 2023
DEFAULT_MONTHS = 4
WIPED_APPS = ("chain", "catalog", "registry")


@dataclass
class DemoResult:
    """What was loaded, for the command's report."""

    seed: int
    start: dt.date
    end: dt.date
    seconds: float
    counts: dict[str, int]
    showcase: Lot | None
    failed_lot: Lot | None
    recall: Recall | None
    voided: TraceEvent | None
    accounts: list[Account] = field(default_factory=list)
    kept_accounts: list[str] = field(default_factory=list)


def enterprise_count() -> int:
    return Enterprise.objects.count()


def _references(model: Any) -> set[Any]:
    return {
        f.related_model
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is not model
    }


def wiped_models() -> list[Any]:
    """The chain, catalog and registry models, users, and every model that refers to one of
    them (history, tokens, admin log, other apps' rows), ordered so that rows go before
    the rows they refer to."""
    user_model = get_user_model()
    every = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    chosen = {m for m in every if m._meta.app_label in WIPED_APPS} | {user_model}
    grown = True
    while grown:
        more = {m for m in every if m not in chosen and _references(m) & chosen}
        chosen |= more
        grown = bool(more)
    graph = {m: _references(m) & chosen for m in chosen}
    order = list(TopologicalSorter(graph).static_order())  # referred-to models first
    return list(reversed(order))


# The chain of evidence over the wiped events: its rows name enterprises and events by id,
# not by foreign key, so wiped_models() does not find them. The signing keys stay.
LEDGER_MODELS = (("core", "LedgerEntry"), ("core", "LedgerHead"), ("ledger", "RootLeaf"), ("ledger", "DailyRoot"))


def wipe() -> list[str]:
    """Delete every row of :func:`wiped_models` and the ledger over them (raw DELETEs: no per-row collector)."""
    tables = [m._meta.db_table for m in wiped_models()]
    tables += [apps.get_model(app, name)._meta.db_table for app, name in LEDGER_MODELS]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # table names from the model registry
    return tables


def last_full_day() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def load_demo(*, seed: int = DEFAULT_SEED, months: int = DEFAULT_MONTHS, end: dt.date | None = None) -> DemoResult:
    """Build the demo world and ``months`` of activity ending on ``end``, a day that is over
    (default yesterday: a day's activity runs into the evening, and the chain records nothing
    that has not happened yet).

    Deterministic for a given seed and end date. One transaction: the actions nest.
    """
    from shilian.demo.world import build_world  # noqa: PLC0415 — keeps the command's import light

    started = time.monotonic()
    end = end or last_full_day()
    if end > last_full_day():
        raise ValueError(f"the demo's last day must be over: {end} is not before today")
    start = end - dt.timedelta(days=max(1, round(months * 30.4)) - 1)
    with transaction.atomic():
        world = build_world(end)
        activity = Activity(world, rng=random.Random(seed), start=start, end=end)
        activity.run()
        closing = close(activity)
        coded = issue_codes(world, end)
        cameras = install_cameras(world)
    counts = {
        "enterprises": Enterprise.objects.count(),
        "workshops": Enterprise.objects.filter(kind="workshop").count(),
        "lots": Lot.objects.count(),
        "events": TraceEvent.objects.count(),
        "documents": Document.objects.count(),
        "coded lots": coded,
        "cameras": cameras,
    }
    return DemoResult(
        seed=seed,
        start=start,
        end=end,
        seconds=time.monotonic() - started,
        counts=counts,
        showcase=activity.harvests[0] if activity.harvests else None,
        failed_lot=closing.failed_lot,
        recall=closing.recall,
        voided=closing.voided,
        accounts=account_list(),
        kept_accounts=world.kept_accounts,
    )
