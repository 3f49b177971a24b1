"""Reading the words of an EPCIS event: bizSteps, dispositions, units, times, field names.

Pure functions. Identifiers (EPC URNs and Digital Link URIs) are read by
``shilian.core.epcis.identifiers``; this module only knows the vocabulary the mapping needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

# Our extension namespace: the result of a test, a recall's or a disposal's reason.
SHILIAN_NS = "https://shilian.org/epcis/"
CBVMDA_NS = "urn:epcglobal:cbv:mda:"
GS1_NS = "https://gs1.org/voc/"

# Prefixes the GS1 EPCIS context declares, for names written as CURIEs.
STANDARD_PREFIXES = {
    "cbvmda": CBVMDA_NS,
    "gs1": GS1_NS,
    "shilian": SHILIAN_NS,
}

# UN/ECE Recommendation 20 codes (and Rec. 21 package codes prefixed X) → shilian units.
UOM_TO_UNIT = {
    "KGM": "kg",
    "GRM": "g",
    "TNE": "t",
    "LTR": "L",
    "MLT": "mL",
    "H87": "piece",  # piece
    "EA": "piece",  # each
    "C62": "piece",  # one
    "XBX": "box",
    "BX": "box",
    "XBG": "bag",
    "BG": "bag",
    "XBO": "bottle",
    "BO": "bottle",
}
# The code each shilian unit is written in (what render.py should emit).
UNIT_TO_UOM = {
    "kg": "KGM",
    "g": "GRM",
    "t": "TNE",
    "L": "LTR",
    "mL": "MLT",
    "piece": "H87",
    "box": "XBX",
    "bag": "XBG",
    "bottle": "XBO",
}

_VOCAB_STEMS = (
    "https://ref.gs1.org/cbv/BizStep-",
    "https://ref.gs1.org/cbv/Disp-",
    "urn:epcglobal:cbv:bizstep:",
    "urn:epcglobal:cbv:disp:",
)


def cbv_word(value: Any) -> str:
    """``receiving`` for ``receiving``, ``https://ref.gs1.org/cbv/BizStep-receiving`` or the
    CBV 1.2 URN; any other URI is returned unchanged (it is no CBV word)."""
    if not isinstance(value, str):
        return ""
    for stem in _VOCAB_STEMS:
        if value.startswith(stem):
            return value[len(stem) :]
    return value


def unit_of(uom: Any) -> str | None:
    """The shilian unit of a UOM code; a missing code counts pieces; None when unknown."""
    if uom is None:
        return "piece"
    return UOM_TO_UNIT.get(str(uom))


def parse_time(value: Any) -> dt.datetime:
    """An EPCIS time (RFC 3339 with offset) as an aware datetime; ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError("expected a date-time string")
    when = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError("the time has no offset")
    return when


def parse_date(value: Any) -> dt.date:
    """An ILMD date: ``2024-05-01`` or a date-time (its date where it was written)."""
    if not isinstance(value, str):
        raise ValueError("expected a date string")
    text = value.strip()
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return parse_time(text).date()


def prefixes(context: Any) -> dict[str, str]:
    """The namespace prefixes a document's ``@context`` declares, over the standard ones."""
    found = dict(STANDARD_PREFIXES)
    items = context if isinstance(context, list) else [context]
    for item in items:
        if isinstance(item, Mapping):
            for key, value in item.items():
                if isinstance(value, str) and not key.startswith("@"):
                    found[key] = value
    return found


def expand(name: str, known: Mapping[str, str]) -> str:
    """A field name as a full URI: ``shilian:inspection`` → ``https://shilian.org/epcis/inspection``."""
    prefix, sep, rest = name.partition(":")
    if sep and not rest.startswith("//") and prefix in known:
        return known[prefix] + rest
    return name


def fields_in(obj: Any, known: Mapping[str, str]) -> dict[str, Any]:
    """An object's fields keyed by full URI (extension and ILMD fields are CURIEs or URIs)."""
    if not isinstance(obj, Mapping):
        return {}
    return {expand(key, known): value for key, value in obj.items()}


def field(obj: Any, uri: str, known: Mapping[str, str]) -> Any:
    """The value of the field named ``uri`` (a full URI) in ``obj``, written as the URI or as
    a CURIE with any prefix bound to its namespace; None when absent. Cheap: no copy of ``obj``."""
    if not isinstance(obj, Mapping):
        return None
    if uri in obj:
        return obj[uri]
    for prefix, namespace in known.items():
        if uri.startswith(namespace):
            value = obj.get(f"{prefix}:{uri[len(namespace) :]}")
            if value is not None:
                return value
    return None
