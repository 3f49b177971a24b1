"""Drawing label PDFs with reportlab: the lot's text once, then one path per code.

The lot's text is the same on every label, so its operators are built once (through a
reportlab text object, which assigns the CJK subset glyphs) and repeated under a
translation per label. Each code is one path of ``re`` operators in module units
(``symbols.pdf_ops``) under one ``cm``; a page's labels go to reportlab's public
``addLiteral`` as one string. Drawing the same path with ``beginPath().rect()`` costs
~2.3 ms a label against ~0.26 ms as a string (research/performance-codes.md §3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from shilian.codes.choices import Symbol
from shilian.codes.labels.content import LabelItem, LabelText
from shilian.codes.labels.fonts import label_font
from shilian.codes.labels.layouts import LabelGeometry, geometry
from shilian.codes.symbols import QUIET_ZONE, pdf_ops

LINE_SPACING = 1.22
ELLIPSIS = "…"


def _fit(text: str, font: str, size: float, width: float) -> tuple[str, float]:
    """The line and the size to set it at: shrunk to 80 % at most, then cut with an ellipsis."""
    natural = stringWidth(text, font, size)
    if natural <= width:
        return text, size
    if natural * 0.8 <= width:
        return text, size * width / natural
    size *= 0.8
    while text and stringWidth(text + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text + ELLIPSIS, size


class _Sheet:
    """The per-lot constants of one render: geometry, text block, and the caption place."""

    def __init__(self, canvas: Canvas, text: LabelText, geo: LabelGeometry, symbol: str) -> None:
        self.canvas = canvas
        self.geo = geo
        self.font = label_font()
        self.size = geo.font
        self.quiet = QUIET_ZONE[Symbol(symbol)]
        self.symbol = Symbol(symbol)
        self.lead = geo.font * LINE_SPACING
        pad = geo.pad * mm
        self.code_side = geo.code * mm
        self.code_x = pad
        self.code_y = (geo.label_h * mm - self.code_side) / 2
        self.text_x = pad + self.code_side + 1 * mm
        self.text_w = geo.label_w * mm - self.text_x - pad
        lines = text.lines()[: geo.lines - 1]
        top = geo.label_h * mm - pad - self.size * 1.15
        block = canvas.beginText(self.text_x, top)
        for i, line in enumerate(lines):
            size = self.size * 1.15 if i == 0 else self.size  # the product name a little larger
            fitted, fitted_size = _fit(line, self.font, size, self.text_w)
            block.setFont(self.font, fitted_size, self.lead * (1.1 if i == 0 else 1))
            block.textLine(fitted)
        self.text_ops = block.getCode()
        self.caption_y = top - self.lead * 1.1 - self.lead * (len(lines) - 1)
        self._code_cache: tuple[str, str] | None = None

    def caption_ops(self, caption: str) -> str:
        if not caption:
            return ""
        t = self.canvas.beginText(self.text_x, self.caption_y)
        t.setFont(self.font, self.size, self.lead)
        fitted, size = _fit(caption, self.font, self.size, self.text_w)
        t.setFont(self.font, size, self.lead)
        t.textLine(fitted)
        return t.getCode()

    def code_ops(self, data: str) -> str:
        if self._code_cache is not None and self._code_cache[0] == data:
            return self._code_cache[1]  # copies of one lot code: encode once
        ops, width = pdf_ops(data, self.symbol)
        ms = self.code_side / (width + 2 * self.quiet)
        top = self.code_y + self.code_side - self.quiet * ms
        out = f"q {ms:.4f} 0 0 {-ms:.4f} {self.code_x + self.quiet * ms:.3f} {top:.3f} cm\n{ops}\nf Q"
        self._code_cache = (data, out)
        return out

    def label_ops(self, index: int, item: LabelItem) -> str:
        x, y = self.geo.origin(index)
        data, caption = item
        return (
            f"q 1 0 0 1 {x * mm:.3f} {y * mm:.3f} cm\n0 g\n{self.text_ops}\n{self.caption_ops(caption)}\n"
            f"{self.code_ops(data)}\nQ"
        )


def render_labels(
    text: LabelText,
    items: Sequence[LabelItem],
    *,
    layout: str,
    out: BinaryIO,
    symbol: str = Symbol.QR,
    title: str = "",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write a PDF of ``items`` (one label each) to ``out``; returns the number of pages.

    ``progress`` is called after each page with the number of labels drawn so far.
    """
    geo = geometry(layout)
    font = label_font()
    canvas = Canvas(
        out,
        pagesize=(geo.page_w * mm, geo.page_h * mm),
        pageCompression=1,
        initialFontName=font,
        initialFontSize=geo.font,
    )
    canvas.setTitle(title or text.product_name)
    canvas.setCreator("shilian")
    sheet = _Sheet(canvas, text, geo, symbol)
    per_page = geo.per_page
    pages = 0
    for start in range(0, len(items), per_page):
        chunk = items[start : start + per_page]
        canvas.addLiteral("\n".join(sheet.label_ops(i, item) for i, item in enumerate(chunk)))
        canvas.showPage()
        pages += 1
        if progress is not None:
            progress(start + len(chunk))
    if not items:
        canvas.showPage()
    canvas.save()
    return pages
