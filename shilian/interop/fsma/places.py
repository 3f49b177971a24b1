"""Who and where, for the FSMA 204 sheet: location descriptions (§ 1.1310: business name,
physical address, phone) with an identifier, and the traceability lot code source of each lot.

Each enterprise, partner and lot is read once per export, in batches, whatever the row count.

The traceability lot code source (TLC source) is the place where a lot's code was assigned:
- a lot made here (transformation output): this enterprise;
- a lot received on the platform (``source_key`` ``lot:<id>``): the source of the shipper's
  lot, followed back hop by hop to the enterprise that made it or first took it in;
- a lot received from an off-platform supplier (``partner:<id>``): that supplier, the
  enterprise we know assigned or passed on the code;
- a lot received with no supplier recorded: the receiver, who is then the one keeping the code
  (§ 1.1345(b): the receiver assigns the code when the supplier is not covered).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from shilian.chain.choices import LotOrigin
from shilian.chain.models import Lot
from shilian.registry.models import Enterprise, Partner

CHUNK = 500  # ids per IN list: under SQLite's 999 parameters
T = TypeVar("T")


@dataclass(frozen=True)
class Place:
    """A location description and the identifier that names it (GLN, else credit code)."""

    description: str
    identifier: str = ""
    division: str = ""


NOWHERE = Place("")


def describe(*parts: str) -> str:
    return "；".join(part.strip() for part in parts if part and part.strip())


def enterprise_identifier(gln: str, uscc: str) -> str:
    """An enterprise's or partner's identifier in the sheet: its GLN, else its credit code."""
    if gln:
        return f"GLN {gln}"
    return f"USCC {uscc}" if uscc else ""


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class Places:
    """Enterprises, partners and lot sources read on demand: ``load`` the ids of a chunk of
    rows first, then ask for each place."""

    def __init__(self) -> None:
        self.enterprises: dict[int, Place] = {}
        self.partners: dict[int, Place] = {}
        # lot id → ("enterprise" | "partner", id) of the lot's TLC source
        self.sources: dict[int, tuple[str, int]] = {}

    # -- reading ------------------------------------------------------------------------

    def load(
        self,
        *,
        enterprise_ids: Iterable[int | None] = (),
        partner_ids: Iterable[int | None] = (),
        lots: Iterable[tuple[int, int, str, str]] = (),
    ) -> None:
        """Read what is not known yet: ``lots`` are (id, enterprise id, origin, source key)."""
        lots = list(lots)
        self._resolve_sources(lots)
        sources = [self.sources[lot[0]] for lot in lots]
        wanted_partners = {pk for pk in partner_ids if pk is not None}
        wanted_partners.update(pk for kind, pk in sources if kind == "partner")
        linked = self._load_partners(sorted(pk for pk in wanted_partners if pk not in self.partners))
        wanted = {pk for pk in enterprise_ids if pk is not None}
        wanted.update(pk for kind, pk in sources if kind == "enterprise")
        wanted.update(linked.values())
        self._load_enterprises(sorted(pk for pk in wanted if pk not in self.enterprises))
        for partner_id, enterprise_id in linked.items():
            self.partners[partner_id] = self.enterprises.get(enterprise_id, NOWHERE)

    def _load_enterprises(self, ids: Sequence[int]) -> None:
        for part in chunks(ids):
            rows = Enterprise.objects.filter(pk__in=part).values_list(
                "pk", "name", "address", "contact_phone", "gln", "uscc", "jurisdiction_id"
            )
            for pk, name, address, phone, gln, uscc, division in rows:
                self.enterprises[pk] = Place(describe(name, address, phone), enterprise_identifier(gln, uscc), division)

    def _load_partners(self, ids: Sequence[int]) -> dict[int, int]:
        """Off-platform partners as they were recorded; the linked ones are returned (partner → enterprise)
        to be described as the enterprise they are on the platform."""
        linked: dict[int, int] = {}
        for part in chunks(ids):
            rows = Partner.objects.filter(pk__in=part).values_list(
                "pk", "name", "address", "contact", "gln", "uscc", "linked_enterprise_id"
            )
            for pk, name, address, contact, gln, uscc, enterprise_id in rows:
                if enterprise_id is not None:
                    linked[pk] = enterprise_id
                else:
                    self.partners[pk] = Place(describe(name, address, contact), enterprise_identifier(gln, uscc))
        return linked

    def _resolve_sources(self, lots: Iterable[tuple[int, int, str, str]]) -> None:
        """Each lot's TLC source; lots received on the platform are followed back in rounds
        of one query per hop (a few hops, each a batch of lots)."""
        upstream: dict[int, tuple[int, int]] = {}  # lot id → (the shipper's lot it came from, its own enterprise)
        for pk, enterprise_id, origin, source_key in lots:
            if pk not in self.sources:
                self._direct(pk, enterprise_id, origin, source_key, upstream)
        while unknown := sorted(
            {ref for ref, _ in upstream.values() if ref not in self.sources and ref not in upstream}
        ):
            found: set[int] = set()
            for part in chunks(unknown):
                rows = Lot.objects.filter(pk__in=part).values_list("pk", "enterprise_id", "origin", "source_key")
                for pk, enterprise_id, origin, source_key in rows:
                    found.add(pk)
                    self._direct(pk, enterprise_id, origin, source_key, upstream)
            for pk in set(unknown) - found:  # cannot happen under PROTECT foreign keys: stop, don't loop
                self.sources[pk] = ("enterprise", 0)
        for pk, (_, owner) in upstream.items():
            path = [pk]
            ref = upstream[pk][0]
            while ref not in self.sources and ref in upstream and ref not in path:
                path.append(ref)
                ref = upstream[ref][0]
            source = self.sources.get(ref, ("enterprise", owner))
            for lot_id in path:
                self.sources[lot_id] = source

    def _direct(
        self, pk: int, enterprise_id: int, origin: str, source_key: str, upstream: dict[int, tuple[int, int]]
    ) -> None:
        if origin != LotOrigin.PRODUCED and source_key.startswith("lot:"):
            upstream[pk] = (int(source_key[4:]), enterprise_id)
        elif origin != LotOrigin.PRODUCED and source_key.startswith("partner:"):
            self.sources[pk] = ("partner", int(source_key[8:]))
        else:
            self.sources[pk] = ("enterprise", enterprise_id)

    # -- answers ------------------------------------------------------------------------

    def enterprise(self, pk: int | None) -> Place:
        return self.enterprises.get(pk, NOWHERE) if pk is not None else NOWHERE

    def partner(self, pk: int | None) -> Place:
        return self.partners.get(pk, NOWHERE) if pk is not None else NOWHERE

    def tlc_source(self, lot_id: int) -> Place:
        kind, pk = self.sources.get(lot_id, ("enterprise", 0))
        return self.partner(pk) if kind == "partner" else self.enterprise(pk)
