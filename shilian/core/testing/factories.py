"""Factory functions for tests: real actions with keyword defaults, no shared fixture database.

Lives in core/testing but builds domain rows, so it imports the domain apps: tests only.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from shilian.catalog.actions import create_product
from shilian.catalog.models import Product
from shilian.chain.actions import InputSpec, OutputSpec, ShipLine, receive_lot, record_transformation, ship_lots
from shilian.chain.models import Lot, TraceEvent
from shilian.core.identifiers import uscc_check_character
from shilian.registry.actions import add_partner, create_jurisdiction, grant_role, register_enterprise
from shilian.registry.models import Enterprise, Jurisdiction, Partner

_seq = itertools.count(1)
USCC_BODY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(n: int | None = None, division: str = "331081") -> str:
    """A valid unified social credit code (92 = individual business) for test number ``n``."""
    n = next(_seq) if n is None else n
    body = f"92{division}"
    digits = ""
    for _ in range(9):
        n, r = divmod(n, 31)
        digits = USCC_BODY_ALPHABET[r] + digits
    first17 = body + digits
    return first17 + uscc_check_character(first17)


def ensure_jurisdictions() -> dict[str, Jurisdiction]:
    """Zhejiang → Taizhou → Wenling → two towns, and Hangzhou → Xihu as the outside."""
    rows = [
        ("330000", "浙江省"),
        ("331000", "台州市"),
        ("331081", "温岭市"),
        ("331081102", "石塘镇"),
        ("331081104", "泽国镇"),
        ("330100", "杭州市"),
        ("330106", "西湖区"),
        ("330106001", "北山街道"),
    ]
    out = {}
    for code, name in rows:
        existing = Jurisdiction.objects.filter(pk=code).first()
        out[code] = existing or create_jurisdiction(code, name, acting_user=None)
    return out


def make_user(username: str | None = None, **kwargs: Any) -> Any:
    username = username or f"user{next(_seq)}"
    return get_user_model().objects.create_user(username=username, password="pw-" + username, **kwargs)


def make_enterprise(*, jurisdiction: str = "331081102", kind: str = "workshop", name: str | None = None) -> Enterprise:
    ensure_jurisdictions()
    n = next(_seq)
    return register_enterprise(
        name=name or f"作坊{n}",
        uscc=make_uscc(n),
        kind=kind,
        jurisdiction=Jurisdiction.objects.get(pk=jurisdiction),
        licence_no=f"JY{n:08d}",
        acting_user=None,
    )


def make_operator(enterprise: Enterprise, username: str | None = None) -> Any:
    user = make_user(username)
    grant_role(user, "operator", enterprise=enterprise, acting_user=None)
    return user


def make_inspector(jurisdiction: str = "331081", username: str | None = None) -> Any:
    ensure_jurisdictions()
    user = make_user(username)
    grant_role(user, "inspector", jurisdiction=Jurisdiction.objects.get(pk=jurisdiction), acting_user=None)
    return user


def make_admin(username: str | None = None) -> Any:
    return get_user_model().objects.create_superuser(username=username or f"admin{next(_seq)}", password="pw")


def make_product(enterprise: Enterprise, **kwargs: Any) -> Product:
    kwargs.setdefault("name", f"产品{next(_seq)}")
    kwargs.setdefault("shelf_life_days", 180)
    return create_product(enterprise, acting_user=None, **kwargs)


def make_partner(enterprise: Enterprise, *, linked: Enterprise | None = None, name: str | None = None) -> Partner:
    return add_partner(
        enterprise,
        name=name or (linked.name if linked else f"伙伴{next(_seq)}"),
        linked_enterprise=linked,
        acting_user=None,
    )


def now() -> dt.datetime:
    return timezone.now()


def receive(
    enterprise: Enterprise,
    *,
    quantity: Any = "100",
    unit: str = "kg",
    product_name: str = "面粉",
    lot_code: str | None = None,
    supplier: Partner | None = None,
    user: Any = None,
    occurred_at: dt.datetime | None = None,
    **kwargs: Any,
) -> Lot:
    event = receive_lot(
        enterprise,
        acting_user=user,
        occurred_at=occurred_at or now(),
        quantity=quantity,
        unit=unit,
        product_name=product_name,
        lot_code=lot_code or f"L{next(_seq)}",
        supplier=supplier or make_partner(enterprise),
        **kwargs,
    )
    return event.lines.get().lot


def produce(enterprise: Enterprise, inputs: list[tuple[Lot, Any]], product: Product, quantity: Any = "10") -> Lot:
    event = record_transformation(
        enterprise,
        inputs=[InputSpec(lot, q, lot.unit) for lot, q in inputs],
        outputs=[OutputSpec(product, quantity, product.unit)],
        occurred_at=now(),
        acting_user=None,
    )
    return event.lines.get(role="output").lot


def ship(
    enterprise: Enterprise, lot: Lot, quantity: Any, customer: Partner | None = None, occurred_at: dt.datetime | None = None
) -> TraceEvent:
    return ship_lots(
        enterprise,
        lines=[ShipLine(lot, quantity, lot.unit)],
        customer=customer,
        occurred_at=occurred_at or now(),
        acting_user=None,
    )


def stock(lot: Lot) -> Decimal:
    return Lot.objects.get(pk=lot.pk).quantity_on_hand


def make_actors(operated: Enterprise, other: Enterprise) -> dict[str, Any]:
    """One user per row of a permission matrix: the operator of ``operated``, an operator of
    ``other``, an inspector of Wenling (inside) and of Xihu (outside), an admin."""
    return {
        "anonymous": None,
        "operator": make_operator(operated),
        "other_operator": make_operator(other),
        "inspector_in": make_inspector("331081"),
        "inspector_out": make_inspector("330106"),
        "admin": make_admin(),
    }
