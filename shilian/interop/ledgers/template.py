"""The ledger templates to download: Chinese headers, one example row (skipped on import),
Excel data validation on units, dates, quantities, lot codes and credit codes, pick lists of
the enterprise's products and partners, a sheet of instructions and, for the shipping
ledger, the lots in stock."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from shilian.core.units import ENTRY_CHOICES
from shilian.interop.ledgers.columns import EXAMPLE_MARK, FIELDS, TITLES, Field, LedgerKind, Type, header_text
from shilian.interop.ledgers.reader import MAX_BYTES, MAX_ROWS

LISTS_SHEET = "lists"  # hidden, ASCII: list formulas need no quoting
UNIT_CHOICES = [str(label) for _, label in ENTRY_CHOICES] + [value for value, _ in ENTRY_CHOICES]
_HEAD_FILL = PatternFill("solid", fgColor="DDEEE8")
_EXAMPLE_FONT = Font(italic=True, color="777777")
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class StockLine:
    product_name: str
    code: str
    quantity: Decimal
    unit: str
    expires_on: dt.date | None


def build_template(
    kind: LedgerKind,
    *,
    products: Sequence[str] = (),
    partners: Sequence[str] = (),
    stock: Sequence[StockLine] = (),
    today: dt.date,
) -> bytes:
    """The template workbook for ``kind`` as XLSX bytes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = TITLES[kind]
    fields = FIELDS[kind]
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    product_names = sorted(set(products or {line.product_name for line in stock}))
    ranges = {
        "unit": _list_column(lists, 1, "单位", UNIT_CHOICES),
        "partner_name": _list_column(lists, 2, "伙伴", sorted(set(partners))),
        "product_name": _list_column(lists, 3, "产品", product_names),
        "lot_code": _list_column(lists, 4, "批号", sorted({line.code for line in stock})),
    }
    for index, spec in enumerate(fields, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=header_text(spec))
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[letter].width = spec.width
        _format_column(sheet, letter, spec)
        validation = _validation(spec, ranges, lot_codes_listed=bool(stock))
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    for index, value in enumerate(_example(kind, today), start=1):
        cell = sheet.cell(row=2, column=index, value=value)
        cell.font = _EXAMPLE_FONT
    sheet.freeze_panes = "A2"
    _instructions(workbook.create_sheet("说明"), kind, fields)
    if kind is LedgerKind.SHIPPING:
        _stock_sheet(workbook.create_sheet("在库批次"), stock)
    workbook.move_sheet(LISTS_SHEET, offset=len(workbook.sheetnames))
    workbook.active = 0
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _list_column(sheet: Worksheet, column: int, title: str, values: Sequence[str]) -> str | None:
    """Write a pick list into the hidden sheet; its range for a list validation, None when empty."""
    if not values:
        return None
    letter = get_column_letter(column)
    sheet.cell(row=1, column=column, value=title)
    for row, value in enumerate(values, start=2):
        sheet.cell(row=row, column=column, value=value).number_format = "@"
    return f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"


def _format_column(sheet: Worksheet, letter: str, spec: Field) -> None:
    """The column's number format (a column style: Excel gives it to every cell typed in):
    dates as dates, codes and names as text, so that lot codes keep their leading zeros."""
    number_format = {
        Type.DATE: "yyyy-mm-dd",
        Type.DATETIME: "yyyy-mm-dd",
        Type.LOT_CODE: "@",
        Type.USCC: "@",
        Type.TEXT: "@",
    }.get(spec.type)
    if number_format is not None:
        sheet.column_dimensions[letter].number_format = number_format


def _validation(spec: Field, ranges: dict[str, str | None], *, lot_codes_listed: bool) -> DataValidation | None:
    title = spec.header
    if spec.type is Type.UNIT:
        return _dv("list", formula1=ranges["unit"], error=f"{title}：请从列表中选择", title=title)
    if spec.type in (Type.DATE, Type.DATETIME):
        return _dv(
            "date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
            error=f"{title}：请填写日期，如 2024-05-01", title=title,
        )  # fmt: skip
    if spec.type is Type.QUANTITY:
        return _dv("decimal", operator="greaterThan", formula1="0", error=f"{title}：请填写大于0的数字", title=title)
    if spec.type is Type.LOT_CODE:
        if lot_codes_listed and ranges["lot_code"]:
            return _dv("list", formula1=ranges["lot_code"], error="库存中没有这个批号", title=title, stop=False)
        return _dv("textLength", operator="between", formula1="1", formula2="20", error="批号最多20位", title=title)
    if spec.type is Type.USCC:
        return _dv("textLength", operator="equal", formula1="18", error="统一社会信用代码为18位", title=title)
    if spec.key in ("partner_name", "product_name") and ranges.get(spec.key):
        return _dv("list", formula1=ranges[spec.key], error="不在列表中：导入时将作为新的名称", title=title, stop=False)
    return None


def _dv(kind: str, *, error: str, title: str, stop: bool = True, **formulas: str | None) -> DataValidation:
    """A validation; ``stop`` False lets a value outside a pick list through after a notice.
    Formulas are stored as OOXML keeps them: no leading ``=`` (``lists!$A$2:$A$19``)."""
    validation = DataValidation(
        type=kind,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop" if stop else "information",
        errorTitle=title,
        error=error,
        **{k: v for k, v in formulas.items() if v is not None},
    )
    return validation


def _example(kind: LedgerKind, today: dt.date) -> list[object]:
    mark = f"{EXAMPLE_MARK}行，导入时跳过"
    if kind is LedgerKind.RECEIVING:
        return [
            today, "小麦粉", "25千克/袋", "MF240501", 50, "千克", today - dt.timedelta(days=10),
            today + dt.timedelta(days=170), "温岭粮油批发部", None, "0576-86000000", "FP00012345", mark,
        ]  # fmt: skip
    return [today, "年糕", "NG2405001", 20, "千克", "石塘农家乐", None, "13800000000", "SH0001", mark]


def _instructions(sheet: Worksheet, kind: LedgerKind, fields: Sequence[Field]) -> None:
    rows: list[list[object]] = [
        [f"{TITLES[kind]}导入说明"],
        ["1. 第一行是列名，请勿修改；带 * 的列必填。"],
        [f"2. 第二行是示例（备注以“{EXAMPLE_MARK}”开头），导入时跳过，可以删除。"],
        [f"3. 一次最多 {MAX_ROWS} 行，文件不超过 {MAX_BYTES // (1024 * 1024)} MB，请保存为 .xlsx。"],
        ["4. 全部行都正确才会导入；有错误时会列出行号、列名和原因，什么都不会写入。"],
        ["5. 导入前会先显示预览，确认后才记录。"],
        [],
        ["列", "必填", "说明"],
    ]
    rows += [[spec.header, "是" if spec.required else "", spec.note] for spec in fields]
    for row in rows:
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[8]:
        cell.font = _BOLD
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 60


def _stock_sheet(sheet: Worksheet, stock: Sequence[StockLine]) -> None:
    sheet.append(["产品名称", "批号", "现有数量", "单位", "保质期至"])
    for cell in sheet[1]:
        cell.font = _BOLD
    for line in stock:
        sheet.append([line.product_name, line.code, line.quantity, line.unit, line.expires_on])
        sheet.cell(row=sheet.max_row, column=2).number_format = "@"
        sheet.cell(row=sheet.max_row, column=5).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDE", (18, 16, 12, 8, 12), strict=True):
        sheet.column_dimensions[letter].width = width
