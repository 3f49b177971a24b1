"""``shilian epcis sync``: store every chain event the EPCIS store lacks, now.

Queries do this by themselves (``interop.sync``); run it once after deploying EPCIS on a
database that already holds chain events, so that the first query does not carry the backlog.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shilian.interop.sync import sync_chain_events


class Command(BaseCommand):
    help = "EPCIS store maintenance: 'sync' stores the chain events it lacks as EPCIS 2.0 events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sync"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        stored = sync_chain_events()
        self.stdout.write(
            self.style.SUCCESS(
                f"已存入 {stored} 个事件 / stored {stored} chain events as EPCIS events ({time.monotonic() - started:.2f} s)"
            )
        )
