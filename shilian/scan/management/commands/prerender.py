"""``shilian prerender [--watch]``: consumer pages as files for nginx (see ``scan.prerender``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from shilian.scan.prerender import Prerenderer, pages_root


class Command(BaseCommand):
    help = "Write the consumer page of every coded lot to DATA_DIR/pages for nginx; --watch keeps them current."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--root", type=Path, default=None, help="output directory (default DATA_DIR/pages)")
        parser.add_argument("--watch", action="store_true", help="keep running, rendering lots as their events arrive")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between passes with --watch")
        parser.add_argument(
            "--full-every", type=float, default=86400.0,
            help="with --watch, render every page again this often (seconds; 0 = never), for edits made outside events",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        renderer = Prerenderer(options["root"] or pages_root())
        started = time.monotonic()
        count = renderer.full_pass()
        self.stdout.write(f"prerender: {count} lots in {time.monotonic() - started:.1f} s → {renderer.root}")
        if not options["watch"]:
            return
        last_full = time.monotonic()
        try:
            while True:
                time.sleep(options["interval"])
                close_old_connections()
                every = options["full_every"]
                if (every and time.monotonic() - last_full >= every) or renderer.format_changed():
                    count, last_full = renderer.full_pass(), time.monotonic()
                else:
                    count = renderer.incremental_pass()
                if count:
                    self.stdout.write(f"prerender: {count} lots")
        except KeyboardInterrupt:
            return
