"""``shilian check [--repair]``: Django's system checks, then the lot projections
rebuilt from the events and compared with the stored ones.

This replaces Django's ``check`` command and keeps all of its options. The projection
check runs when no particular system check is asked for (no app label, ``--tag``,
``--deploy`` or ``--list-tags``) and the database is migrated. Any difference exits
with status 1; ``--repair`` writes the rebuilt values in one transaction instead.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands.check import Command as SystemCheckCommand
from django.db import connection

from shilian.chain.models import Lot
from shilian.chain.projections import rebuild_projections, repair_projections


class Command(SystemCheckCommand):
    help = (
        "System checks, then the lot projections (stock, status, test status, lot graph) "
        "rebuilt from the events; --repair writes the rebuilt values."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--repair", action="store_true", help="write the rebuilt projections (one transaction)"
        )

    def handle(self, *app_labels: Any, **options: Any) -> None:
        super().handle(*app_labels, **options)
        if app_labels or options["tags"] or options["deploy"] or options["list_tags"]:
            return
        if Lot._meta.db_table not in connection.introspection.table_names():
            self.stdout.write("投影检查已跳过：数据库尚未迁移 / projections skipped: the database is not migrated")
            return
        started = time.monotonic()
        differences = repair_projections(acting_user=None) if options["repair"] else rebuild_projections()
        elapsed = time.monotonic() - started
        if not differences:
            self.stdout.write(
                self.style.SUCCESS(f"投影与事件一致 / projections match the events ({elapsed:.2f} s)")
            )
            return
        for difference in differences:
            self.stdout.write(difference.describe())
        if options["repair"]:
            self.stdout.write(
                self.style.SUCCESS(f"已修复 {len(differences)} 处差异 / repaired {len(differences)} differences ({elapsed:.2f} s)")
            )
            return
        raise CommandError(
            f"{len(differences)} 处投影与事件不一致，用 --repair 修复 / "
            f"{len(differences)} projection differences; run with --repair to rewrite them",
            returncode=1,
        )
