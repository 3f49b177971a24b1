"""What a label says: the lot's text, and one code (with a caption) per label."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shilian.chain.models import Lot
from shilian.codes.choices import Symbol
from shilian.codes.digital_link import CodeKey, element_string
from shilian.codes.errors import CodesErrorCode
from shilian.codes.models import SerialRange
from shilian.codes.queries import item_uris, key_for_lot, uri_for_key
from shilian.core.errors import DomainError


@dataclass(frozen=True)
class LabelText:
    """The text printed beside the code, the same on every label of a lot."""

    product_name: str
    lot_code: str
    produced_on: dt.date | None = None
    expires_on: dt.date | None = None
    enterprise: str = ""
    licence: str = ""
    storage: str = ""
    short_code: str = ""

    def lines(self) -> list[str]:
        out = [self.product_name, f"批号：{self.lot_code}"]
        if self.produced_on:
            out.append(f"生产日期：{self.produced_on:%Y-%m-%d}")
        if self.expires_on:
            out.append(f"保质期至：{self.expires_on:%Y-%m-%d}")
        if self.enterprise:
            out.append(self.enterprise)
        if self.licence:
            out.append(f"许可证：{self.licence}")
        if self.storage:
            out.append(f"贮存：{self.storage}")
        if self.short_code:
            out.append(f"追溯码：{self.short_code}")
        return out


# One label: the data the symbol carries, and a caption printed under the text (serial).
LabelItem = tuple[str, str]


def label_text_for(lot: Lot) -> LabelText:
    key = key_for_lot(lot)
    product = lot.product
    return LabelText(
        product_name=lot.product_name,
        lot_code=lot.code,
        produced_on=lot.produced_on,
        expires_on=lot.expires_on,
        enterprise=lot.enterprise.name,
        licence=lot.enterprise.licence_no,
        storage=product.storage if product is not None else "",
        short_code=key.short if key is not None and key.short else "",
    )


def _data(key: CodeKey, symbol: str) -> str:
    if symbol == Symbol.DATAMATRIX:
        if key.gtin is None:
            raise DomainError(
                CodesErrorCode.DATAMATRIX_NEEDS_GTIN,
                "GS1 DataMatrix 需要商品条码(GTIN)，无GTIN的批次请用二维码 / "
                "GS1 DataMatrix needs a GTIN: use QR for lots without one",
                field="symbol",
            )
        return element_string(key)
    return uri_for_key(key)


def lot_items(lot: Lot, copies: int, symbol: str = Symbol.QR) -> list[LabelItem]:
    """``copies`` labels of the lot code (issue it first with ``ensure_lot_code``)."""
    key = key_for_lot(lot)
    if key is None:
        raise DomainError(CodesErrorCode.NO_CODE, "该批次尚未赋码 / the lot has no code yet", field="lot")
    return [(_data(key, symbol), "")] * copies


def serial_items(lot: Lot, issued: SerialRange, symbol: str = Symbol.QR) -> list[LabelItem]:
    """One label per serial of an issued range, each with its own item code."""
    key = key_for_lot(lot)
    if key is None:  # pragma: no cover - issue_serials gives every lot a code
        raise DomainError(CodesErrorCode.NO_CODE, "该批次尚未赋码 / the lot has no code yet", field="lot")
    if symbol == Symbol.DATAMATRIX:
        return [
            (_data(CodeKey(**{**key.__dict__, "serial": str(n)}), symbol), f"序列号：{n}")
            for n in range(issued.first, issued.last + 1)
        ]
    uris = item_uris(key, issued.first, issued.last)
    return [(uri, f"序列号：{n}") for n, uri in zip(range(issued.first, issued.last + 1), uris, strict=True)]
