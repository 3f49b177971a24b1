"""Master data in a document's header (``epcisHeader.epcisMasterData``): the names and
addresses of the parties and locations its events name, for partners off the platform."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Attribute ids that carry a name or an address part, in the forms documents use.
_NAME = {
    "urn:epcglobal:cbv:mda#name",
    "urn:epcglobal:cbv:mda:name",
    "cbvmda:name",
    "gs1:organizationName",
    "https://gs1.org/voc/organizationName",
    "gs1:name",
    "https://gs1.org/voc/name",
}
_ADDRESS = (
    "streetAddressOne",
    "streetAddressTwo",
    "streetAddressThree",
    "city",
    "state",
    "postalCode",
    "countryCode",
)


@dataclass(frozen=True)
class Entry:
    name: str = ""
    address: str = ""


def read(header: Any) -> dict[str, Entry]:
    """Vocabulary element id → its name and address, from every vocabulary of the header."""
    if not isinstance(header, Mapping):
        return {}
    master = header.get("epcisMasterData")
    vocabularies = master.get("vocabularyList") if isinstance(master, Mapping) else None
    found: dict[str, Entry] = {}
    for vocabulary in vocabularies if isinstance(vocabularies, list) else []:
        elements = vocabulary.get("vocabularyElementList") if isinstance(vocabulary, Mapping) else None
        for element in elements if isinstance(elements, list) else []:
            if isinstance(element, Mapping) and isinstance(element.get("id"), str):
                found[element["id"]] = _entry(element.get("attributes"))
    return found


def _entry(attributes: Any) -> Entry:
    name = ""
    address: dict[str, str] = {}
    for attribute in attributes if isinstance(attributes, list) else []:
        if not isinstance(attribute, Mapping) or not isinstance(attribute.get("id"), str):
            continue
        key, value = attribute["id"], attribute.get("attribute")
        if not isinstance(value, str | int | float):
            continue
        if key in _NAME and not name:
            name = str(value).strip()
        for part in _ADDRESS:
            if key.endswith(("#" + part, ":" + part, "/" + part)):
                address[part] = str(value).strip()
    return Entry(name=name[:200], address=" ".join(address[p] for p in _ADDRESS if address.get(p))[:300])
