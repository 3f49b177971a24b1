"""The shared XLSX writer (``?format=xlsx`` on the list pages: chain/tests/test_views_xlsx.py)."""

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from shilian.core.xlsx_export import Column, excel_value, write_xlsx, xlsx_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- the writer -------------------------------------------------------------------------


def test_cells_keep_their_types_and_text_stays_text():
    out = io.BytesIO()
    aware = timezone.make_aware(dt.datetime(2024, 5, 1, 9, 30, 15, 123))
    rows = [
        [excel_value(v) for v in ("=1+1", "a\x01b", Decimal("1.250"), dt.date(2024, 5, 1), aware, "", None, 7)],
    ]
    assert write_xlsx(out, [gettext_lazy("name"), "B", "C", "D", "E", "F", "G", "H"], rows, title="t/x:y") == 1
    book = load_workbook(out)
    sheet = book.worksheets[0]
    assert sheet.title == "t x y"
    assert [c.value for c in sheet[1]][:2] == ["名称", "B"]  # lazy headers in the active language
    formula, control, number, day, moment = (sheet.cell(row=2, column=i) for i in range(1, 6))
    assert (formula.value, formula.data_type) == ("=1+1", "s")
    assert control.value == "ab"
    assert number.value == 1.25
    assert day.value == dt.datetime(2024, 5, 1)
    assert moment.value == timezone.localtime(aware).replace(tzinfo=None, microsecond=0)
    assert [sheet.cell(row=2, column=i).value for i in (6, 7, 8)] == [None, None, 7]
    assert sheet.auto_filter.ref == "A1:H2"


def test_a_list_export_stops_at_the_limit():
    items = [{"n": i} for i in range(5)]
    response = xlsx_response(items, [Column("n", "n")], filename="名单.xlsx", limit=3)
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E5%90%8D%E5%8D%95.xlsx"
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["n"], [0], [1], [2]]
    assert sheet.title == "名单"
