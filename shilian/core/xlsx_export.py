"""Spreadsheet downloads: any list page as XLSX with ``?format=xlsx``, and the one writer
every XLSX export goes through.

openpyxl in write-only mode: rows stream into a spooled temporary file, so memory stays
flat whatever the row count. Cells keep their types (numbers, dates) so that Excel sorts
and filters them; the header row is bold, frozen and carries an auto-filter. Text that
starts with ``=`` stays text (no formula injection), and characters XML cannot hold are
dropped rather than failing the whole download.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db.models import Model, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMAT_PARAM = "format"
MAX_LIST_ROWS = 100_000  # a list page exports at most this many rows
SPOOL_BYTES = 8 * 1024 * 1024  # kept in memory up to this size, then on disk
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class Column:
    """One column of a list export: its header and how to read the value from a row.

    ``value`` is an attribute path (``"jurisdiction.name"``; a method on the way, such as
    ``get_kind_display``, is called) or a function of the row.
    """

    header: Any
    value: str | Callable[[Any], Any]
    width: float = 16


def field_column(
    model: type[Model], path: str, *, width: float = 16, display: bool = False, header: Any = None
) -> Column:
    """A column of a model field (``path`` may cross relations: ``"jurisdiction.name"``),
    headed by the field's verbose name; ``display`` shows a choice field by its label."""
    names = path.split(".")
    field: Any = None
    current: Any = model
    for name in names:
        field = current._meta.get_field(name)
        current = field.related_model or current
    value = ".".join([*names[:-1], f"get_{names[-1]}_display"]) if display else path
    return Column(header if header is not None else capfirst(field.verbose_name), value, width)


def wants_xlsx(request: HttpRequest) -> bool:
    """The list page was asked for as a spreadsheet (``?format=xlsx``)."""
    return request.GET.get(FORMAT_PARAM) == "xlsx"


def excel_value(value: Any) -> Any:
    """A value as a typed cell: numbers and dates stay numbers and dates, blanks are empty."""
    if value is None or value == "":
        return None
    if isinstance(value, str | int | float | Decimal | dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple | set):
        return "、".join(str(v) for v in value) or None
    return str(value)


def read(item: Any, path: str | Callable[[Any], Any]) -> Any:
    if callable(path):
        return path(item)
    value = item
    for name in path.split("."):
        value = getattr(value, name, None) if not isinstance(value, dict) else value.get(name)
        if callable(value):
            value = value()
        if value is None:
            return None
    return value


class SheetWriter:
    """A write-only workbook with one sheet: header first, then ``append`` each row."""

    def __init__(self, headers: Sequence[Any], *, title: str, widths: Sequence[float] | None = None) -> None:
        self.workbook = Workbook(write_only=True)
        self.sheet: WriteOnlyWorksheet = self.workbook.create_sheet(title=_sheet_title(title))
        self.columns = len(headers)
        for index, width in enumerate(widths or (), start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        if headers:
            self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(self.sheet, value=str(header))
            cell.font = _BOLD
            header_cells.append(cell)
        self.sheet.append(header_cells)
        self.rows = 0

    def append(self, values: Sequence[Any]) -> None:
        """One row of already-converted values (see ``excel_value``)."""
        row = list(values)
        texts = [v for v in row if type(v) is str]
        if texts and _ILLEGAL.search("".join(texts)):  # one search per row: openpyxl would refuse the row
            row = [_ILLEGAL.sub("", v) if type(v) is str else v for v in row]
        self.sheet.append([self._guard(v) if type(v) is str and v[:1] == "=" else v for v in row])
        self.rows += 1

    def _guard(self, text: str) -> Any:
        """Text starting with ``=`` as text, not a formula."""
        cell = WriteOnlyCell(self.sheet, value=text)
        cell.data_type = "s"
        return cell

    def save(self, target: IO[bytes]) -> None:
        if self.rows:
            self.sheet.auto_filter.ref = f"A1:{get_column_letter(max(self.columns, 1))}{self.rows + 1}"
        self.workbook.save(target)


def write_xlsx(
    target: IO[bytes],
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    widths: Sequence[float] | None = None,
) -> int:
    """Write ``rows`` (values already typed for Excel) under ``headers``; returns the row count."""
    writer = SheetWriter(headers, title=title, widths=widths)
    for row in rows:
        writer.append(row)
    writer.save(target)
    return writer.rows


def spooled() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # the response closes it


def file_response(body: IO[bytes], *, filename: str, content_type: str = XLSX_CONTENT_TYPE) -> FileResponse:
    """A download of ``body`` (rewound), named ``filename`` (non-ASCII names are RFC 6266-encoded)."""
    body.seek(0)
    response = FileResponse(body, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(
    items: Iterable[Any],
    columns: Sequence[Column],
    *,
    filename: str,
    title: str = "",
    limit: int = MAX_LIST_ROWS,
) -> HttpResponse:
    """A list as an XLSX download: one row per item (at most ``limit``), one cell per column.

    The whole file in one response (a list page's export is a few MB at most); the FSMA
    sheet, which can be far bigger, streams with ``file_response``."""
    body = spooled()
    if isinstance(items, QuerySet):
        items = items[:limit].iterator(chunk_size=2000)
    rows = ([excel_value(read(item, column.value)) for column in columns] for item in itertools.islice(items, limit))
    write_xlsx(
        body,
        [column.header for column in columns],
        rows,
        title=title or filename.rsplit(".", 1)[0],
        widths=[column.width for column in columns],
    )
    body.seek(0)
    response = HttpResponse(body.read(), content_type=XLSX_CONTENT_TYPE)
    body.close()
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _sheet_title(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()
    return cleaned[:31] or "Sheet1"
