"""The two workshop ledgers (台账) that can be imported, their columns, and row errors.

进货台账 (receiving ledger): one row per lot received. 销售台账 (shipping ledger): one row per
lot sold; rows with the same date, customer and delivery note number are one shipment.
Headers are Chinese, as on the paper ledgers; a trailing ``*`` marks a required column.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shilian.core.errors import DomainError


class LedgerKind(StrEnum):
    RECEIVING = "receiving"  # 进货台账
    SHIPPING = "shipping"  # 销售台账


class LedgerErrorCode(StrEnum):
    BAD_FILE = "bad_file"  # not an XLSX workbook, too big, unreadable
    BAD_HEADERS = "bad_headers"  # a required column missing, an unknown or repeated one
    BAD_ROWS = "bad_rows"  # one or more rows refused
    ALREADY_IMPORTED = "already_imported"  # this previewed file was imported already


class Type(StrEnum):
    DATE = "date"
    DATETIME = "datetime"  # a date, with a time if the cell has one
    TEXT = "text"
    QUANTITY = "quantity"
    UNIT = "unit"
    LOT_CODE = "lot_code"
    USCC = "uscc"


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # without the ``*``
    type: Type
    required: bool = False
    max_length: int = 200
    note: str = ""  # what to write, for the template's instructions
    width: float = 14
    past: bool = False  # a date that cannot be in the future


@dataclass(frozen=True)
class RowError:
    """A problem with one cell (``row`` and ``column``), one row (``column`` empty), or the
    whole file (``row`` None). ``row`` is the spreadsheet's row number."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


class LedgerImportError(DomainError):
    """The import was refused: nothing was written. ``errors`` say where."""

    def __init__(self, code: LedgerErrorCode, errors: list[RowError]) -> None:
        first = errors[0].message if errors else str(code)
        super().__init__(code, first)
        self.errors = errors


NOTE = Field("note", "备注", Type.TEXT, max_length=500, note="不导入；写“示例”开头的行会被跳过", width=20)
EXAMPLE_MARK = "示例"

RECEIVING_FIELDS: tuple[Field, ...] = (
    Field("occurred_at", "进货日期", Type.DATETIME, required=True, note="如 2024-05-01，可带时间", width=12, past=True),
    Field(
        "product_name", "产品名称", Type.TEXT, required=True, max_length=200, note="与产品目录同名时自动关联", width=16
    ),
    Field("specification", "规格", Type.TEXT, max_length=100, note="如 500克/袋", width=10),
    Field(
        "lot_code", "批号", Type.LOT_CODE, required=True, max_length=20, note="供货者的批号，最多20位字母数字", width=14
    ),
    Field("quantity", "数量", Type.QUANTITY, required=True, note="大于0，最多3位小数", width=10),
    Field(
        "unit", "单位", Type.UNIT, required=True, max_length=10, note="千克、克、吨、升、毫升、件、箱、袋、瓶", width=8
    ),
    Field("produced_on", "生产日期", Type.DATE, note="如 2024-04-20", width=12, past=True),
    Field("expires_on", "保质期至", Type.DATE, note="不早于生产日期", width=12),
    Field(
        "partner_name", "供货者名称", Type.TEXT, required=True, max_length=200, note="新的供货者会自动登记", width=18
    ),
    Field(
        "partner_uscc",
        "供货者统一社会信用代码",
        Type.USCC,
        max_length=18,
        note="18位；在平台上的主体会自动关联",
        width=22,
    ),
    Field("partner_contact", "供货者联系方式", Type.TEXT, max_length=100, width=14),
    Field("reference_no", "票据号", Type.TEXT, max_length=60, note="发票或送货单号", width=14),
    NOTE,
)

SHIPPING_FIELDS: tuple[Field, ...] = (
    Field("occurred_at", "销售日期", Type.DATETIME, required=True, note="如 2024-05-03，可带时间", width=12, past=True),
    Field("product_name", "产品名称", Type.TEXT, required=True, max_length=200, note="与库存批次的品名相同", width=16),
    Field("lot_code", "批号", Type.LOT_CODE, required=True, max_length=20, note="库存中的批号", width=14),
    Field("quantity", "数量", Type.QUANTITY, required=True, note="不超过库存", width=10),
    Field("unit", "单位", Type.UNIT, required=True, max_length=10, note="可与批次单位换算，如 克↔千克", width=8),
    Field("partner_name", "购货者名称", Type.TEXT, max_length=200, note="留空表示零售；新的购货者会自动登记", width=18),
    Field(
        "partner_uscc",
        "购货者统一社会信用代码",
        Type.USCC,
        max_length=18,
        note="18位；在平台上的主体可扫码收货",
        width=22,
    ),
    Field("partner_contact", "购货者联系方式", Type.TEXT, max_length=100, width=14),
    Field("reference_no", "送货单号", Type.TEXT, max_length=60, note="同日同购货者同单号的行合为一次出库", width=14),
    NOTE,
)

FIELDS: dict[LedgerKind, tuple[Field, ...]] = {
    LedgerKind.RECEIVING: RECEIVING_FIELDS,
    LedgerKind.SHIPPING: SHIPPING_FIELDS,
}
TITLES: dict[LedgerKind, str] = {LedgerKind.RECEIVING: "进货台账", LedgerKind.SHIPPING: "销售台账"}


def header_text(field: Field) -> str:
    return f"{field.header}*" if field.required else field.header
