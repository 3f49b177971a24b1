"""``shilian ledger close|verify|key``: the chain of evidence from the command line."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from shilian.core.errors import DomainError
from shilian.ledger.actions import close_day, close_due_days
from shilian.ledger.keys import current_key, rotate_key
from shilian.ledger.models import SigningKey
from shilian.ledger.verify import verify

SHOWN = 20  # problems printed; the rest are counted


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "The chain of evidence (一链存证): close days into signed roots, verify, rotate the signing key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        close = sub.add_parser("close", help="sign the daily root of every day that is over (or of --date)")
        close.add_argument("--date", type=_date, help="the day to close (YYYY-MM-DD); days close in order")
        close.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="keep running: close the days that are over now and then every SECONDS (`shilian serve` uses 3600)",
        )
        check = sub.add_parser("verify", help="recompute every entry and root; exit 1 naming the first broken entry")
        check.add_argument("--enterprise", type=int, help="only this enterprise's chain (and the roots naming it)")
        key = sub.add_parser("key", help="the platform's signing key")
        key_sub = key.add_subparsers(dest="key_command", required=True)
        key_sub.add_parser("rotate", help="retire the current key and start using the next")
        key_sub.add_parser("list", help="every signing key, current and retired")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "close" and options["every"]:
                self._close_every(options["every"])
            elif options["subcommand"] == "close":
                self._close(options["date"])
            elif options["subcommand"] == "verify":
                self._verify(options["enterprise"])
            elif options["key_command"] == "rotate":
                key = rotate_key()
                self.stdout.write(f"signing key {key.key_id} in use from {key.activated_at:%Y-%m-%d %H:%M:%S%z}")
            else:
                self._keys()
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _close(self, day: dt.date | None) -> None:
        roots = [close_day(day)] if day is not None else close_due_days()
        if not roots:
            self.stdout.write("nothing to close")
        for root in roots:
            self.stdout.write(
                f"{root.day}: root {root.root_hash} over {root.size} chain heads "
                f"({root.entries} entries), signed by {root.key.key_id}"
            )

    def _close_every(self, seconds: int) -> None:
        if seconds < 60:
            raise CommandError("--every must be at least 60 seconds")
        while True:  # stopped by `shilian serve` (SIGTERM) with the other children
            self._close(None)
            close_old_connections()
            time.sleep(seconds)

    def _verify(self, enterprise_id: int | None) -> None:
        started = time.perf_counter()
        report = verify(enterprise_id)
        seconds = time.perf_counter() - started
        rate = report.entries / seconds if seconds > 0 else 0
        self.stdout.write(
            f"checked {report.chains} chains, {report.entries:,} entries, {report.roots} daily roots "
            f"in {seconds:.2f} s ({rate:,.0f} entries/s)"
        )
        if report.ok:
            self.stdout.write("OK: every entry and root verifies")
            return
        first = report.problems[0]
        for problem in report.problems[:SHOWN]:
            self.stdout.write(f"BROKEN {problem}")
        if len(report.problems) > SHOWN:
            self.stdout.write(f"… and {len(report.problems) - SHOWN} more problems")
        raise CommandError(f"the chain of evidence does not verify: first broken at {first.where()}", returncode=1)

    def _keys(self) -> None:
        current = current_key()
        for key in SigningKey.objects.order_by("activated_at"):
            until = f"retired {key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else "current"
            mark = "*" if current is not None and key.pk == current.pk else " "
            self.stdout.write(f"{mark} {key.key_id} {key.algorithm} {key.public_key} from {key.activated_at:%Y-%m-%d %H:%M} {until}")
