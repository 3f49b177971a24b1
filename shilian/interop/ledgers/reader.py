"""Reading an uploaded ledger: the file checks, the header row, and every cell parsed to its
type, with an error naming the row and column for each cell that is wrong.

Nothing here reads the database: ``plan`` checks the rows against products, partners and stock.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from shilian.core.identifiers import check_lot_code, check_uscc
from shilian.core.units import ENTRY_CHOICES, check_entry_unit
from shilian.interop.ledgers.columns import (
    EXAMPLE_MARK,
    FIELDS,
    TITLES,
    Field,
    LedgerErrorCode,
    LedgerImportError,
    LedgerKind,
    RowError,
    Type,
)

MAX_BYTES = 2 * 1024 * 1024  # the upload
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # the XML inside it (a zip bomb stops here)
MAX_ROWS = 2000
MAX_REPORTED_ERRORS = 200
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_QUANTITY = Decimal("1e11")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")
_HEADER_NOISE = re.compile(r"[\s*＊]")
UNITS_TEXT = "、".join(f"{label}({value})" for value, label in ENTRY_CHOICES)


@dataclass
class LedgerRow:
    """One data row: its spreadsheet row number and the parsed values by field key."""

    number: int
    values: dict[str, Any]


@dataclass
class ParsedLedger:
    kind: LedgerKind
    rows: list[LedgerRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field key → "D 批号", for messages


def read_ledger(data: bytes, kind: LedgerKind) -> ParsedLedger:
    """Parse an uploaded workbook. File-level problems raise ``LedgerImportError``; cell
    problems are collected in ``errors`` (every one, up to ``MAX_REPORTED_ERRORS``)."""
    sheet = _open_sheet(data, kind)
    try:
        return _read_rows(sheet, kind)
    finally:
        sheet.parent.close()


def _read_rows(sheet: Any, kind: LedgerKind) -> ParsedLedger:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    parsed = ParsedLedger(kind)
    positions = _header_positions(header or (), kind, parsed)
    fields = FIELDS[kind]
    for number, values in enumerate(rows, start=2):
        if not any(_blank(v) is not None for v in values):
            continue
        if len(parsed.rows) >= MAX_ROWS:
            raise LedgerImportError(
                LedgerErrorCode.BAD_FILE,
                [RowError(number, "", f"最多导入 {MAX_ROWS} 行，请分成几个文件 / at most {MAX_ROWS} rows per file")],
            )
        note_at = positions.get("note")
        note = values[note_at] if note_at is not None and note_at < len(values) else None
        if isinstance(note, str) and note.strip().startswith(EXAMPLE_MARK):
            continue
        row = LedgerRow(number, {})
        for spec in fields:
            at = positions.get(spec.key)
            raw = values[at] if at is not None and at < len(values) else None
            try:
                row.values[spec.key] = parse_cell(spec, raw)
            except ValueError as exc:
                if len(parsed.errors) < MAX_REPORTED_ERRORS:
                    parsed.errors.append(RowError(number, parsed.columns.get(spec.key, spec.header), str(exc)))
        parsed.rows.append(row)
    if not parsed.rows and not parsed.errors:
        raise LedgerImportError(
            LedgerErrorCode.BAD_ROWS, [RowError(None, "", "文件中没有数据行 / the file has no data rows")]
        )
    return parsed


def _open_sheet(data: bytes, kind: LedgerKind) -> Any:
    def refuse(message: str) -> LedgerImportError:
        return LedgerImportError(LedgerErrorCode.BAD_FILE, [RowError(None, "", message)])

    if len(data) > MAX_BYTES:
        raise refuse(
            f"文件超过 {MAX_BYTES // (1024 * 1024)} MB / the file is larger than {MAX_BYTES // (1024 * 1024)} MB"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise refuse("不是 Excel（.xlsx）文件；.xls 或 CSV 请先另存为 .xlsx / not an .xlsx workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse("文件已损坏，无法打开 / the file is damaged and cannot be opened") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise refuse("文件内容过大 / the workbook unpacks to too much data")
    if "xl/workbook.xml" not in names:
        raise refuse("不是 Excel（.xlsx）工作簿 / not an .xlsx workbook")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # an uploaded file: whatever openpyxl trips on, the answer is the same
        raise refuse("文件已损坏，无法打开 / the file is damaged and cannot be opened") from None
    title = TITLES[kind]
    for name in workbook.sheetnames:
        if name.strip() == title:
            return workbook[name]
    return workbook.worksheets[0]


def _header_positions(header: Sequence[Any], kind: LedgerKind, parsed: ParsedLedger) -> dict[str, int]:
    """Field key → column index; wrong headers refuse the whole file, naming each problem."""
    by_header = {spec.header: spec for spec in FIELDS[kind]}
    positions: dict[str, int] = {}
    problems: list[RowError] = []
    for index, cell in enumerate(header):
        text = _HEADER_NOISE.sub("", str(cell)) if cell is not None else ""
        if not text:
            continue
        letter = get_column_letter(index + 1)
        spec = by_header.get(text)
        if spec is None:
            problems.append(
                RowError(1, f"{letter} {cell}", f"未知的列“{cell}” / unknown column; 请使用{TITLES[kind]}模板")
            )
        elif spec.key in positions:
            problems.append(RowError(1, f"{letter} {cell}", f"列“{spec.header}”重复 / column repeated"))
        else:
            positions[spec.key] = index
            parsed.columns[spec.key] = f"{letter} {spec.header}"
    for spec in FIELDS[kind]:
        if spec.required and spec.key not in positions:
            problems.append(RowError(1, spec.header, f"缺少必填列“{spec.header}” / required column missing"))
    if problems:
        raise LedgerImportError(LedgerErrorCode.BAD_HEADERS, problems)
    return positions


def _blank(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def parse_cell(spec: Field, raw: Any) -> Any:
    """The cell's value as the field's type; ValueError with a message fit for the report."""
    value = _blank(raw)
    if value is None:
        if spec.required:
            raise ValueError(f"必填 / {spec.header} is required")
        return None
    if spec.type in (Type.DATE, Type.DATETIME):
        return _date(value, with_time=spec.type is Type.DATETIME, past=spec.past)
    if spec.type is Type.QUANTITY:
        return _quantity(value)
    text = _text(value)
    if len(text) > spec.max_length:
        raise ValueError(f"最多 {spec.max_length} 个字 / at most {spec.max_length} characters")
    if spec.type is Type.UNIT:
        try:
            return check_entry_unit(text)
        except ValueError:
            raise ValueError(f"未知单位“{text}”，可用：{UNITS_TEXT} / unknown unit") from None
    if spec.type is Type.LOT_CODE:
        return check_lot_code(text)
    if spec.type is Type.USCC:
        return check_uscc(text)
    return text


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a lot code typed as a number
    if isinstance(value, dt.datetime | dt.date):
        raise ValueError("应为文字，不是日期 / text expected, not a date")
    return str(value).strip()


def _quantity(value: Any) -> Decimal:
    if isinstance(value, bool | dt.date | dt.datetime):
        raise ValueError("数量必须是数字 / quantity must be a number")
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if not isinstance(value, float) else Decimal(repr(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"数量“{value}”不是数字 / not a number") from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError("数量必须大于0 / quantity must be above zero")
    if amount >= MAX_QUANTITY:
        raise ValueError("数量过大 / quantity too large")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -3:
        raise ValueError("数量最多3位小数 / at most 3 decimal places")
    return amount


def _date(value: Any, *, with_time: bool, past: bool) -> dt.date | dt.datetime:
    day: dt.date | dt.datetime
    if isinstance(value, dt.datetime):
        day = value if with_time and value.time() != dt.time.min else value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not 36526 <= value < 2958466:  # 2000-01-01 … 9999-12-31 as Excel serial numbers
            raise ValueError(f"日期“{value}”无法识别，应为 2024-05-01 / not a date")
        converted = from_excel(value)
        day = converted if with_time and converted.time() != dt.time.min else converted.date()
    else:
        day = _date_text(str(value).strip(), with_time=with_time)
    plain = day.date() if isinstance(day, dt.datetime) else day
    if not EARLIEST <= plain <= LATEST:
        raise ValueError("日期超出范围（2000–2100年） / date out of range (2000–2100)")
    if past and plain > timezone.localdate():
        raise ValueError("日期在未来 / date is in the future")
    return day


def _date_text(text: str, *, with_time: bool) -> dt.date | dt.datetime:
    if with_time:
        for fmt in _DATETIME_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt)  # noqa: DTZ007 — local wall time, made aware by the plan
            except ValueError:
                continue
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 — a calendar date
        except ValueError:
            continue
    raise ValueError(f"日期“{text}”无法识别，应为 2024-05-01 / not a date (YYYY-MM-DD)")
