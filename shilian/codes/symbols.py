"""2D symbols: encode with zint (C, ~0.1–0.15 ms per QR), then write SVG, PNG or PDF.

``encode`` returns a ``Matrix``: the dark modules as horizontal runs, read from zint's
``encoded_data`` (rows of 144 bytes, module *c* of a row is bit *c*, LSB first). zint
adds no quiet zone to that matrix; the writers add it (4 modules for QR, 1 for
DataMatrix, per ISO/IEC 18004 and 16022). The PDF operators are written in module
units (``c r w 1 re``) under one transform, so a whole symbol is one path: that is what
makes 10,000 labels a second's drawing rather than tens (see research/performance-codes.md).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import zint
from PIL import Image, ImageDraw
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from shilian.codes.choices import Symbol

_ROW_BYTES = 144  # zint's encoded_data row stride
_RUN = re.compile(r"1+")
QUIET_ZONE = {Symbol.QR: 4, Symbol.DATAMATRIX: 1}


class SymbolError(ValueError):
    """zint refused the data (too long for the symbol, or not a valid GS1 element string)."""


@dataclass(frozen=True)
class Matrix:
    """A symbol's modules: ``rows`` × ``width``, dark runs as (row, column, length)."""

    symbol: Symbol
    rows: int
    width: int
    runs: tuple[tuple[int, int, int], ...]
    quiet: int

    @property
    def size(self) -> tuple[int, int]:
        """Columns and rows including the quiet zone on every side."""
        return self.width + 2 * self.quiet, self.rows + 2 * self.quiet


def _symbol(kind: Symbol, data: str) -> zint.Symbol:
    sym = zint.Symbol()
    if kind == Symbol.QR:
        sym.symbology = zint.Symbology.QRCODE
        sym.option_1 = 2  # error correction level M
    elif kind == Symbol.DATAMATRIX:
        sym.symbology = zint.Symbology.DATAMATRIX
        sym.input_mode = zint.InputMode.GS1  # "[01]…[10]…": FNC1 first, GS between variable AIs
        sym.option_3 = zint.DataMatrixOptions.SQUARE  # square sizes only: the label has a square box
    else:  # pragma: no cover - guarded by the choices
        raise SymbolError(f"unknown symbol {kind!r}")
    try:
        sym.encode(data)
    except RuntimeError as exc:
        raise SymbolError(f"{kind}: {exc}") from None
    return sym


def _runs(sym: zint.Symbol) -> list[tuple[int, int, int]]:
    flat = sym.encoded_data.cast("B")
    width_bytes = (sym.width + 7) >> 3
    out = []
    for r in range(sym.rows):
        start = r * _ROW_BYTES
        bits = format(int.from_bytes(flat[start : start + width_bytes], "little"), "b")[::-1]
        for m in _RUN.finditer(bits):
            a, b = m.span()
            out.append((r, a, b - a))
    return out


def encode(data: str, kind: Symbol = Symbol.QR) -> Matrix:
    """The module matrix of ``data``: a URI for QR, a bracketed GS1 element string for DataMatrix."""
    sym = _symbol(kind, data)
    return Matrix(kind, sym.rows, sym.width, tuple(_runs(sym)), QUIET_ZONE[kind])


def pdf_ops(data: str, kind: Symbol = Symbol.QR) -> tuple[str, int]:
    """PDF path operators for ``data`` in module units, quiet zone excluded, and the
    symbol's size in modules (square symbols). The hot path of label sheets: the string
    is built straight from zint's rows with no intermediate objects."""
    sym = _symbol(kind, data)
    flat = sym.encoded_data.cast("B")
    width_bytes = (sym.width + 7) >> 3
    parts = []
    for r in range(sym.rows):
        start = r * _ROW_BYTES
        bits = format(int.from_bytes(flat[start : start + width_bytes], "little"), "b")[::-1]
        for m in _RUN.finditer(bits):
            a, b = m.span()
            parts.append(f"{a} {r} {b - a} 1 re")
    return "\n".join(parts), sym.width


def to_svg(matrix: Matrix, *, module_px: int = 4) -> str:
    """A standalone SVG: white background with the quiet zone, one path of dark modules."""
    cols, rows = matrix.size
    q = matrix.quiet
    d = "".join(f"M{c + q} {r + q}h{n}v1h-{n}z" for r, c, n in matrix.runs)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {cols} {rows}" '
        f'width="{cols * module_px}" height="{rows * module_px}" shape-rendering="crispEdges">'
        f'<rect width="{cols}" height="{rows}" fill="#fff"/><path fill="#000" d="{d}"/></svg>'
    )


def to_image(matrix: Matrix, *, scale: int = 4) -> Image.Image:
    """A grayscale image, ``scale`` pixels per module, quiet zone included."""
    cols, rows = matrix.size
    q = matrix.quiet
    image = Image.new("L", (cols, rows), 255)
    draw = ImageDraw.Draw(image)
    for r, c, n in matrix.runs:
        draw.rectangle((c + q, r + q, c + q + n - 1, r + q), fill=0)
    return image.resize((cols * scale, rows * scale), Image.Resampling.NEAREST) if scale != 1 else image


def to_png(matrix: Matrix, *, scale: int = 4) -> bytes:
    buf = io.BytesIO()
    to_image(matrix, scale=scale).convert("1").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def to_pdf(matrix: Matrix, *, module_mm: float = 0.5, title: str = "") -> bytes:
    """A one-page PDF the size of the symbol with its quiet zone, vector modules."""
    cols, rows = matrix.size
    ms = module_mm * mm
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(cols * ms, rows * ms), pageCompression=1, invariant=1)
    if title:
        canvas.setTitle(title)
    ops = "\n".join(f"{c} {r} {n} 1 re" for r, c, n in matrix.runs)
    q = matrix.quiet
    canvas.addLiteral(f"q 0 g {ms:.4f} 0 0 {-ms:.4f} {q * ms:.4f} {(rows - q) * ms:.4f} cm\n{ops}\nf Q")
    canvas.showPage()
    canvas.save()
    return buf.getvalue()
