"""``shilian trace LOT [--direction forward|backward] [--json] [--as USERNAME]``.

LOT is a lot id, an EPC class URI (``urn:epc:class:lgtin:…``) or a GS1 Digital Link
URI. The trace runs as a real user through the chain's access funnel: the first active
superuser unless ``--as`` names someone else (an inspector sees enterprises outside
their jurisdiction by name only, as on the web pages).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shilian.chain.access import find_lot
from shilian.chain.queries.report import TraceReport, build_trace_report
from shilian.chain.queries.trace import Direction
from shilian.core.errors import NotFoundError

_STATUS = {"active": "正常", "recalled": "已召回"}


class Command(BaseCommand):
    help = "Trace a lot forward (where it went) or backward (where it came from)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("lot", help="lot id, urn:epc:class:lgtin:… or GS1 Digital Link URI")
        parser.add_argument("--direction", choices=[d.value for d in Direction], default=Direction.FORWARD.value)
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="trace with this user's scope")

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["as_user"])
        try:
            lot = find_lot(user, options["lot"])
        except ValueError as exc:
            raise CommandError(f"LOT: {exc}") from None
        except NotFoundError:
            raise CommandError(f"找不到批次 / lot not found: {options['lot']}") from None
        report = build_trace_report(user, lot, Direction(options["direction"]))
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
            return
        self._print(report)

    def _user(self, username: str | None) -> Any:
        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"--as: 用户不存在 / no active user named {username!r}")
            return user
        user = users.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            raise CommandError("没有超级用户，请用 --as 指定用户 / no superuser: name a user with --as")
        return user

    def _label(self, report: TraceReport, lot_id: int) -> str:
        lot = report.lots[lot_id]
        enterprise = report.enterprises.get(lot.enterprise_id)
        where = enterprise.name if enterprise else f"#{lot.enterprise_id}"
        status = _STATUS.get(lot.status, lot.status)
        return f"[{lot.id}] {lot.product_name} {lot.code} — {lot.quantity_on_hand} {lot.unit} {status} @ {where}"

    def _print(self, report: TraceReport) -> None:
        title = "正向追溯 / forward trace" if report.direction == Direction.FORWARD else "反向追溯 / backward trace"
        self.stdout.write(f"{title}")
        self.stdout.write(self._label(report, report.root_id))
        seen = {report.root_id}
        self._branch(report, report.root_id, "", seen)
        counts = report.counts
        self.stdout.write("")
        self.stdout.write(
            f"批次 lots {counts['lots']} · 主体 enterprises {counts['enterprises']} · 持有者 holders {counts['holders']}"
            f" · 出库 shipments {counts['shipments']} · 供应商 suppliers {counts['suppliers']}"
        )
        if report.holders:
            self.stdout.write("持有 / holders:")
            for holder in report.holders:
                self.stdout.write(f"  {self._enterprise(report, holder['enterprise'])}: {holder['quantity']} {holder['unit']}")
        if report.shipments:
            self.stdout.write("出库 / shipments:")
            for s in report.shipments:
                if s["retail"]:
                    target = "零售 / retail"
                elif s["to_enterprise"]:
                    target = self._enterprise(report, s["to_enterprise"])
                else:
                    target = s["customer"] or ""
                transit = f" (在途 in transit {s['in_transit']})" if s["in_transit"] else ""
                day = s["occurred_at"].date() if s["occurred_at"] else ""
                self.stdout.write(
                    f"  {day} [{s['lot']}] {self._enterprise(report, s['from_enterprise'])} → {target}: "
                    f"{s['quantity']} {s['unit']}{transit}"
                )
        if report.suppliers:
            self.stdout.write("供应商 / suppliers:")
            for supplier in report.suppliers:
                where = "平台内 on platform" if supplier["on_platform"] else "平台外 off platform"
                self.stdout.write(f"  {supplier['partner']} ({where}) → [{supplier['lot']}]")

    def _branch(self, report: TraceReport, lot_id: int, indent: str, seen: set[int]) -> None:
        kids = report.children.get(lot_id, [])
        for i, kid in enumerate(kids):
            last = i == len(kids) - 1
            mark = "└─ " if last else "├─ "
            if kid in seen:
                self.stdout.write(f"{indent}{mark}[{kid}] ↑ 见上 / see above")
                continue
            seen.add(kid)
            self.stdout.write(f"{indent}{mark}{self._label(report, kid)}")
            self._branch(report, kid, indent + ("   " if last else "│  "), seen)

    def _enterprise(self, report: TraceReport, enterprise_id: int) -> str:
        card = report.enterprises.get(enterprise_id)
        return card.name if card else f"#{enterprise_id}"
