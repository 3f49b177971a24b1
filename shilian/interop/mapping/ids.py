"""The identifiers an event names, as the mapping needs them: a lot class → (GTIN, lot),
a party or location → its GLN or credit code.

Thin over ``shilian.core.epcis.identifiers`` (URN and Digital Link spellings alike).
"""

from __future__ import annotations

from functools import lru_cache

from shilian.core.epcis.identifiers import EpcError, gtin_lot, parse_epc
from shilian.core.identifiers import check_lot_code, check_uscc

# A party or location with no GLN, named by its unified social credit code.
USCC_PARTY = "urn:shilian:uscc:"
# An off-platform partner without a credit code, by its id in the enterprise's address book.
PARTNER = "urn:shilian:partner:"
# A lot whose product has no GTIN, by its id (render.py's class URI).
LOT = "urn:shilian:lot:"
GLN_KEYS = ("414", "417")  # a location (SGLN) or a party (PGLN)


@lru_cache(maxsize=65536)
def lot_class(value: str) -> tuple[str, str]:
    """(GTIN-14, lot code) of an lgtin class in URN or Digital Link form; ValueError otherwise."""
    found = gtin_lot(value)
    if found is None:
        raise ValueError(f"{value!r} is no lot class (urn:epc:class:lgtin:… or …/01/{{gtin}}/10/{{lot}})")
    return found[0], check_lot_code(found[1])


@lru_cache(maxsize=65536)
def gln_of(value: str) -> str | None:
    """The GLN of an SGLN / PGLN URN or a Digital Link ``/414/`` or ``/417/`` URI (a
    sub-location ``/254/`` is the GLN's place); None for other ids."""
    try:
        epc = parse_epc(value)
    except EpcError:
        return None
    if epc is None or epc.pattern or epc.primary[0] not in GLN_KEYS:
        return None
    return epc.primary[1]


def uscc_of(value: str) -> str | None:
    """The credit code of a ``urn:shilian:uscc:…`` id, checked; None for other ids."""
    if not value.startswith(USCC_PARTY):
        return None
    try:
        return check_uscc(value[len(USCC_PARTY) :])
    except ValueError:
        return None


def _number_after(prefix: str, value: str) -> int | None:
    if not value.startswith(prefix):
        return None
    rest = value[len(prefix) :]
    return int(rest) if rest.isdigit() and len(rest) < 18 else None


def lot_id(value: str) -> int | None:
    """The lot id of a ``urn:shilian:lot:{id}`` class; None for other values."""
    return _number_after(LOT, value.strip())


def partner_id(value: str) -> int | None:
    """The partner id of a ``urn:shilian:partner:{id}`` party; None for other ids."""
    return _number_after(PARTNER, value.strip())
