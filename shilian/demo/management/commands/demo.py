"""``shilian demo [--reset] [--seed N] [--months M] [--end YYYY-MM-DD]``: load the demo.

Loads only into a database without enterprises, so that ``make run`` can call it on
every start; ``--reset`` first wipes the chain, catalog, registry and user data (and
whatever refers to it), in the same transaction as the load.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from shilian.chain.models import Lot
from shilian.codes.queries import uri_for_lot
from shilian.demo.accounts import PASSWORD
from shilian.demo.loader import (
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    DemoResult,
    enterprise_count,
    last_full_day,
    load_demo,
    wipe,
)


def _date(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--end: 日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD, got {value!r}") from None
    if day > last_full_day():
        raise CommandError(f"--end: 应为今天以前的日期 / must be a day that is over (before today), got {value}")
    return day


class Command(BaseCommand):
    help = "Load the Wenling demo (36 sunshine workshops and months of activity) into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="wipe chain, catalog, registry and user data first")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument("--months", type=int, default=DEFAULT_MONTHS, help=f"months of activity (default {DEFAULT_MONTHS})")
        parser.add_argument("--end", help="last day of activity, YYYY-MM-DD, before today (default yesterday)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["months"] <= 24:
            raise CommandError("--months: 1 到 24 / between 1 and 24")
        end = _date(options["end"]) if options["end"] else None
        existing = enterprise_count()
        if existing and not options["reset"]:
            self.stdout.write(
                f"数据库已有 {existing} 个主体，未加载演示数据 / the database already has {existing} enterprises: "
                "demo not loaded (use --reset to replace everything with the demo)"
            )
            return
        with transaction.atomic():
            if options["reset"]:
                tables = wipe()
                self.stdout.write(f"已清空 {len(tables)} 张表 / wiped {len(tables)} tables")
            result = load_demo(seed=options["seed"], months=options["months"], end=end)
        self._report(result)

    def _report(self, result: DemoResult) -> None:
        c = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已加载 / demo loaded in {result.seconds:.1f} s (seed {result.seed}, "
                f"{result.start} … {result.end}): {c['enterprises']} enterprises ({c['workshops']} workshops), "
                f"{c['lots']} lots, {c['events']} events, {c['documents']} documents"
            )
        )
        if result.showcase is not None:
            self.stdout.write(
                f"试一试 / try: shilian trace {result.showcase.pk}   "
                f"（{result.showcase.product_name} {result.showcase.code}，温岭市新河香菇基地的第一批采收 / the mushroom base's first harvest）"
            )
        if result.recall is not None and result.failed_lot is not None:
            self.stdout.write(
                f"召回 / recall {result.recall.reference}: {result.failed_lot.product_name} {result.failed_lot.code} "
                f"(lot {result.failed_lot.pk}) 抽检不合格 / failed official sampling"
            )
        recalled_page = uri_for_lot(result.failed_lot) if result.failed_lot is not None else None
        if recalled_page:
            self.stdout.write(f"消费者扫码页（已召回）/ consumer page of the recalled lot: {recalled_page}")
        coded = Lot.objects.filter(status="active", product__gtin__isnull=False, origin="produced").order_by("-pk").first()
        if coded is not None and (page := uri_for_lot(coded)):
            self.stdout.write(f"消费者扫码页 / a consumer page: {page}")
        if result.voided is not None:
            self.stdout.write(f"更正 / a voided correction: event {result.voided.pk}")
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {PASSWORD}）/ demo accounts (password for all: {PASSWORD}):")
        for account in result.accounts:
            kept = "  (已存在，密码未改 / existed: password unchanged)" if account.username in result.kept_accounts else ""
            self.stdout.write(f"  {account.username:<10} {account.role:<9} {account.scope}{kept}")
