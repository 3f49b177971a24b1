"""The FSMA 204 sheet as files: XLSX (openpyxl write-only, typed cells, a second sheet that
explains the columns and the request) and CSV (UTF-8 with BOM, streamed)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.utils import timezone

from shilian.core.xlsx_export import SheetWriter
from shilian.interop.fsma.query import COLUMNS, HEADERS, FsmaQuery

SHEET_TITLE = "FSMA 204"
CSV_ROWS_PER_CHUNK = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# What each column holds, for the explanation sheet (the rule's words in brackets).
MEANINGS: dict[str, str] = {
    "event_id": "平台事件编号；同一次生产加工的投入与产出行编号相同 / platform event id; a transformation's input and output rows share it",
    "cte": "进货、生产加工、销售出库、零售 / Receiving, Transformation, Shipping (critical tracking events), Retail sale (not a CTE)",
    "lot_role": "生产加工：该批次是投入还是产出 / transformation: whether the lot was used or made",
    "date": "事件日期（当地时间）/ date received, shipped, or transformation completed (local time)",
    "time": "事件时间（当地时间）/ time of the event (local time)",
    "tlc": "追溯批号 / traceability lot code",
    "gtin": "商品条码（如有）/ GTIN of the product, if it has one",
    "product": "产品名称及规格 / product description (name, packaging size)",
    "quantity": "数量 / quantity",
    "unit": "计量单位 / unit of measure",
    "produced_on": "生产日期 / production date",
    "expires_on": "保质期截止日 / expiry date",
    "tlc_source": "批号赋予地：名称；地址；电话 / TLC source: location description (name; address; phone)",
    "tlc_source_ref": "批号来源的GLN或统一社会信用代码 / TLC source reference (GLN or unified social credit code)",
    "location": "事件发生地（车间）/ location description where the event happened (room)",
    "location_id": "事件发生地的GLN或统一社会信用代码 / its identifier",
    "ship_from": "进货：上一来源；出库：发货地 / receiving: immediate previous source; shipping: location shipped from",
    "ship_from_id": "发货地的标识 / its identifier",
    "ship_to": "出库：下一接收方；进货：收货地 / shipping: immediate subsequent recipient; receiving: location received at",
    "ship_to_id": "收货地的标识 / its identifier",
    "reference_type": "参考单据类型（多个以；分隔）/ reference document types (；-separated)",
    "reference_no": "参考单据编号（与类型一一对应）/ reference document numbers (in the same order)",
    "division": "记录主体所在辖区的行政区划代码 / GB/T 2260 division code of the recording enterprise",
}


def write_xlsx(rows: Iterable[Sequence[Any]], target: IO[bytes], *, query: FsmaQuery, scope: str) -> int:
    """The sheet, then the explanation sheet; returns the number of rows."""
    writer = SheetWriter(HEADERS, title=SHEET_TITLE, widths=[column.width for column in COLUMNS])
    for row in rows:
        writer.append(row)
    about = writer.workbook.create_sheet(title="说明 About")
    about.column_dimensions["A"].width = 36
    about.column_dimensions["B"].width = 100
    for line in _about(query, scope, writer.rows):
        about.append(line)
    writer.save(target)
    return writer.rows


def csv_chunks(rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The sheet as CSV, a few hundred rows per chunk, with a BOM so that Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value) for value in row])
        if n % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text  # a spreadsheet must not run it as a formula (OWASP CSV injection)
    return text


def _about(query: FsmaQuery, scope: str, rows: int) -> Iterator[list[Any]]:
    yield ["食链 FSMA 204 可排序电子表格 / electronic sortable spreadsheet", "21 CFR 1.1455(c)(3)(ii)"]
    yield ["生成时间 Generated at", timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")]
    yield ["范围 Scope", scope]
    yield ["起始日期 From", query.date_from.isoformat() if query.date_from else "—"]
    yield ["截止日期 To", query.date_to.isoformat() if query.date_to else "—"]
    yield ["追溯批号 Lot codes", "、".join(query.lot_codes) or "—"]
    yield ["行数 Rows", rows]
    yield []
    yield ["列 Column", "含义 Meaning"]
    for column in COLUMNS:
        yield [column.header, MEANINGS[column.key]]
