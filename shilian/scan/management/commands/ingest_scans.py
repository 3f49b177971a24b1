"""``shilian ingest_scans LOG [--watch]``: nginx's scan log into the scan log (see ``scan.ingest``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from shilian.scan.ingest import ingest


class Command(BaseCommand):
    help = "Read the scans nginx served from pre-rendered pages (log_format shilian_scan) into the scan log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("log", type=Path, help="nginx's scan log (deploy/nginx: shilian-scans.log)")
        parser.add_argument("--watch", action="store_true", help="keep reading new lines")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between reads with --watch")

    def handle(self, *args: Any, **options: Any) -> None:
        log: Path = options["log"]
        count = ingest(log)
        self.stdout.write(f"ingest_scans: {count} scans from {log}")
        if not options["watch"]:
            return
        try:
            while True:
                time.sleep(options["interval"])
                close_old_connections()
                count = ingest(log)
                if count:
                    self.stdout.write(f"ingest_scans: {count} scans")
        except KeyboardInterrupt:
            return
