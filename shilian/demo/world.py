"""Building the demo's registry and catalog through the real actions: places, enterprises,
accounts, staff, suppliers and customers, products. Returns one :class:`Actor` per
enterprise for the activity to drive."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from shilian.catalog.actions import create_product
from shilian.catalog.choices import ProductKind
from shilian.catalog.models import Product
from shilian.chain.models import Lot
from shilian.demo.accounts import create_accounts, create_admin
from shilian.demo.enterprises import (
    CUSTOMERS,
    DISTRIBUTOR,
    ENTERPRISES,
    GROUP,
    OUTLETS,
    SUPPLIERS,
    EnterpriseSpec,
    enterprise_uscc,
    gtin,
    licence_no,
    phone,
    staff_for,
    supplier_key,
    uscc,
)
from shilian.demo.places import COUNTIES, TOWNS, address
from shilian.demo.products import MATERIALS, TRADES, ProductSpec
from shilian.registry.actions import add_partner, add_staff_member, create_jurisdiction, register_enterprise
from shilian.registry.choices import PartnerKind
from shilian.registry.models import Enterprise, Jurisdiction, Partner


@dataclass
class Actor:
    """One demo enterprise as the activity sees it: who acts for it, its partners, its stock."""

    index: int
    spec: EnterpriseSpec
    enterprise: Enterprise
    user: Any
    products: list[tuple[ProductSpec, Product]] = field(default_factory=list)
    suppliers: dict[str, Partner] = field(default_factory=dict)  # off-platform, by enterprises.SUPPLIERS key
    customers: list[Partner] = field(default_factory=list)  # off-platform
    outlets: list[tuple[str, Partner, int]] = field(default_factory=list)  # on-platform: slug, partner, weight
    links: dict[str, Partner] = field(default_factory=dict)  # enterprise slug → partner linked to it
    lots: dict[str, dict[int, Lot]] = field(default_factory=dict)  # product name → lots, oldest first
    since: dict[int, dt.datetime] = field(default_factory=dict)  # lot id → when it arrived or was made

    @property
    def group(self) -> str:
        return GROUP.get(self.spec.trade, self.spec.kind)

    def keep(self, lot: Lot, when: dt.datetime) -> None:
        self.lots.setdefault(lot.product_name, {})[lot.pk] = lot
        self.since.setdefault(lot.pk, when)


@dataclass
class World:
    admin: Any
    users: dict[str, Any]
    actors: dict[str, Actor]
    kept_accounts: list[str]


def build_places(admin: Any) -> dict[str, Jurisdiction]:
    out = {}
    for code, name, name_en in COUNTIES:
        out[code] = create_jurisdiction(code, name, acting_user=admin, name_en=name_en)
    for town in TOWNS:
        out[town.code] = create_jurisdiction(town.code, town.name, acting_user=admin, name_en=town.name_en)
    return out


def build_world(today: dt.date) -> World:
    admin, kept = create_admin()
    places = build_places(admin)
    enterprises = {
        spec.slug: register_enterprise(
            name=spec.name,
            uscc=enterprise_uscc(spec, i),
            kind=spec.kind,
            jurisdiction=places[spec.town.code],
            acting_user=admin,
            licence_no=licence_no(spec, i),
            address=address(spec.town, 8 + (i * 17) % 180),
            contact_phone=phone(i),
        )
        for i, spec in enumerate(ENTERPRISES)
    }
    users, kept_more = create_accounts(admin, enterprises)
    actors = {
        spec.slug: Actor(index=i, spec=spec, enterprise=enterprises[spec.slug], user=users[spec.username])
        for i, spec in enumerate(ENTERPRISES)
    }
    for actor in actors.values():
        for staff in staff_for(actor.spec, actor.index, today):
            add_staff_member(
                actor.enterprise,
                name=staff.name,
                post=staff.post,
                health_certificate_no=staff.certificate_no,
                health_certificate_expires=staff.expires,
                acting_user=actor.user,
            )
        _add_products(actor)
    _add_partners(actors)
    return World(admin=admin, users=users, actors=actors, kept_accounts=kept + kept_more)


def _add_products(actor: Actor) -> None:
    for item, spec in enumerate(TRADES.get(actor.spec.trade, ()), start=1):
        product = create_product(
            actor.enterprise,
            name=spec.name,
            specification=spec.specification,
            gtin=gtin(actor.index, item) if spec.gtin else None,
            kind=ProductKind(spec.kind),
            category=spec.category,
            unit=spec.unit,
            shelf_life_days=spec.shelf_life_days,
            ingredients=spec.ingredients,
            storage=spec.storage,
            standard=spec.standard,
            acting_user=actor.user,
        )
        actor.products.append((spec, product))


def _link(seller: Actor, buyer: Actor) -> None:
    """Each side gets the other in its address book, linked so that the trace crosses."""
    if buyer.spec.slug not in seller.links:
        seller.links[buyer.spec.slug] = add_partner(
            seller.enterprise, name=buyer.spec.name, kind=PartnerKind.CUSTOMER,
            uscc=buyer.enterprise.uscc, linked_enterprise=buyer.enterprise, acting_user=seller.user,
        )
    if seller.spec.slug not in buyer.links:
        buyer.links[seller.spec.slug] = add_partner(
            buyer.enterprise, name=seller.spec.name, kind=PartnerKind.SUPPLIER,
            uscc=seller.enterprise.uscc, linked_enterprise=seller.enterprise, acting_user=buyer.user,
        )


def _add_partners(actors: dict[str, Actor]) -> None:
    for actor in actors.values():
        materials = {name for spec, _p in actor.products for name, _q in spec.inputs if name in MATERIALS}
        for name in sorted(materials):
            source = MATERIALS[name].supplier
            if source.startswith("slug:"):
                _link(actors[source.removeprefix("slug:")], actor)
                continue
            key = supplier_key(source, actor.spec.town)
            if key not in actor.suppliers:
                supplier = SUPPLIERS[key]
                actor.suppliers[key] = add_partner(
                    actor.enterprise, name=supplier.name, kind=PartnerKind.SUPPLIER,
                    uscc=uscc(supplier.uscc_prefix, supplier.division, 500 + list(SUPPLIERS).index(key)),
                    address=supplier.address, acting_user=actor.user,
                )
        for slug, weight in OUTLETS.get(actor.group, OUTLETS.get(actor.spec.slug, ())):
            _link(actor, actors[slug])
            actor.outlets.append((slug, actor.links[slug], weight))
        names = list(CUSTOMERS.get(actor.spec.kind if actor.spec.kind == DISTRIBUTOR else actor.group, ()))
        if actor.products:
            names.append(f"{actor.spec.town.name}农贸市场{actor.spec.owner[0]}记摊位")
        for name in names:
            actor.customers.append(add_partner(actor.enterprise, name=name, kind=PartnerKind.CUSTOMER, acting_user=actor.user))
