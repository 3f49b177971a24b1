"""Reads of codes: the public resolver (code → lot) and a lot's code URI."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F

from shilian.catalog.models import Product
from shilian.chain.models import Lot
from shilian.codes.digital_link import CodeKey, DigitalLinkError, build_uri
from shilian.codes.models import SerialRange, ShortCode


def _unknown(message: str) -> DigitalLinkError:
    return DigitalLinkError(message, status=404)


def product_for_key(key: CodeKey) -> Product:
    """The product a GTIN names (any level of GTIN code). No user: public."""
    if key.gtin is None:
        raise _unknown("追溯码不含GTIN / this code has no GTIN")
    product = Product.objects.select_related("enterprise").filter(gtin=key.gtin).first()
    if product is None:
        raise _unknown(f"未知的商品条码 {key.gtin} / unknown GTIN {key.gtin}")
    return product


def lot_for_key(key: CodeKey) -> Lot:
    """The public lot a code names: for GTIN + lot the producing enterprise's lot (the
    product's owner), for a short code the lot it was issued for. An item code also
    needs its serial issued for that lot. ``DigitalLinkError`` (404) when unknown."""
    lots = Lot.objects.select_related("enterprise", "product")
    if key.short is not None:
        lot = lots.filter(short_code__code=key.short).first()
        if lot is None:
            raise _unknown(f"未知的追溯码 {key.short} / unknown trace code {key.short}")
    elif key.gtin is not None and key.lot is not None:
        lot = (
            lots.filter(product__gtin=key.gtin, code=key.lot, enterprise_id=F("product__enterprise_id"))
            .order_by("pk")
            .first()
        )
        if lot is None:
            raise _unknown(f"未知的批次：GTIN {key.gtin} 批号 {key.lot} / unknown lot {key.lot} of GTIN {key.gtin}")
    else:
        raise _unknown("商品级追溯码不指向批次 / a product-level code names no lot")
    if key.serial is not None and not serial_issued(lot, key.serial):
        raise _unknown(f"该批次未签发序列号 {key.serial} / serial {key.serial} was not issued for this lot")
    return lot


def serial_issued(lot: Lot, serial: str) -> bool:
    """Whether ``serial`` (canonical decimal, no leading zeros) lies in a range issued for the lot."""
    if not serial.isdigit() or str(int(serial)) != serial:
        return False
    n = int(serial)
    return SerialRange.objects.filter(lot=lot, first__lte=n, last__gte=n).exists()


def gtin_of(lot: Lot) -> str | None:
    """The GTIN a lot's codes carry: its product's, when the lot is the product owner's own.

    None too when the lot code has a "/" (allowed in AI 10): a Digital Link writes it as
    %2F, which WSGI servers decode before the resolver sees the path, so such a code could
    not be resolved; the lot gets a short code (``/t/…``) instead."""
    product = lot.product
    if product is None or not product.gtin or product.enterprise_id != lot.enterprise_id or "/" in lot.code:
        return None
    return str(product.gtin)


def short_code_of(lot: Lot) -> str | None:
    return ShortCode.objects.filter(lot=lot).values_list("code", flat=True).first()


def key_for_lot(lot: Lot, serial: str | None = None) -> CodeKey | None:
    """The code key of a lot (or of one item of it); None when the lot has no code yet."""
    gtin = gtin_of(lot)
    if gtin is not None:
        return CodeKey(gtin=gtin, lot=lot.code, serial=serial, expires_on=lot.expires_on, produced_on=lot.produced_on)
    short = short_code_of(lot)
    if short is None:
        return None
    return CodeKey(short=short, serial=serial)


def uri_for_key(key: CodeKey, base: str | None = None) -> str:
    return build_uri(
        gtin=key.gtin,
        lot=key.lot,
        serial=key.serial,
        short=key.short,
        expires_on=key.expires_on,
        produced_on=key.produced_on,
        base=base,
    )


def uri_for_lot(lot: Lot) -> str | None:
    """The lot's code URI: GS1 Digital Link when the product has a GTIN, else its short-code
    URI once issued (``ensure_lot_code``); None when the lot has no code yet."""
    key = key_for_lot(lot)
    return uri_for_key(key) if key is not None else None


def serial_ranges(lot: Lot) -> list[SerialRange]:
    return list(SerialRange.objects.filter(lot=lot).order_by("first"))


def item_uris(key: CodeKey, first: int, last: int, base: str | None = None) -> Iterator[str]:
    """URIs of items ``first``…``last`` of a lot key, built once and varied by serial only."""
    prefix = uri_for_key(CodeKey(gtin=key.gtin, lot=key.lot, short=key.short), base)
    query = uri_for_key(key, base).partition("?")[2]
    tail = f"?{query}" if query else ""
    for n in range(first, last + 1):
        yield f"{prefix}/21/{n}{tail}"
