"""Reading a lot reference: a lot id, an EPC class URI (``urn:epc:class:lgtin:…``) or a
GS1 Digital Link URI (``https://host/01/{gtin}/10/{lot}``)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from shilian.core.epcis.identifiers import dl_for_lot, lgtin_for_lot
from shilian.core.identifiers import check_gtin, check_lot_code, gtin_check_digit


@dataclass(frozen=True)
class LotRef:
    lot_id: int | None = None
    gtin: str | None = None
    lot_code: str | None = None


_LGTIN = re.compile(r"^urn:epc:class:lgtin:(\d+)\.(\d+)\.(.+)$")


def parse_lot_ref(value: str) -> LotRef:
    """Parse a reference; ValueError with a message naming what is wrong."""
    text = value.strip()
    if text.isdigit() and len(text) < 14:
        return LotRef(lot_id=int(text))
    match = _LGTIN.match(text)
    if match:
        company, item, lot = match.groups()
        if len(company) + len(item) != 13 or not item:
            raise ValueError("lgtin: company prefix and item reference must have 13 digits together")
        body = item[0] + company + item[1:]
        gtin = body + gtin_check_digit(body)
        return LotRef(gtin=gtin, lot_code=check_lot_code(unquote(lot)))
    if text.startswith(("http://", "https://", "/")):
        path = urlsplit(text).path
        parts = [unquote(p) for p in path.split("/") if p]
        try:
            i = parts.index("01")
        except ValueError:
            raise ValueError("Digital Link URI has no /01/{gtin}") from None
        rest = parts[i:]
        if len(rest) < 4 or rest[2] != "10":
            raise ValueError("Digital Link URI has no /10/{lot} after the GTIN")
        return LotRef(gtin=check_gtin(rest[1]), lot_code=check_lot_code(rest[3]))
    raise ValueError("expected a lot id, urn:epc:class:lgtin:… or a GS1 Digital Link URI")


def lgtin_urn(gtin: str, lot_code: str, company_prefix_length: int = 7) -> str:
    """The EPC class URI of a GTIN + lot (company prefix length assumed when unknown)."""
    g = gtin.zfill(14)
    company = g[1 : 1 + company_prefix_length]
    item = g[0] + g[1 + company_prefix_length : 13]
    return f"urn:epc:class:lgtin:{company}.{item}.{quote(lot_code, safe='')}"



def lot_identifiers(gtin: str | None, lot_code: str) -> tuple[str | None, str | None]:
    """(EPC class URI, canonical GS1 Digital Link) of a lot, as EPCIS names it (the company
    prefix length from GS1's table); both None when its product has no GTIN."""
    if not gtin:
        return None, None
    return _identifiers(gtin, lot_code)


@functools.lru_cache(maxsize=4096)
def _identifiers(gtin: str, lot_code: str) -> tuple[str, str]:
    return lgtin_for_lot(gtin, lot_code), dl_for_lot(gtin, lot_code)
