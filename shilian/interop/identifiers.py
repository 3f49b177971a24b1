"""Identifiers in the store: the canonical form stored and matched (URN and Digital Link
spellings of one thing are equal), EPC patterns as ranges of that form, and the spelling
an answer is written in (``GS1-EPC-Format``). Thin over ``shilian.core.epcis.identifiers``.
"""

from __future__ import annotations

from enum import StrEnum

from shilian.core.epcis.identifiers import EpcError, canonical_epc, digital_link, epc_urn, parse_epc

SGLN_SUBLOCATION = "/254/"


class EpcFormat(StrEnum):
    """``GS1-EPC-Format``: how identifiers are written in answers (absent: Digital Link)."""

    NO_PREFERENCE = "No_Preference"  # as captured
    DIGITAL_LINK = "Always_GS1_Digital_Link"
    URN = "Always_EPC_URN"
    NEVER_TRANSLATES = "Never_Translates"  # as captured


def canonical(value: str) -> str:
    return canonical_epc(value)


def pattern_prefixes(value: str) -> list[str] | None:
    """For an EPC pattern, the canonical prefixes the things it matches start with (the
    pattern's own canonical form is matched exactly as well); None when ``value`` is no
    pattern; [] for a pattern this store cannot match.

    ``urn:epc:idpat:sgtin:CP.IR.*`` (and the Digital Link of a bare GTIN) match every lot
    and serial of the GTIN; ``urn:epc:idpat:sgtin:CP.*.*`` every GTIN of the company prefix.
    """
    text = value.strip()
    if text.startswith("urn:epc:idpat:sgtin:") and text.endswith(".*.*"):
        cp = text[len("urn:epc:idpat:sgtin:") : -4]
        if not cp.isdigit() or not 6 <= len(cp) <= 12:
            return []
        return [f"https://id.gs1.org/01/{indicator}{cp}" for indicator in "0123456789"]
    try:
        epc = parse_epc(text)
    except EpcError:
        return [] if text.startswith("urn:epc:idpat:") else None
    if epc is None:
        return [] if text.startswith("urn:epc:idpat:") else None
    if epc.pattern or (epc.primary[0] == "01" and len(epc.path) == 1):
        return [epc.digital_link() + "/"]
    return None


def descendants_prefix(canonical_location: str) -> str | None:
    """The canonical prefix of a location's sub-locations: a GLN's ``/254/`` extensions."""
    if canonical_location.startswith("https://id.gs1.org/414/") and SGLN_SUBLOCATION not in canonical_location:
        return canonical_location + SGLN_SUBLOCATION
    return None


def in_format(value: str, fmt: EpcFormat) -> str:
    if fmt is EpcFormat.DIGITAL_LINK:
        return digital_link(value)
    if fmt is EpcFormat.URN:
        return epc_urn(value)
    return value
