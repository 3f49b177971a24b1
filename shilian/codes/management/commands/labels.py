"""``shilian labels LOT --out FILE.pdf [--serials N | --copies N] [--layout …] [--symbol …]``:
a lot's label PDF from the command line, through the same actions as the labels page.

LOT is a lot id, an EPC class URI (``urn:epc:class:lgtin:…``), a GS1 Digital Link or a
``/t/`` short-code URI. ``--serials N`` issues N new item serials and prints one label
each; otherwise ``--copies`` labels of the lot code (one page by default).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shilian.chain.lotref import parse_lot_ref
from shilian.chain.models import Lot
from shilian.codes.actions import check_label_request, ensure_lot_code, issue_serials
from shilian.codes.choices import Layout, Symbol
from shilian.codes.digital_link import CodeKey, DigitalLinkError, parse_uri
from shilian.codes.labels import lot_labels_pdf
from shilian.codes.labels.fonts import label_font
from shilian.codes.labels.layouts import geometry
from shilian.codes.queries import lot_for_key
from shilian.core.errors import DomainError


def find_lot(ref: str) -> Lot:
    """A lot by id, lgtin URN, Digital Link or short-code URI (no user: the command is the operator)."""
    text = ref.strip()
    if text.isdigit() and len(text) < 14:
        lot = Lot.objects.select_related("enterprise", "product").filter(pk=int(text)).first()
        if lot is None:
            raise CommandError(f"没有编号为 {text} 的批次 / no lot with id {text}")
        return lot
    try:
        if text.startswith("urn:"):
            parsed = parse_lot_ref(text)
            key = CodeKey(gtin=parsed.gtin, lot=parsed.lot_code)
        else:
            key = parse_uri(text)
        return lot_for_key(key)
    except (DigitalLinkError, ValueError) as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = "Write a lot's label PDF: item labels with new serials, or copies of the lot code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("lot", help="lot id, urn:epc:class:lgtin:…, GS1 Digital Link or /t/ URI")
        parser.add_argument("--out", required=True, type=Path, help="the PDF file to write")
        parser.add_argument("--serials", type=int, default=0, help="issue N item serials, one label each")
        parser.add_argument("--copies", type=int, default=0, help="labels of the lot code (default: one page)")
        parser.add_argument("--layout", choices=Layout.values, default=Layout.A4_4X10)
        parser.add_argument("--symbol", choices=Symbol.values, default=Symbol.QR)

    def handle(self, *args: Any, **options: Any) -> None:
        lot = find_lot(options["lot"])
        layout, symbol, serials = options["layout"], options["symbol"], options["serials"]
        copies = options["copies"] or geometry(layout).per_page
        started = time.perf_counter()
        try:
            check_label_request(lot, layout=layout, symbol=symbol, serials=serials, copies=copies)
            label_font()
            if serials:
                issued = issue_serials(lot, serials, acting_user=None)
                pdf = lot_labels_pdf(lot, layout=layout, symbol=symbol, serial_range=issued)
                what = f"serials {issued.first}–{issued.last}"
            else:
                ensure_lot_code(lot, acting_user=None)
                pdf = lot_labels_pdf(lot, layout=layout, symbol=symbol, copies=copies)
                what = f"{copies} copies of the lot code"
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}" if exc.field else exc.message) from None
        options["out"].write_bytes(pdf)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{options['out']}: {lot.product_name} {lot.code}, {what}, {layout}, {symbol} "
                f"({len(pdf) // 1024} KiB, {elapsed:.2f} s)"
            )
        )
