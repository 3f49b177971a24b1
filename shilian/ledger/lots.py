"""Which lot a ledger page is about: a lot id, or the code printed on the pack.

Codes: a GS1 Digital Link URI or path (``https://host/01/{gtin}/10/{lot}``, ``/01/…/10/…``),
an EPC class URI (``urn:epc:class:lgtin:…``), or a short code URI (``/t/{code}``). A GTIN
with a lot names the lot of the product's owner, as the consumer resolver does. The ledger
sits beside the codes app (neither imports the other), so short codes are looked up through
the lot's ``short_code`` relation.

A lot is public when it carries a code (anyone holding the pack may check it); a lot
without one is shown only to those who may see it (its id alone is guessable).
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.db.models import F

from shilian.chain.lotref import parse_lot_ref
from shilian.chain.models import Lot
from shilian.core.errors import NotFoundError

_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _short_code(text: str) -> str | None:
    parts = [unquote(p) for p in urlsplit(text).path.split("/") if p]
    if "t" in parts[:-1]:
        raw = parts[parts.index("t") + 1]
        return raw.upper().replace("-", "").replace(" ", "").translate(_READ_AS)
    return None


def find_lot(ref: str) -> tuple[Lot, bool]:
    """(lot, named by a code) for ``ref``; NotFoundError when nothing matches."""
    text = ref.strip()
    lots = Lot.objects.select_related("enterprise", "product")
    if text.isdigit() and len(text) < 14:
        lot = lots.filter(pk=int(text)).first()
        if lot is None:
            raise NotFoundError("lot")
        return lot, False
    if text.startswith(("01/", "t/")):
        text = "/" + text
    if "://" not in text and text.startswith("https:/"):  # a proxy may merge the URI's double slash
        text = text.replace(":/", "://", 1)
    short = _short_code(text)
    if short is not None:
        lot = lots.filter(short_code__code=short).first()
    else:
        try:
            parsed = parse_lot_ref(text)
        except ValueError:
            raise NotFoundError("lot") from None
        lot = (
            lots.filter(product__gtin=parsed.gtin, code=parsed.lot_code, enterprise_id=F("product__enterprise_id"))
            .order_by("pk")
            .first()
        )
    if lot is None:
        raise NotFoundError("lot")
    return lot, True


def has_code(lot: Lot) -> bool:
    """Whether the lot carries a public code: its owner's GTIN, or a short code."""
    product = lot.product
    if product is not None and product.gtin and product.enterprise_id == lot.enterprise_id:
        return True
    return Lot.objects.filter(pk=lot.pk, short_code__isnull=False).exists()
