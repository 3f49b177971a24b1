"""Label PDFs: what a label says (``content``), where it goes (``layouts``), the CJK font
(``fonts``) and the drawing (``pdf``)."""

from __future__ import annotations

import io
from collections.abc import Callable

from shilian.chain.models import Lot
from shilian.codes.choices import Symbol
from shilian.codes.labels.content import LabelItem, LabelText, label_text_for, lot_items, serial_items
from shilian.codes.labels.pdf import render_labels
from shilian.codes.models import SerialRange

__all__ = ["LabelItem", "LabelText", "label_text_for", "lot_labels_pdf", "lot_items", "render_labels", "serial_items"]


def lot_labels_pdf(
    lot: Lot,
    *,
    layout: str,
    symbol: str = Symbol.QR,
    serial_range: SerialRange | None = None,
    copies: int = 1,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The label PDF of a lot whose codes are issued: one label per serial of
    ``serial_range``, or ``copies`` labels of the lot code. Reads only."""
    items = serial_items(lot, serial_range, symbol) if serial_range is not None else lot_items(lot, copies, symbol)
    out = io.BytesIO()
    render_labels(
        label_text_for(lot),
        items,
        layout=layout,
        symbol=symbol,
        out=out,
        title=f"{lot.product_name} {lot.code}",
        progress=progress,
    )
    return out.getvalue()
