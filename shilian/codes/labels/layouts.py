"""Label geometry: A4 sheets for office printers, single labels for thermal printers (mm)."""

from __future__ import annotations

from dataclasses import dataclass

from shilian.codes.choices import Layout


@dataclass(frozen=True)
class LabelGeometry:
    """Page size, grid, and where the code and the text go inside one label."""

    page_w: float
    page_h: float
    cols: int
    rows: int
    label_w: float
    label_h: float
    left: float  # page margin to the first column
    top: float  # page margin to the first row
    pad: float  # inner margin of a label
    code: float  # side of the code's square, quiet zone included
    font: float  # text size in points
    lines: int  # text lines that fit

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    def origin(self, index: int) -> tuple[float, float]:
        """Bottom-left corner (mm, PDF coordinates) of label ``index`` on its page."""
        row, col = divmod(index, self.cols)
        return self.left + col * self.label_w, self.page_h - self.top - (row + 1) * self.label_h


A4 = (210.0, 297.0)

GEOMETRY = {
    # 70 × 37 mm: the common 24-up sheet (3 × 70 = 210, 8 × 37 = 296).
    Layout.A4_3X8: LabelGeometry(*A4, 3, 8, 70.0, 37.0, 0.0, 0.5, 2.0, 31.0, 6.5, 8),
    # 52.5 × 29.7 mm: the 40-up sheet, no margins.
    Layout.A4_4X10: LabelGeometry(*A4, 4, 10, 52.5, 29.7, 0.0, 0.0, 1.5, 25.0, 5.2, 8),
    Layout.T40X30: LabelGeometry(40.0, 30.0, 1, 1, 40.0, 30.0, 0.0, 0.0, 1.5, 19.0, 4.3, 9),
    Layout.T50X30: LabelGeometry(50.0, 30.0, 1, 1, 50.0, 30.0, 0.0, 0.0, 1.5, 24.0, 4.6, 8),
    Layout.T60X40: LabelGeometry(60.0, 40.0, 1, 1, 60.0, 40.0, 0.0, 0.0, 2.0, 30.0, 6.0, 9),
}


def geometry(layout: str) -> LabelGeometry:
    return GEOMETRY[Layout(layout)]
